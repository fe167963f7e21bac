/**
 * The slow and flaky upstream cases: seeded faults, 429, a stalled server (watchdog and total budget),
 * proxy fallback, and a go.work workspace.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import {
  artefactPattern,
  startModuleProxy,
  writeConsumerProject,
  type ModuleProxy
} from '../../testbed/index.ts'
import { startBench, type Bench } from '../helpers/download-bench.ts'
import { PROXY_REQUEST_TRIES } from '../../src/go/proxylist.js'

let bench: Bench | undefined
let extra: ModuleProxy | undefined
afterEach(async () => {
  await extra?.close()
  await bench?.close()
  bench = extra = undefined
})

/** go processes still running in `dir` (the watchdog must leave none behind). */
function goProcessesIn(dir: string): number[] {
  const pids: number[] = []
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    try {
      const cwd = fs.readlinkSync(`/proc/${e}/cwd`)
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8')
      if (cwd.startsWith(dir) && !/\) Z /.test(stat)) pids.push(Number(e))
    } catch {
      // gone or not ours
    }
  }
  return pids
}

describe('downloadModules on a slow or flaky upstream', () => {
  it('succeeds with 30% of proxy requests failing (502 or a reset mid-body), seeded', async () => {
    bench = await startBench({ count: 12 })
    bench.proxy.faults.add({
      path: /@v\/.*\.(info|mod)$/,
      fraction: 0.3,
      seed: 7,
      fault: { kind: 'status', status: 502 }
    })
    bench.proxy.faults.add({ path: /@v\/.*\.zip$/, fraction: 0.3, seed: 11, fault: { kind: 'reset' } })
    const result = await bench.download({ retries: 10 })
    expect(result.ok).toBe(true)
    expect(result.attempts.length).toBeGreaterThan(1)
    const faulted = bench.proxy.faults.log.filter((r) => r.outcome !== 'ok')
    expect(faulted.length).toBeGreaterThan(0)
    expect(new Set(result.attempts.slice(0, -1).map((a) => a.errorClass))).not.toContain(undefined)
  })

  it('waits longer after 429 Too Many Requests and then succeeds', async () => {
    bench = await startBench({ count: 2 })
    const m = bench.set.latest()[0]!
    bench.proxy.faults.add({
      path: artefactPattern(m.path, 'info', m.version),
      // Every try go makes in the attempt (go/proxylist.ts): an attempt fails only when all of them did.
      firstN: PROXY_REQUEST_TRIES,
      fault: { kind: 'status', status: 429 }
    })
    const t0 = Date.now()
    const result = await bench.download({ backoffMs: 200 })
    expect(result.ok).toBe(true)
    expect(result.attempts.map((a) => a.errorClass)).toEqual(['proxy', undefined])
    const gap =
      result.attempts[1]!.number &&
      Date.now() - t0 - result.attempts[0]!.durationMs - result.attempts[1]!.durationMs
    // p-retry's first delay is 200-400 ms with jitter; a 429 makes it four times that (>= 800 ms).
    expect(gap).toBeGreaterThanOrEqual(780)
  })

  it('stops a stalled attempt with the watchdog, leaves no go process behind, and the retry succeeds', async () => {
    bench = await startBench({ count: 3 })
    const m = bench.set.latest()[1]!
    bench.proxy.faults.add({
      path: artefactPattern(m.path, 'zip', m.version),
      firstN: 1,
      fault: { kind: 'stall' }
    })
    const result = await bench.download({ attemptTimeoutMs: 1500 })
    expect(result.ok).toBe(true)
    expect(result.attempts[0]?.errorClass).toBe('timeout')
    expect(result.attempts).toHaveLength(2)
    expect(goProcessesIn(bench.root)).toEqual([])
  })

  it('ends within retry-timeout when the server stalls forever, with class timeout', async () => {
    bench = await startBench({ count: 2 })
    bench.proxy.faults.add({ path: /\.zip$/, fault: { kind: 'stall' } })
    const t0 = Date.now()
    const result = await bench.download({ attemptTimeoutMs: 1000, timeoutMs: 3500, retries: 20 })
    const took = Date.now() - t0
    expect(result.ok).toBe(false)
    expect(result.failure?.errorClass).toBe('timeout')
    expect(took).toBeLessThan(3500 + 1500)
    expect(goProcessesIn(bench.root)).toEqual([])
  })

  it('a batch queued behind stalled ones never starts once the watchdog fired: the budget still ends the download', async () => {
    // Two module roots, one go process at a time: the second root's batch waits in the queue.
    bench = await startBench({ count: 4, project: false })
    const mods = bench.set.latest()
    for (const [i, name] of ['a', 'b'].entries())
      writeConsumerProject(path.join(bench.workspace, name), {
        modulePath: `example.com/roots/${name}`,
        requires: [mods[2 * i]!, mods[2 * i + 1]!]
      })
    bench.proxy.faults.add({ path: /\.zip$/, fault: { kind: 'stall' } })
    const t0 = Date.now()
    const result = await bench.download({
      modules: ['a', 'b'],
      parallel: 1,
      attemptTimeoutMs: 1000,
      timeoutMs: 4000,
      retries: 20
    })
    const took = Date.now() - t0
    expect(result.ok).toBe(false)
    expect(result.failure?.errorClass).toBe('timeout')
    expect(result.attempts.length).toBeGreaterThan(1)
    expect(took).toBeLessThan(4000 + 2000)
    expect(goProcessesIn(bench.root)).toEqual([])
  }, 30_000)

  it('when retry-timeout runs out between attempts, the failure is what failed (a 502), not the budget', async () => {
    bench = await startBench({ count: 2 })
    bench.proxy.faults.add({ path: /@v\//, fault: { kind: 'status', status: 502 } })
    const result = await bench.download({ timeoutMs: 3000, backoffMs: 1000, retries: 20 })
    expect(result.ok).toBe(false)
    expect(result.failure?.errorClass).toBe('proxy')
    expect(result.failure?.cause).toContain('502 Bad Gateway')
    expect(result.failure?.cause).toContain("The 'retry-timeout' budget of 3s ran out.")
    expect(result.attempts.every((a) => a.errorClass === 'proxy')).toBe(true)
  })

  it('switches to the fallback proxy after two failing attempts and succeeds there', async () => {
    bench = await startBench({ count: 3 })
    bench.proxy.faults.add({ path: /@v\//, fault: { kind: 'status', status: 502 } })
    extra = await startModuleProxy({ modules: bench.set })
    const result = await bench.download({ fallbackProxies: [extra.goproxy] })
    expect(result.ok).toBe(true)
    expect(result.attempts.map((a) => a.proxy)).toEqual([
      bench.proxy.goproxy,
      bench.proxy.goproxy,
      extra.goproxy
    ])
    expect(result.proxy).toBe(extra.goproxy)
    expect(extra.zipDownloads()).toHaveLength(3)
  })

  it("uses the fallback proxy even with 'retries: 2': the attempt that makes the switch does not count", async () => {
    bench = await startBench({ count: 2 })
    bench.proxy.faults.add({ path: /@v\//, fault: { kind: 'status', status: 502 } })
    extra = await startModuleProxy({ modules: bench.set })
    const result = await bench.download({ fallbackProxies: [extra.goproxy], retries: 2 })
    expect(result.ok).toBe(true)
    expect(result.attempts.map((a) => a.proxy)).toEqual([
      bench.proxy.goproxy,
      bench.proxy.goproxy,
      extra.goproxy
    ])
    expect(extra.zipDownloads()).toHaveLength(2)
  })

  it('never sends a private module to the fallback proxy (GOPRIVATE sends it direct)', async () => {
    bench = await startBench({ count: 3 })
    bench.proxy.faults.add({ path: /@v\//, fault: { kind: 'status', status: 502 } })
    extra = await startModuleProxy({ modules: bench.set })
    const priv = bench.set.latest()[0]!
    const result = await bench.download(
      { fallbackProxies: [extra.goproxy], retries: 3 },
      { env: { GOPRIVATE: priv.path, GONOSUMDB: priv.path }, privatePatterns: [priv.path] }
    )
    // The private module goes direct, which this bench refuses (no origin server), so the download fails...
    expect(result.ok).toBe(false)
    // ...but the public ones came from the fallback, and the private one was never asked of any proxy.
    expect(result.attempts.some((a) => a.proxy === extra!.goproxy)).toBe(true)
    expect(extra.artefactRequests().filter((r) => r.module === priv.path)).toEqual([])
    expect(bench.proxy.artefactRequests().filter((r) => r.module === priv.path)).toEqual([])
  })

  it('downloads a go.work workspace of three modules when one of its modules fails transiently', async () => {
    bench = await startBench({ count: 6, project: false })
    const mods = bench.set.latest()
    const members = ['a', 'b', 'c']
    members.forEach((name, i) =>
      writeConsumerProject(path.join(bench!.workspace, name), {
        modulePath: `example.com/ws/${name}`,
        requires: [mods[2 * i]!, mods[2 * i + 1]!]
      })
    )
    fs.writeFileSync(path.join(bench.workspace, 'go.work'), 'go 1.19\n\nuse (\n\t./a\n\t./b\n\t./c\n)\n')
    const flaky = mods[3]!
    bench.proxy.faults.add({
      path: artefactPattern(flaky.path, 'zip', flaky.version),
      firstN: 2 * PROXY_REQUEST_TRIES,
      fault: { kind: 'status', status: 503 }
    })
    const result = await bench.download({}, { env: { GOWORK: path.join(bench.workspace, 'go.work') } })
    expect(result.ok).toBe(true)
    expect(result.modules).toBe(6)
    expect(result.attempts.map((a) => a.requested)).toEqual([6, 1, 1])
    expect(result.attempts[0]?.roots).toEqual(['.'])
    expect(bench.proxy.zipDownloads().sort()).toEqual(mods.map((m) => `${m.path}@${m.version}`).sort())
  })
})
