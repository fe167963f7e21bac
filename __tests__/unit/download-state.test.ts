/**
 * The download's reducer (state.ts) and the reading of go's output (outcome.ts), with go's real texts
 * (the go 1.26.8 fixtures of scripts/go-error-texts.ts) and plain values: no process, no file system.
 */
import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import { classifyText } from '../../src/download/classify.js'
import { batchOutcome, checkOutcome, dedupe, locate } from '../../src/download/outcome.js'
import {
  initialState,
  moduleCount,
  pendingModules,
  readyForCheck,
  reduce,
  type AttemptOutcome,
  type DownloadState
} from '../../src/download/state.js'
import { consumesRetry, finalFailure, retryWait } from '../../src/download/policy.js'
import { offlineDecision } from '../../src/download/run.js'

const TEXTS = (
  JSON.parse(fs.readFileSync(new URL('../fixtures/go-error-texts.json', import.meta.url), 'utf8')) as {
    texts: Array<{ id: string; text: string }>
  }
).texts
const text = (id: string): string => TEXTS.find((t) => t.id === id)!.text

const A = { path: 'example.com/pub/m001', version: 'v1.0.0' }
const B = { path: 'example.com/pub/m002', version: 'v1.0.0' }
const C = { path: 'example.com/pub/m003', version: 'v1.0.0' }
const key = (m: { path: string; version: string }): string => `${m.path}@${m.version}`
const ROOT = '/w/app'
const timeouts = { attemptTimeoutMs: 30_000, timeoutMs: 600_000 }

const outcome = (o: Partial<AttemptOutcome>): AttemptOutcome => ({
  diagnoses: [],
  finished: [],
  checkedRoots: [],
  listed: [],
  discovered: [],
  unneeded: [],
  ...o
})
const start = (cached: string[] = []): DownloadState =>
  initialState(
    [
      { dir: ROOT, modules: [A, B, C] },
      { dir: '/w/other', modules: [B] }
    ],
    (m) => cached.includes(key(m))
  )
const ctx = { proxies: 2, privatePatterns: ['github.com/acme'] }
/** `proxy-502` of the fixtures, re-pointed at another module. */
const badGateway = (m: { path: string; version: string }) =>
  classifyText(text('proxy-502').replaceAll(A.path, m.path))

describe('the download reducer', () => {
  it('assigns each module to the first root that lists it and remembers what the cache held', () => {
    const s = start([key(C)])
    expect(pendingModules(s).map((w) => [w.root, key(w.module)])).toEqual([
      [ROOT, key(A)],
      [ROOT, key(B)],
      [ROOT, key(C)]
    ])
    expect([...s.cachedBefore]).toEqual([key(C)])
  })

  it('is done after an attempt without diagnoses, counting listed modules once', () => {
    const r = reduce(
      start(),
      outcome({
        finished: [key(A), key(B), key(C)],
        checkedRoots: [ROOT],
        listed: [key(A), 'x.org/y@v1.0.0']
      }),
      ctx
    )
    expect(r.decision).toEqual({ kind: 'done' })
    expect(pendingModules(r.state)).toEqual([])
    expect(moduleCount(r.state)).toBe(4)
  })

  it('retries a transient failure, keeping what finished, and calls it progress', () => {
    const r = reduce(start(), outcome({ finished: [key(A), key(C)], diagnoses: [badGateway(B)] }), ctx)
    expect(r.decision).toMatchObject({ kind: 'retry', progressed: true, purge: [] })
    expect(pendingModules(r.state).map((w) => key(w.module))).toEqual([key(B)])
    expect(r.state.lastDiagnoses.map((d) => d.module)).toEqual([key(B)])
  })

  it('aborts on a permanent failure (the proxy has no such version)', () => {
    const r = reduce(start(), outcome({ diagnoses: [classifyText(text('proxy-404'))] }), ctx)
    expect(r.decision).toMatchObject({
      kind: 'abort',
      diagnosis: { errorClass: 'not-found', module: key(A) }
    })
  })

  it('reads a checksum mismatch of a module cached before the run as a damaged cache: purge once, then final', () => {
    const mismatch = classifyText(text('checksum-zip'))
    const first = reduce(start([key(A)]), outcome({ diagnoses: [mismatch] }), ctx)
    expect(first.decision).toMatchObject({ kind: 'retry', purge: [A] })
    expect(first.state.cacheCorrupt).toBe(true)
    expect([...first.state.purged]).toEqual([key(A)])
    const second = reduce(first.state, outcome({ diagnoses: [mismatch] }), ctx)
    expect(second.decision).toMatchObject({ kind: 'abort', diagnosis: { errorClass: 'checksum' } })
  })

  it('a damaged zip this run fetched (a bad answer from the proxy) is purged and fetched again; the cache is not called corrupt', () => {
    // as go's -json object for that module reports it (the module comes from the object's Path)
    const damaged = { ...classifyText(text('cache-zip-garbage')), module: key(A) }
    expect(damaged.errorClass).toBe('cache-corrupt')
    const fetched = reduce(start(), outcome({ diagnoses: [damaged] }), ctx)
    expect(fetched.decision).toMatchObject({ kind: 'retry', purge: [A] })
    expect(fetched.state.cacheCorrupt).toBe(false)
    // the same error for a zip the cache held before the run: a corrupt cache, never saved
    const held = reduce(start([key(A)]), outcome({ diagnoses: [damaged] }), ctx)
    expect(held.decision).toMatchObject({ kind: 'retry', purge: [A] })
    expect(held.state.cacheCorrupt).toBe(true)
  })

  it('a zip the restore left to go and go refused is the restore verification’s finding, not a corrupt cache', () => {
    const s = initialState([{ dir: ROOT, modules: [A, B, C] }], () => false, new Set([key(A)]))
    expect([...s.cachedBefore]).toEqual([key(A)])
    const mismatch = classifyText(text('checksum-zip'))
    const first = reduce(s, outcome({ diagnoses: [mismatch] }), ctx)
    expect(first.decision).toMatchObject({ kind: 'retry', purge: [A] })
    expect([...first.state.alteredRestored]).toEqual([key(A)])
    expect(first.state.cacheCorrupt).toBe(false)
    // Downloaded again and still mismatching: the real checksum failure.
    const second = reduce(first.state, outcome({ diagnoses: [mismatch] }), ctx)
    expect(second.decision).toMatchObject({ kind: 'abort', diagnosis: { errorClass: 'checksum' } })
  })

  it('forgets the passed checks when it purges, so every root is checked again', () => {
    const done = reduce(
      start([key(A)]),
      outcome({ finished: [key(A), key(B), key(C)], checkedRoots: [ROOT] }),
      ctx
    )
    const zip = classifyText(text('cache-zip-garbage'))
    const r = reduce(done.state, outcome({ diagnoses: [locate(zip, ROOT)] }), ctx)
    expect(r.decision).toMatchObject({ kind: 'retry', purge: [A] })
    expect(r.state.checked.size).toBe(0)
    expect(pendingModules(r.state).map((w) => key(w.module))).toEqual([key(A)])
  })

  it('switches to the fallback proxy after two attempts in a row with proxy trouble on public modules', () => {
    let s = start()
    const first = reduce(s, outcome({ diagnoses: [badGateway(A)] }), ctx)
    expect(first.decision).not.toHaveProperty('switchedProxy')
    s = first.state
    const second = reduce(s, outcome({ diagnoses: [badGateway(A)] }), ctx)
    expect(second.decision).toMatchObject({ kind: 'retry', switchedProxy: { from: 0, to: 1 } })
    expect(second.state.proxyIndex).toBe(1)
    // No third proxy to switch to.
    const third = reduce(
      reduce(second.state, outcome({ diagnoses: [badGateway(A)] }), ctx).state,
      outcome({ diagnoses: [badGateway(A)] }),
      ctx
    )
    expect(third.decision).not.toHaveProperty('switchedProxy')
    expect(third.state.proxyIndex).toBe(1)
  })

  it('does not blame the proxy for failures of private modules', () => {
    const priv = { path: 'github.com/acme/m1', version: 'v1.0.0' }
    const git = classifyText(text('git-502'))
    const s = initialState([{ dir: ROOT, modules: [priv] }], () => false)
    const twice = reduce(
      reduce(s, outcome({ diagnoses: [{ ...git, module: key(priv) }] }), ctx).state,
      outcome({ diagnoses: [{ ...git, module: key(priv) }] }),
      ctx
    )
    expect(twice.decision).not.toHaveProperty('switchedProxy')
  })

  it('adds modules a completeness check found missing to the explicit list', () => {
    const s = reduce(
      start(),
      outcome({
        finished: [key(A), key(B), key(C)],
        discovered: [{ root: ROOT, module: { path: 'x.org/new', version: 'v1.2.0' } }],
        diagnoses: [badGateway({ path: 'x.org/new', version: 'v1.2.0' })]
      }),
      ctx
    )
    expect(pendingModules(s.state).map((w) => key(w.module))).toEqual(['x.org/new@v1.2.0'])
  })

  it('goes on to the check only when every module is done and nothing failed', () => {
    const s = start()
    expect(readyForCheck(s, { diagnoses: [], finished: [key(A), key(B)], unneeded: [] })).toBe(false)
    expect(readyForCheck(s, { diagnoses: [], finished: [key(A), key(B), key(C)], unneeded: [] })).toBe(true)
    expect(
      readyForCheck(s, { diagnoses: [badGateway(A)], finished: [key(A), key(B), key(C)], unneeded: [] })
    ).toBe(false)
    // a module left to the check (not found, required by no go.mod) does not hold the check back
    expect(readyForCheck(s, { diagnoses: [], finished: [key(A), key(B)], unneeded: [key(C)] })).toBe(true)
  })

  it('a not-found module no go.mod requires leaves the explicit list; the check decides', () => {
    const s = initialState([{ dir: ROOT, modules: [A, B, C], required: [key(A), key(B)] }], () => false)
    expect([...s.required].sort()).toEqual([key(A), key(B)])
    const r = reduce(
      s,
      outcome({ finished: [key(A), key(B)], unneeded: [key(C)], checkedRoots: [ROOT] }),
      ctx
    )
    expect(r.decision).toEqual({ kind: 'done' })
    expect(pendingModules(r.state)).toEqual([])
    expect([...r.state.leftToCheck]).toEqual([key(C)])
    // without the roots' require lines every module counts as required
    expect([...initialState([{ dir: ROOT, modules: [A, C] }], () => false).required].sort()).toEqual(
      [key(A), key(C)].sort()
    )
  })
})

describe('reading one go process', () => {
  const json = (objs: object[]): string => objs.map((o) => JSON.stringify(o, null, '\t')).join('\n')

  it('finishes the modules go reported and fails the one with an Error', () => {
    const r = batchOutcome({
      modules: [A, B],
      dir: ROOT,
      run: {
        exitCode: 1,
        stdout: json([
          { Path: A.path, Version: A.version, Dir: '/m' },
          { Path: B.path, Version: B.version, Error: text('proxy-502').replaceAll(A.path, B.path) }
        ]),
        stderr: ''
      },
      isCached: () => false,
      timeouts
    })
    expect(r.finished).toEqual([key(A)])
    expect(r.diagnoses.map((d) => [d.module, d.errorClass])).toEqual([[key(B), 'proxy']])
  })

  it("makes a broken go.mod one diagnosis at go's line, not one per module of the batch", () => {
    const r = batchOutcome({
      modules: [A, B, C],
      dir: ROOT,
      run: { exitCode: 1, stdout: '', stderr: `${text('gomod-unknown-directive-explicit')}\n` },
      isCached: () => false,
      timeouts
    })
    expect(r.finished).toEqual([])
    expect(r.diagnoses).toHaveLength(1)
    expect(r.diagnoses[0]).toMatchObject({ errorClass: 'config', file: '/w/app/go.mod', line: 4 })
    expect(r.diagnoses[0]?.module).toBeUndefined()
    expect(r.diagnoses[0]?.cause).toContain('go.mod:4: unknown directive: foo')
  })

  it('gives a checksum mismatch (no JSON: a base.Fatalf) to the module go named, and finishes the cached rest', () => {
    const r = batchOutcome({
      modules: [A, B],
      dir: ROOT,
      run: { exitCode: 1, stdout: '', stderr: text('checksum-zip') },
      isCached: (m) => key(m) === key(B),
      timeouts
    })
    expect(r.finished).toEqual([key(B)])
    expect(r.diagnoses.map((d) => [d.module, d.errorClass])).toEqual([[key(A), 'checksum']])
  })

  it('fails each unfinished module with the watchdog reason when the process was stopped', () => {
    const r = batchOutcome({
      modules: [A, B],
      dir: ROOT,
      run: {
        exitCode: 1,
        stdout: json([{ Path: A.path, Version: A.version, Dir: '/m' }]),
        stderr: '',
        stopped: 'stalled'
      },
      isCached: () => false,
      timeouts
    })
    expect(r.diagnoses.map((d) => [d.module, d.errorClass, d.retryable])).toEqual([[key(B), 'timeout', true]])
  })

  it('names the module of a damaged cache file from its cache path', () => {
    expect(locate(classifyText(text('cache-zip-garbage')), ROOT).module).toBe(key(A))
  })

  it('keeps one diagnosis per module and per distinct module-less failure', () => {
    const mod = classifyText(text('gomod-bad-require'))
    expect(dedupe([mod, { ...mod }, badGateway(A), badGateway(A)])).toHaveLength(2)
  })

  it('passes a check without errors and hands what a check with a go.sum found missing to the explicit path', () => {
    const ok = checkOutcome({
      root: { dir: ROOT, sumFiles: [] },
      run: { exitCode: 0, stdout: json([{ Path: A.path, Version: A.version }]), stderr: '' },
      timeouts
    })
    expect(ok).toMatchObject({ passed: true, listed: [key(A)], diagnoses: [] })
    const missing = checkOutcome({
      root: { dir: ROOT, sumFiles: ['/w/app/go.sum'] },
      run: {
        exitCode: 1,
        stdout: json([
          { Path: B.path, Version: B.version, Error: text('proxy-404').replaceAll(A.path, B.path) }
        ]),
        stderr: ''
      },
      timeouts
    })
    expect(missing.passed).toBe(false)
    expect(missing.discovered).toEqual([{ root: ROOT, module: B }])
  })
})

describe('between attempts', () => {
  const transient = badGateway(A)
  const limited = classifyText(text('proxy-429'))

  it('pauses briefly after an attempt that made progress, instead of backing off', () => {
    expect(
      retryWait({
        deciding: transient,
        progressed: true,
        retryDelayMs: 0,
        retriesLeft: 3,
        backoffMs: 1000,
        retryAfterMs: undefined,
        remainingMs: 60_000,
        random: 0
      })
    ).toEqual({ kind: 'pause', ms: 250 })
    expect(consumesRetry(transient, true)).toBe(false)
    expect(consumesRetry(transient, false)).toBe(true)
  })

  it('always backs off after a 429, longer than the exponential delay', () => {
    expect(consumesRetry(limited, true)).toBe(true)
    const w = retryWait({
      deciding: limited,
      progressed: true,
      retryDelayMs: 1000,
      retriesLeft: 3,
      backoffMs: 1000,
      retryAfterMs: undefined,
      remainingMs: 60_000
    })
    expect(w).toEqual({ kind: 'backoff', extraMs: 3000 })
  })

  it('waits for nothing after the last attempt', () => {
    expect(
      retryWait({
        deciding: transient,
        progressed: false,
        retryDelayMs: 500,
        retriesLeft: 0,
        backoffMs: 1000,
        retryAfterMs: undefined,
        remainingMs: 60_000
      })
    ).toEqual({ kind: 'none' })
  })

  it('says why retrying stopped: the budget, or the number of attempts; a permanent failure as it is', () => {
    const p = { budgetSpent: false, attempts: 5, retriesSpent: true, timeoutMs: 600_000 }
    expect(finalFailure(transient, p).cause).toMatch(/Still failing after 5 attempt\(s\) \('retries'\)\.$/)
    expect(finalFailure(transient, { ...p, budgetSpent: true }).cause).toMatch(
      /'retry-timeout' budget of 600s ran out\.$/
    )
    const notFound = classifyText(text('proxy-404'))
    expect(finalFailure(notFound, p)).toEqual(notFound)
  })
})

describe('offline-after-download', () => {
  const on = { offlineAfterDownload: true }
  it('exports GOPROXY=off after a download (or a consistent vendor/), never after download: false', () => {
    expect(offlineDecision(on, { ok: true })).toBe('export')
    expect(offlineDecision(on, { ok: true, skipped: 'vendored' })).toBe('export')
    expect(offlineDecision(on, { ok: true, skipped: 'disabled' })).toBe('no-download')
    expect(offlineDecision(on, { ok: false })).toBe('none')
    expect(offlineDecision({ offlineAfterDownload: false }, { ok: true })).toBe('none')
  })
})
