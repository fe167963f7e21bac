/**
 * The module generator and the module proxy, checked with the real client: go 1.19 downloads generated
 * modules through the bench proxy, verifies them against the generated go.sum and builds the consumer;
 * faults injected on the proxy are what go observes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { seededRandom } from '../../testbed/faults.ts'
import { isolatedGoEnv, removeTree, runGo } from '../../testbed/isolated-go.ts'
import {
  bumpModule,
  generateModules,
  writeConsumerProject,
  type ModuleSet
} from '../../testbed/module-gen.ts'
import { liveProcessGroups } from '../../testbed/proc.ts'
import { artefactPath, artefactPattern, startModuleProxy, type ModuleProxy } from '../../testbed/proxy.ts'

let root: string
let set: ModuleSet
let proxy: ModuleProxy

/** A fresh consumer project and module cache, against the shared proxy. */
function freshProject(name: string, extra: Record<string, string> = {}) {
  const dir = path.join(root, name)
  const project = writeConsumerProject(path.join(dir, 'app'), {
    requires: set.latest(),
    modulePath: 'example.com/app'
  })
  const go = isolatedGoEnv({ root: dir, goproxy: proxy.goproxy, extra })
  return { dir, project, go, cwd: project.dir }
}

function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(false)
    })
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'))
  })
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-proxy-test-'))
  // Upper case in the prefix exercises Go's case-escaping (example.com/!acme/...); m001 imports m003 and
  // m002, m002 imports m004, so the graph has indirect requirements.
  set = generateModules({
    dir: path.join(root, 'mods'),
    count: 5,
    prefix: 'example.com/Acme',
    deps: [[2, 1], [3], [], [], []],
    sizeBytes: 8192
  })
  proxy = await startModuleProxy({ modules: set })
})

afterAll(async () => {
  await proxy?.close()
  if (root) removeTree(root)
})

describe('real go against the bench proxy', () => {
  test('go mod download, go mod verify and go build accept the generated modules and go.sum', async () => {
    const { go, cwd, project } = freshProject('download')
    const dl = await runGo(['mod', 'download'], { cwd, env: go.env })
    expect(dl.stderr).toBe('')
    expect(dl.exitCode).toBe(0)
    // go.sum was complete and right: go neither changed nor extended it.
    expect(fs.readFileSync(path.join(cwd, 'go.sum'), 'utf8')).toBe(project.goSum)
    const verify = await runGo(['mod', 'verify'], { cwd, env: go.env })
    expect(verify.stdout).toContain('all modules verified')
    expect(verify.exitCode).toBe(0)
    const build = await runGo(['build', '-o', 'app', '.'], { cwd, env: go.env })
    expect(build.stderr).toBe('')
    expect(build.exitCode).toBe(0)
    const zips = proxy.zipDownloads().filter((z) => z.startsWith('example.com/Acme/'))
    expect([...new Set(zips)].sort()).toEqual(set.latest().map((m) => `${m.path}@${m.version}`))
    // The client used the escaped path (and percent-encoded its `!`).
    expect(proxy.faults.requests('GET /example.com/%21acme/m001/@v/v1.0.0.zip').length).toBeGreaterThan(0)
    expect(
      proxy.faults.requests(artefactPattern('example.com/Acme/m001', 'zip', 'v1.0.0')).length
    ).toBeGreaterThan(0)
    expect(fs.existsSync(path.join(go.gomodcache, 'example.com', '!acme', 'm005@v1.0.0', 'data.go'))).toBe(
      true
    )
  })

  test('after bumping one module, a second download against the same cache fetches only that module', async () => {
    const local = generateModules({
      dir: path.join(root, 'bump-mods'),
      count: 5,
      prefix: 'example.com/bump',
      deps: [[2], [], [], [], []]
    })
    const bumpProxy = await startModuleProxy({ modules: local })
    try {
      const dir = path.join(root, 'bump')
      const go = isolatedGoEnv({ root: dir, goproxy: bumpProxy.goproxy })
      const app = path.join(dir, 'app')
      writeConsumerProject(app, { requires: local.latest() })
      const first = await runGo(['mod', 'download'], { cwd: app, env: go.env })
      expect(first.exitCode).toBe(0)
      expect(bumpProxy.zipDownloads()).toHaveLength(5)

      const bumped = bumpModule(local, 'example.com/bump/m003')
      expect(bumped.version).toBe('v1.0.1')
      writeConsumerProject(app, { requires: local.latest() })
      bumpProxy.faults.clearLog()
      const second = await runGo(['mod', 'download'], { cwd: app, env: go.env })
      expect(second.stderr).toBe('')
      expect(second.exitCode).toBe(0)
      expect(bumpProxy.zipDownloads()).toEqual(['example.com/bump/m003@v1.0.1'])
      const asked = bumpProxy.artefactRequests().map((r) => `${r.module}@${r.version ?? ''}`)
      expect(asked.length).toBeGreaterThan(0)
      expect(new Set(asked)).toEqual(new Set(['example.com/bump/m003@v1.0.1']))
      // The consumer still reaches m003 v1.0.0 through m001 (go.mod only), and MVS selects v1.0.1.
      const verify = await runGo(['mod', 'verify'], { cwd: app, env: go.env })
      expect(verify.exitCode).toBe(0)
    } finally {
      await bumpProxy.close()
    }
  })

  test('unknown versions get a proxy.golang.org-style 404 that go reports; removed ones 410', async () => {
    const { go, cwd } = freshProject('notfound')
    const r = await runGo(['mod', 'download', 'example.com/Acme/m001@v9.9.9'], { cwd, env: go.env })
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toContain('404 Not Found')
    expect(r.stderr).toContain(
      'not found: example.com/Acme/m001@v9.9.9: invalid version: unknown revision v9.9.9'
    )
    proxy.remove('example.com/Acme/m002', 'v1.0.0')
    try {
      const gone = await runGo(['mod', 'download', 'example.com/Acme/m002@v1.0.0'], { cwd, env: go.env })
      expect(gone.exitCode).not.toBe(0)
      expect(gone.stderr).toContain('410 Gone')
    } finally {
      proxy.add(set.get('example.com/Acme/m002@v1.0.0'))
    }
    const res = await fetch(`${proxy.url}${artefactPath('example.com/Acme/m002', 'list')}`)
    expect(await res.text()).toBe('v1.0.0\n')
    const latest = await fetch(`${proxy.url}/example.com/!acme/m002/@latest`)
    expect(await latest.json()).toEqual({ Version: 'v1.0.0', Time: set.get('example.com/Acme/m002').time })
    // An unescaped upper-case letter is not a valid escaped path.
    expect((await fetch(`${proxy.url}/example.com/Acme/m002/@v/list`)).status).toBe(400)
  })
})

describe('faults as the real client sees them', () => {
  test('the first .zip request of a module answering 502 makes go fail with the 502', async () => {
    const { go, cwd } = freshProject('status')
    const remove = proxy.faults.add({
      path: artefactPattern('example.com/Acme/m004', 'zip', 'v1.0.0'),
      firstN: 1,
      fault: { kind: 'status', status: 502, body: 'upstream exploded\n' }
    })
    try {
      const r = await runGo(['mod', 'download'], { cwd, env: go.env })
      expect(r.exitCode).not.toBe(0)
      expect(r.stderr).toContain('502 Bad Gateway')
      expect(r.stderr).toContain('example.com/Acme/m004@v1.0.0')
      // firstN: 1 is spent, so the next attempt succeeds.
      const again = await runGo(['mod', 'download'], { cwd, env: go.env })
      expect(again.exitCode).toBe(0)
    } finally {
      remove()
    }
  })

  test('a seeded fraction fails the same requests on every run', async () => {
    const seed = 7
    const fraction = 0.5
    const draws = (() => {
      const rnd = seededRandom(seed)
      return Array.from({ length: 20 }, () => rnd() < fraction)
    })()
    const outcomes: string[][] = []
    for (const run of ['fraction-a', 'fraction-b']) {
      // GOMAXPROCS=1: go fetches one module at a time, in a fixed order.
      const { go, cwd } = freshProject(run, { GOMAXPROCS: '1' })
      proxy.faults.clearLog()
      const remove = proxy.faults.add({
        path: /\.zip$/,
        fraction,
        seed,
        fault: { kind: 'status', status: 503 }
      })
      try {
        const r = await runGo(['mod', 'download'], { cwd, env: go.env })
        const zips = proxy.faults.requests(/\.zip$/)
        expect(zips).toHaveLength(5)
        // The i-th matching request fails exactly when the seeded sequence says so.
        zips.forEach((z, i) => expect(z.outcome).toBe(draws[i] ? 'status' : 'ok'))
        expect(r.exitCode === 0).toBe(!draws.slice(0, 5).some(Boolean))
        outcomes.push(zips.map((z) => `${z.path} ${z.outcome}`))
      } finally {
        remove()
      }
    }
    expect(draws.slice(0, 5)).toContain(true) // the seed does fail something
    expect(outcomes[1]).toEqual(outcomes[0])
  })

  test('a connection reset mid-body makes go fail', async () => {
    const { go, cwd } = freshProject('reset')
    const remove = proxy.faults.add({ path: /m002\/@v\/v1\.0\.0\.zip$/, fault: { kind: 'reset' } })
    try {
      const r = await runGo(['mod', 'download'], { cwd, env: go.env })
      expect(r.exitCode).not.toBe(0)
      expect(r.stderr).toContain('example.com/Acme/m002@v1.0.0')
      expect(r.stderr).toMatch(/unexpected EOF|connection reset|EOF/)
    } finally {
      remove()
    }
  })

  test('a stalled .zip hangs go until the test kills it (process group gone afterwards)', async () => {
    const { go, cwd } = freshProject('stall')
    proxy.faults.clearLog()
    const remove = proxy.faults.add({ path: /m005\/@v\/v1\.0\.0\.zip$/, fault: { kind: 'stall' } })
    try {
      const r = await runGo(['mod', 'download'], { cwd, env: go.env, timeoutMs: 2500 })
      expect(r.timedOut).toBe(true)
      expect(r.signal).toBe('SIGKILL')
      expect(proxy.faults.requests(/m005\/@v\/v1\.0\.0\.zip$/).map((x) => x.outcome)).toEqual(['stall'])
      expect(liveProcessGroups()).toEqual([])
    } finally {
      remove()
      proxy.faults.releaseStalled()
    }
  })
})

describe('no leaks', () => {
  test('a closed proxy frees its port, even with a stalled request open', async () => {
    const p = await startModuleProxy({ modules: set })
    p.faults.add({ fault: { kind: 'stall' } })
    const pending = fetch(`${p.url}/example.com/!acme/m001/@v/list`).catch((e: unknown) => e)
    await new Promise((r) => setTimeout(r, 100))
    expect(await connectRefused(p.port)).toBe(false)
    await p.close()
    expect(String(await pending)).toMatch(/fetch failed/)
    expect(await connectRefused(p.port)).toBe(true)
    expect(liveProcessGroups()).toEqual([])
  })
})
