/**
 * testbed/mitm.ts with the three real clients: git (libcurl/gnutls, https_proxy + GIT_SSL_CAINFO), go
 * (HTTPS_PROXY + SSL_CERT_FILE, GOPROXY=https://proxy.golang.org served by a bench file server) and node's
 * @actions/http-client (https_proxy + NODE_EXTRA_CA_CERTS). Unrouted hosts are refused, raw headers
 * (even a duplicate Authorization) pass unchanged, faults apply, and close() frees everything.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { createBareRepo, startGitServer, type GitServer } from '../../testbed/git-server.ts'
import { startMitm, type Mitm } from '../../testbed/mitm.ts'
import { startServer, type BenchServer } from '../../testbed/server.ts'
import { baseEnv, goEnv, portRefused, run } from '../helpers/git-util.ts'

let root: string
let git: GitServer
let goproxy: BenchServer
let godev: BenchServer
let mitm: Mitm
/** Directory served as https://proxy.golang.org (a GOPROXY file tree). */
let proxyTree: string

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'mitm-test-'))
  proxyTree = path.join(root, 'proxy-tree')
  mkdirSync(proxyTree, { recursive: true })
  await createBareRepo(path.join(root, 'repos'), 'github.com/acme/x', {
    'v1.0.0': { 'go.mod': 'module github.com/acme/x\n\ngo 1.19\n', 'x.go': 'package x\n\nconst X = "x"\n' }
  })
  git = await startGitServer({ root: path.join(root, 'repos') })
  // A static GOPROXY: files under proxyTree, 404 with proxy.golang.org's body otherwise.
  goproxy = await startServer((req, _res, { send }) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const file = path.join(proxyTree, p)
    if (file.startsWith(proxyTree + path.sep) && existsSync(file) && statSync(file).isFile())
      return send(200, readFileSync(file), { 'content-type': 'application/octet-stream' })
    send(404, `not found: ${p}\n`, { 'content-type': 'text/plain' })
  })
  godev = await startServer((req, _res, { send }) =>
    send(200, JSON.stringify([{ version: 'go1.19.8', stable: true, path: req.url }]), {
      'content-type': 'application/json'
    })
  )
  mitm = await startMitm({
    routes: { 'github.com': git.url, 'proxy.golang.org': goproxy.url, 'go.dev': godev.url }
  })
})

afterAll(async () => {
  await mitm?.close()
  await Promise.all([git?.close(), goproxy?.close(), godev?.close()])
  rmSync(root, { recursive: true, force: true })
})

describe('git through the MITM', () => {
  test('git ls-remote https://github.com/acme/x reaches the bench git server', async () => {
    const r = await run('git', ['ls-remote', 'https://github.com/acme/x'], { env: baseEnv(root, mitm.env) })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('refs/tags/v1.0.0')
    const recs = mitm.requests('github.com')
    expect(recs[0]).toMatchObject({
      method: 'GET',
      path: '/acme/x/info/refs?service=git-upload-pack',
      outcome: 'forwarded',
      tls: true,
      status: 200
    })
    // protocol v2: ls-refs is a POST to git-upload-pack
    expect(recs.at(-1)).toMatchObject({ method: 'POST', path: '/acme/x/git-upload-pack', status: 200 })
    expect(git.faults.log.at(-1)).toMatchObject({ method: 'POST', path: '/acme/x/git-upload-pack' })
  })

  test('without the CA, git refuses the certificate (the trust really comes from GIT_SSL_CAINFO)', async () => {
    const { GIT_SSL_CAINFO: _ca, ...noCa } = mitm.env
    const r = await run('git', ['ls-remote', 'https://github.com/acme/x'], {
      env: baseEnv(root, { ...noCa, GIT_SSL_CAINFO: '/dev/null' })
    })
    expect(r.code).toBe(128)
    expect(r.stderr).toMatch(/certificate|SSL|TLS/i)
  })

  test('an unrouted host is refused at CONNECT (nothing goes out)', async () => {
    const r = await run('git', ['ls-remote', 'https://gitlab.com/acme/x'], { env: baseEnv(root, mitm.env) })
    expect(r.code).toBe(128)
    expect(r.stderr).toMatch(/403|CONNECT/)
    expect(mitm.requests('gitlab.com')).toEqual([
      expect.objectContaining({ method: 'CONNECT', path: 'gitlab.com:443', outcome: 'refused', status: 403 })
    ])
  })

  test('two Authorization headers reach the server unchanged (→ GitHub-like 400)', async () => {
    const h = (s: string) => `Authorization: basic ${Buffer.from(s).toString('base64')}`
    const r = await run(
      'git',
      [
        '-c',
        `http.extraheader=${h('a:b')}`,
        '-c',
        `http.https://github.com/acme/.extraheader=${h('c:d')}`,
        'ls-remote',
        'https://github.com/acme/x'
      ],
      { env: baseEnv(root, mitm.env) }
    )
    expect(r.code).toBe(128)
    expect(r.stderr).toContain('Duplicate header: "Authorization"')
    expect(git.faults.log.at(-1)?.authorizationHeaders).toBe(2)
  })

  test('faults on the proxy itself (502 on the first info/refs)', async () => {
    const remove = mitm.faults.add({ path: '/info/refs', firstN: 1, fault: { kind: 'status', status: 502 } })
    try {
      const r = await run('git', ['ls-remote', 'https://github.com/acme/x'], { env: baseEnv(root, mitm.env) })
      expect(r.code).toBe(128)
      expect(r.stderr).toContain('502')
    } finally {
      remove()
    }
  })
})

describe('go through the MITM', () => {
  test('GOPROXY=https://proxy.golang.org is served by a bench file server', async () => {
    // 1. Fetch the module directly from git (through https://github.com) to get real .info/.mod/.zip files.
    const a = path.join(root, 'go-a')
    mkdirSync(a)
    const direct = await run('go', ['mod', 'download', '-json', 'github.com/acme/x@v1.0.0'], {
      cwd: a,
      env: goEnv(a, { ...mitm.env, GOPROXY: 'direct', GOSUMDB: 'off', GOPRIVATE: 'github.com/acme' })
    })
    expect(direct.code).toBe(0)
    const info = JSON.parse(direct.stdout) as { Info: string; GoMod: string; Zip: string; Sum: string }
    const v = path.join(proxyTree, 'github.com', 'acme', 'x', '@v')
    mkdirSync(v, { recursive: true })
    writeFileSync(path.join(v, 'list'), 'v1.0.0\n')
    for (const [src, name] of [
      [info.Info, 'v1.0.0.info'],
      [info.GoMod, 'v1.0.0.mod'],
      [info.Zip, 'v1.0.0.zip']
    ] as const)
      writeFileSync(path.join(v, name), readFileSync(src))
    // 2. A fresh cache downloads the same module from "proxy.golang.org"; git is not touched.
    const gitRequests = git.faults.log.length
    const b = path.join(root, 'go-b')
    mkdirSync(b)
    const viaProxy = await run('go', ['mod', 'download', '-json', 'github.com/acme/x@v1.0.0'], {
      cwd: b,
      env: goEnv(b, { ...mitm.env, GOPROXY: 'https://proxy.golang.org', GOSUMDB: 'off' })
    })
    expect(viaProxy.stderr).toBe('')
    expect(viaProxy.code).toBe(0)
    expect((JSON.parse(viaProxy.stdout) as { Sum: string }).Sum).toBe(info.Sum)
    expect(git.faults.log.length).toBe(gitRequests)
    const paths = mitm.requests('proxy.golang.org').map((x) => `${x.method} ${x.path} ${x.status}`)
    expect(paths).toContain('GET /github.com/acme/x/@v/v1.0.0.zip 200')
    expect(goproxy.faults.requests('/github.com/acme/x/@v/v1.0.0.zip').length).toBe(1)
  })

  test('a 404 from the routed proxy is what go reports', async () => {
    const c = path.join(root, 'go-c')
    mkdirSync(c)
    const r = await run('go', ['mod', 'download', 'github.com/acme/missing@v1.0.0'], {
      cwd: c,
      env: goEnv(c, { ...mitm.env, GOPROXY: 'https://proxy.golang.org', GOSUMDB: 'off' })
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('404 Not Found')
    expect(r.stderr).toContain('proxy.golang.org')
  })
})

describe('node (@actions/http-client) through the MITM', () => {
  const script = `
    import { HttpClient } from '@actions/http-client'
    const c = new HttpClient('bench')
    const out = {}
    try { out.godev = (await c.getJson('https://go.dev/dl/?mode=json&include=all')).result } catch (e) { out.godevError = e.message }
    try { const r = await c.get('https://example.org/'); out.other = r.message.statusCode } catch (e) { out.otherError = e.message }
    console.log(JSON.stringify(out))
  `
  test('a routed host is reached with the test CA; an unrouted one fails', async () => {
    const env = { ...baseEnv(root), ...mitm.env }
    const r = await run(process.execPath, ['--input-type=module', '-e', script], { env, cwd: process.cwd() })
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { godev?: { path: string }[]; otherError?: string; other?: number }
    expect(out.godev?.[0]?.path).toBe('/dl/?mode=json&include=all')
    expect(out.other).toBeUndefined()
    expect(out.otherError).toBeDefined()
    expect(mitm.requests('example.org')[0]).toMatchObject({ outcome: 'refused' })
  })

  test('absolute-form plain http requests are routed too (and refused when unrouted)', async () => {
    const get = (url: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: mitm.port, path: url, headers: { host: new URL(url).host } },
          (res) => {
            let body = ''
            res.on('data', (d: Buffer) => (body += d.toString()))
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
          }
        )
        req.on('error', reject)
        req.end()
      })
    const ok = await get('http://go.dev/dl/')
    expect(ok.status).toBe(200)
    expect(ok.body).toContain('/dl/')
    const refused = await get('http://example.com/')
    expect(refused.status).toBe(403)
  })
})

describe('shutdown', () => {
  test('close() frees the port and removes the certificates', async () => {
    const m = await startMitm({ routes: { 'github.com': git.url } })
    expect(existsSync(m.caFile)).toBe(true)
    const r = await run('git', ['ls-remote', 'https://github.com/acme/x'], { env: baseEnv(root, m.env) })
    expect(r.code).toBe(0)
    await m.close()
    expect(await portRefused(m.port)).toBe(true)
    expect(existsSync(m.certDir)).toBe(false)
  })
})
