/**
 * Fetching the release lists (src/go/releases.ts) from a loopback server with fault injection: what is
 * retried, what is not, deadlines, and where the token goes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BenchServer, startServer } from '../../testbed/server.ts'
import {
  fetchListing,
  fetchManifest,
  listingUrl,
  manifestToken,
  plainHttpMirrorWarning
} from '../../src/go/releases.js'

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'go')
const LISTING = fs.readFileSync(path.join(FIXTURES, 'golang-dl.json'))
const MANIFEST = fs.readFileSync(path.join(FIXTURES, 'versions-manifest.json'))

let server: BenchServer
beforeAll(async () => {
  server = await startServer((req, _res, ctx) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/dl/' && url.searchParams.get('mode') === 'json') ctx.send(200, LISTING)
    else if (url.pathname === '/versions-manifest.json') ctx.send(200, MANIFEST)
    else if (url.pathname === '/html/') ctx.send(200, '<html>captive portal</html>')
    else ctx.send(404, 'not found')
  })
})
afterAll(async () => {
  await server.close()
})

function reset(): void {
  server.faults.clear()
  server.faults.clearLog()
}

const fast = { minBackoffMs: 10, timeoutMs: 2000 }

describe('fetchListing', () => {
  it('asks for every release and reads the listing', async () => {
    reset()
    const releases = await fetchListing(`${server.url}/dl`, fast)
    expect(releases).toHaveLength(30)
    expect(server.faults.log.map((r) => r.path)).toEqual(['/dl/?mode=json&include=all'])
  })

  it('builds the listing URL from a base with or without a trailing slash', () => {
    expect(listingUrl('https://go.dev/dl')).toBe('https://go.dev/dl/?mode=json&include=all')
    expect(listingUrl('https://mirror.example/go/')).toBe('https://mirror.example/go/?mode=json&include=all')
  })

  it('retries 5xx and dropped connections', async () => {
    reset()
    server.faults.add({ fault: { kind: 'status', status: 503 }, firstN: 1 })
    server.faults.add({ fault: { kind: 'reset' }, firstN: 1 })
    const releases = await fetchListing(`${server.url}/dl`, fast)
    expect(releases.length).toBeGreaterThan(0)
    expect(server.faults.log.map((r) => r.outcome)).toEqual(['status', 'reset', 'ok'])
  })

  it('does not retry a 404, and names the URL', async () => {
    reset()
    await expect(fetchListing(`${server.url}/nope`, fast)).rejects.toThrow(
      `HTTP 404 from ${server.url}/nope/?mode=json&include=all`
    )
    expect(server.faults.log).toHaveLength(1)
  })

  it('gives up after the retries with the last error', async () => {
    reset()
    server.faults.add({ fault: { kind: 'status', status: 502 } })
    await expect(fetchListing(`${server.url}/dl`, { ...fast, retries: 2 })).rejects.toThrow('HTTP 502')
    expect(server.faults.log).toHaveLength(3)
  })

  it('says so when the answer is not JSON (a captive portal, a proxy error page)', async () => {
    reset()
    await expect(fetchListing(`${server.url}/html`, { ...fast, retries: 0 })).rejects.toThrow(
      'did not answer with JSON'
    )
  })

  it('stops waiting for a stalled server at the deadline', async () => {
    reset()
    server.faults.add({ fault: { kind: 'stall' } })
    const started = Date.now()
    await expect(fetchListing(`${server.url}/dl`, { retries: 0, timeoutMs: 300 })).rejects.toThrow(/timeout/i)
    expect(Date.now() - started).toBeLessThan(3000)
  })
})

describe('fetchManifest', () => {
  it('reads the manifest in Go naming', async () => {
    reset()
    const releases = await fetchManifest('', { url: `${server.url}/versions-manifest.json` })
    expect(releases.map((r) => r.version)).toEqual(['1.23rc1', '1.22.5', '1.21.12', '1.20.14'])
  })

  it('fails fast: one attempt, no retry', async () => {
    reset()
    server.faults.add({ fault: { kind: 'status', status: 503 } })
    await expect(fetchManifest('', { url: `${server.url}/versions-manifest.json` })).rejects.toThrow(
      'HTTP 503'
    )
    expect(server.faults.log).toHaveLength(1)
  })

  it('sends the token to no host but GitHub raw content', async () => {
    reset()
    await fetchManifest('ghs_secret', { url: `${server.url}/versions-manifest.json` })
    expect(server.faults.log[0]?.authorized).toBe(false)
  })
})

describe('manifestToken: the token goes to github.com only from a github.com run', () => {
  it.each([
    ['https://github.com', 'tok'],
    ['https://GitHub.com/', 'tok'],
    [undefined, 'tok'],
    ['', 'tok'],
    ['https://ghes.example.com', ''],
    ['https://acme.ghe.com', ''],
    ['https://github.com.evil.example', ''],
    ['not a url', '']
  ])('GITHUB_SERVER_URL %j -> %j', (server, expected) => {
    expect(manifestToken('tok', server)).toBe(expected)
  })

  it('stays empty without a token', () => {
    expect(manifestToken('', 'https://github.com')).toBe('')
  })
})

describe('plainHttpMirrorWarning', () => {
  it('warns for a plain http mirror, naming the input, the value and the fix', () => {
    const w = plainHttpMirrorWarning('http://mirror.corp.example/go')
    expect(w).toContain("Input 'go-download-base-url' is 'http://mirror.corp.example/go'")
    expect(w).toContain('sha256')
    expect(w).toContain('Use an https:// mirror')
  })

  it.each([
    'https://mirror.corp.example/go',
    'http://127.0.0.1:8080/',
    'http://localhost/dl',
    'http://[::1]:9/'
  ])('says nothing for %s (https, or loopback)', (url) => {
    expect(plainHttpMirrorWarning(url)).toBeUndefined()
  })
})
