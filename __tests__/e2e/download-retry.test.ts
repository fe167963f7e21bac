/**
 * downloadModules on the bench: transient proxy failures are retried per module, permanent ones fail at
 * once with the right class. In-process (the bundle is not needed); the machine's go (/usr/local/go, 1.26).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import semver from 'semver'
import { artefactPattern } from '../../testbed/index.ts'
import { goToSemver } from '../../src/go/version.js'
import { startGo } from '../../src/download/process.js'
import { PROXY_REQUEST_TRIES } from '../../src/go/proxylist.js'
import { startBench, type Bench } from '../helpers/download-bench.ts'

let bench: Bench | undefined
afterEach(async () => {
  await bench?.close()
  bench = undefined
})

describe('the go these tests drive', () => {
  it("is Go 1.26 or newer, started the way the download starts it (the modern texts the classifier's fixtures hold)", async () => {
    bench = await startBench({ count: 1 })
    const run = await startGo(['env', 'GOVERSION'], {
      cwd: bench.workspace,
      env: bench.env,
      onStderrLine: () => {}
    }).done
    expect(run.exitCode).toBe(0)
    const version = goToSemver(run.stdout.trim())
    expect(version && semver.gte(version, '1.26.0')).toBe(true)
  })
})

describe('downloadModules against a flaky module proxy', () => {
  // Each request is tried PROXY_REQUEST_TRIES times by go itself (go/proxylist.ts): an attempt fails a
  // module only when all of them failed.
  const T = PROXY_REQUEST_TRIES

  it('retries a failed request at once inside the same go process: a 502 and a reset cost no attempt', async () => {
    bench = await startBench({ count: 4 })
    const flaky = bench.set.latest()[1]!
    for (const kind of ['info', 'zip'] as const)
      bench.proxy.faults.add({
        path: artefactPattern(flaky.path, kind, flaky.version),
        firstN: T - 1,
        fault: kind === 'zip' ? { kind: 'reset' } : { kind: 'status', status: 502 }
      })
    const result = await bench.download({ parallel: 1 })
    expect(result.ok).toBe(true)
    expect(result.attempts).toHaveLength(1)
    const asked = (kind: 'info' | 'zip') =>
      bench!.proxy.faults.requests(artefactPattern(flaky.path, kind, flaky.version))
    expect(asked('info')).toHaveLength(T)
    expect(asked('zip')).toHaveLength(T)
    // The second spelling of the proxy URL sends the very same request.
    expect(new Set(asked('info').map((r) => r.path)).size).toBe(1)
    expect(new Set(asked('zip').map((r) => r.path)).size).toBe(1)
    expect(result.modules).toBe(4)
  })

  it('succeeds when every try of a module fails in 3 attempts, re-requesting only that module', async () => {
    bench = await startBench({ count: 6 })
    const flaky = bench.set.latest()[2]!
    bench.proxy.faults.add({
      path: artefactPattern(flaky.path, 'info', flaky.version),
      firstN: 3 * T,
      fault: { kind: 'status', status: 502 }
    })
    const goSumBefore = fs.readFileSync(path.join(bench.workspace, 'go.sum'), 'utf8')

    const result = await bench.download({ parallel: 2 })

    expect(result.ok).toBe(true)
    expect(result.attempts.length).toBe(4)
    expect(result.attempts.slice(0, 3).map((a) => a.errorClass)).toEqual(['proxy', 'proxy', 'proxy'])
    // The first attempt asked for all 6, each retry only for the one that failed.
    expect(result.attempts.map((a) => a.requested)).toEqual([6, 1, 1, 1])
    const failed = bench.proxy.artefactRequests({ outcome: 'status' })
    expect(failed.map((r) => `${r.module}@${r.version}`)).toEqual(
      Array(3 * T).fill(`${flaky.path}@${flaky.version}`)
    )
    // Every zip was fetched exactly once: nothing that succeeded was asked for again.
    expect(bench.proxy.zipDownloads().sort()).toEqual(
      bench.set
        .latest()
        .map((m) => `${m.path}@${m.version}`)
        .sort()
    )
    expect(result.modules).toBe(6)
    // The action leaves the user's go.sum as it was.
    expect(fs.readFileSync(path.join(bench.workspace, 'go.sum'), 'utf8')).toBe(goSumBefore)
  })

  it('fails after exactly `retries` attempts with class proxy and a hint when the proxy always fails', async () => {
    bench = await startBench({ count: 3 })
    bench.proxy.faults.add({ path: /@v\//, fault: { kind: 'status', status: 503 } })
    const result = await bench.download({ retries: 3 })
    expect(result.ok).toBe(false)
    expect(result.attempts).toHaveLength(3)
    expect(result.failure?.errorClass).toBe('proxy')
    expect(result.failure?.retryable).toBe(true)
    expect(result.failure?.hint).toContain("'fallback-proxies'")
    expect(result.failure?.cause).toContain('3 attempt(s)')
    expect(result.moduleFailures.length).toBe(3)
  })

  it('does not count attempts that finished some modules against `retries`', async () => {
    bench = await startBench({ count: 6 })
    // Three modules that fail in 1, 2 and 3 attempts: every attempt finishes one more of them, so none of
    // the three failed attempts is without progress; `retries: 2` would otherwise give up after attempt 2.
    bench.set
      .latest()
      .slice(0, 3)
      .forEach((m, i) =>
        bench!.proxy.faults.add({
          path: artefactPattern(m.path, 'info', m.version),
          firstN: (i + 1) * T,
          fault: { kind: 'status', status: 502 }
        })
      )
    const result = await bench.download({ retries: 2, parallel: 3 })
    // On a failure, say which attempt gave up and why (one full-suite run of many saw ok: false here).
    expect({
      ok: result.ok,
      failure: result.failure?.cause,
      attempts: result.attempts.map((x) => [x.requested, x.failed, x.errorClass, x.durationMs])
    }).toMatchObject({ ok: true })
    expect(result.attempts.map((x) => x.requested)).toEqual([6, 3, 2, 1])
    expect(result.attempts.map((x) => x.failed)).toEqual([3, 2, 1, 0])
  })

  // p-retry's own count would end the run here: it stops once its count is spent, whatever the attempt did.
  it('retries an attempt that finished modules even when the counted attempts are spent', async () => {
    bench = await startBench({ count: 4 })
    const all = bench.set.latest()
    // retries: 1, attempt 1 finishes 3 of 4 modules.
    bench.proxy.faults.add({
      path: artefactPattern(all[1]!.path, 'info', all[1]!.version),
      firstN: T,
      fault: { kind: 'status', status: 502 }
    })
    const one = await bench.download({ retries: 1 })
    expect({ ok: one.ok, failure: one.failure?.cause }).toEqual({ ok: true, failure: undefined })
    expect(one.attempts.map((x) => [x.requested, x.failed])).toEqual([
      [4, 1],
      [1, 0]
    ])
    await bench.close()
    // retries: 2, attempt 1 finishes nothing (counted), attempt 2 finishes 3 of 4 (not counted).
    bench = await startBench({ count: 4 })
    bench.set.latest().forEach((m, i) =>
      bench!.proxy.faults.add({
        path: artefactPattern(m.path, 'info', m.version),
        firstN: i === 1 ? 2 * T : T,
        fault: { kind: 'status', status: 502 }
      })
    )
    const two = await bench.download({ retries: 2 })
    expect({ ok: two.ok, failure: two.failure?.cause }).toEqual({ ok: true, failure: undefined })
    expect(two.attempts.map((x) => [x.requested, x.failed])).toEqual([
      [4, 4],
      [4, 1],
      [1, 0]
    ])
  })

  it('still gives up after `retries` attempts in a row that finish nothing', async () => {
    bench = await startBench({ count: 4 })
    const stuck = bench.set.latest()[1]!
    bench.proxy.faults.add({
      path: artefactPattern(stuck.path, 'info', stuck.version),
      fault: { kind: 'status', status: 502 }
    })
    const result = await bench.download({ retries: 3 })
    expect(result.ok).toBe(false)
    // Attempt 1 finished the other three modules (free); then 3 attempts finished nothing.
    expect(result.attempts.map((x) => x.requested)).toEqual([4, 1, 1, 1])
    expect(result.failure?.errorClass).toBe('proxy')
  })
})
