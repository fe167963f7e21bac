/**
 * Effects: download every module with classified, per-module retry.
 *
 * Each attempt:
 *   1. the modules not yet downloaded, as explicit `path@version` arguments read from go.sum, split
 *      round-robin over `parallel` concurrent `go mod download -x -json` processes sharing one GOMODCACHE
 *      (go locks the cache per module, so this is safe; DESIGN.md section 8: K=8 took 2.0 s where plain
 *      go took 9.2 s at 40 ms latency);
 *   2. once nothing is missing, a plain `go mod download -json` per root (go.work: once at its root) as the
 *      completeness check. It normally needs no network; it is also the whole download when there is no
 *      go.sum or go prints no JSON (golang/go#35380, #69510), and then it is retried whole.
 * Between attempts (p-retry): exponential backoff with jitter from `retry-backoff`, capped at 1m, longer
 * after a 429, never past `retry-timeout`; an attempt that finished some modules costs no retry and is
 * followed only by a short pause (shouldConsumeRetry below). Permanent classes abort at once. A watchdog stops an attempt
 * in which nothing progressed for `attempt-timeout`. Two consecutive proxy/network failures switch GOPROXY
 * (for the child processes only) to the next `fallback-proxies` entry; private modules are unaffected
 * because GOPRIVATE/GONOPROXY, exported by the environment step, send them direct whatever GOPROXY says.
 */
import * as core from '@actions/core'
import pMap from 'p-map'
import pRetry, { AbortError } from 'p-retry'
import fs from 'node:fs'
import path from 'node:path'
import type { GoEnv } from '../go/env.js'
import type { DownloadConfig } from '../inputs.js'
import type { AppliedEnvironment, AttemptRecord, Diagnosis, DownloadResult, ErrorClass } from '../types.js'
import {
  classify,
  classifyModules,
  classifyText,
  isRateLimited,
  moduleOf,
  retryAfterMs,
  timeoutDiagnosis,
  type ModuleJson
} from './classify.js'
import { matchesPrefixPatterns } from '../go/pattern.js'
import { parseConcatenatedJson } from './json.js'
import {
  mergeGoFlags,
  modKey,
  moduleCacheFiles,
  moduleFromCachePath,
  splitRoundRobin,
  type ModuleVersion
} from './modules.js'
import { judgeAttempt, MAX_DELAY_MS, progressPause, rateLimitExtraWait, shouldSwitchProxy } from './policy.js'
import { startGo, type GoProcess, type GoRun } from './process.js'
import { findRoots, type ModuleRoot } from './roots.js'
import { Watchdog, type WatchdogReason } from './watchdog.js'

export interface DownloadContext {
  workingDirectory: string
  goEnv: GoEnv
  environment: AppliedEnvironment
  /** Environment of the go processes (default process.env, where the action exported its variables). */
  env?: NodeJS.ProcessEnv
}

/** What one attempt produced. */
interface AttemptOutcome {
  diagnoses: Diagnosis[]
  /** Printed by go and worth checking for Retry-After. */
  text: string
}

class AttemptFailed extends Error {
  readonly diagnosis: Diagnosis | undefined
  constructor(diagnosis: Diagnosis | undefined) {
    super(diagnosis?.cause ?? 'attempt failed')
    this.diagnosis = diagnosis
  }
}

interface Task {
  root: ModuleRoot
  modules: ModuleVersion[]
}

/** One module per (path, version), assigned to the first root that lists it (it is cached for the rest). */
function assign(roots: readonly ModuleRoot[]): Map<string, { root: ModuleRoot; module: ModuleVersion }> {
  const out = new Map<string, { root: ModuleRoot; module: ModuleVersion }>()
  for (const root of roots)
    for (const m of root.modules) if (!out.has(modKey(m))) out.set(modKey(m), { root, module: m })
  return out
}

function isCached(gomodcache: string, m: ModuleVersion): boolean {
  const f = moduleCacheFiles(gomodcache, m)
  return fs.existsSync(path.join(f.downloadDir, `${f.filePrefix}ziphash`)) && fs.existsSync(f.extracted)
}

/**
 * Remove one module version from the module cache. go extracts modules read-only (unless -modcacherw,
 * which we keep off so later steps cannot edit the cache by accident), so make the tree writable first.
 */
export function purgeModule(gomodcache: string, m: ModuleVersion): void {
  const f = moduleCacheFiles(gomodcache, m)
  const makeWritable = (p: string): void => {
    let st: fs.Stats
    try {
      st = fs.lstatSync(p)
    } catch {
      return
    }
    if (st.isSymbolicLink()) return
    fs.chmodSync(p, st.mode | 0o700)
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e))
  }
  makeWritable(f.extracted)
  fs.rmSync(f.extracted, { recursive: true, force: true })
  if (fs.existsSync(f.downloadDir)) {
    fs.chmodSync(f.downloadDir, fs.statSync(f.downloadDir).mode | 0o700)
    for (const e of fs.readdirSync(f.downloadDir)) {
      if (e.startsWith(f.filePrefix)) fs.rmSync(path.join(f.downloadDir, e), { force: true })
    }
  }
}

/** `# get https://...: 200 OK (0.003s)` and the matching start lines: progress, not worth a log line. */
const QUIET = /^# get \S+(?:: 2\d\d [^(]*\([\d.]+s\))?$/

export async function downloadModules(cfg: DownloadConfig, ctx: DownloadContext): Promise<DownloadResult> {
  const initialProxy = ctx.goEnv.GOPROXY ?? ''
  const result: DownloadResult = {
    ok: true,
    attempts: [],
    modules: 0,
    moduleFailures: [],
    cacheCorrupt: false,
    proxy: initialProxy
  }
  if (!cfg.enabled) return { ...result, skipped: 'disabled' }

  const allRoots = await findRoots({
    modules: cfg.modules,
    workingDirectory: ctx.workingDirectory,
    goEnv: ctx.goEnv
  })
  const roots = allRoots.filter((r) => !r.vendor.vendored)
  for (const r of allRoots.filter((x) => x.vendor.vendored)) {
    core.info(
      `${r.rel}: vendor/modules.txt is consistent with go.mod and go builds from vendor/; nothing to download there.`
    )
  }
  if (roots.length === 0) return { ...result, skipped: 'vendored' }

  const gomodcache = ctx.goEnv.GOMODCACHE ?? path.join(ctx.goEnv.GOPATH ?? '', 'pkg', 'mod')
  const baseEnv = ctx.env ?? process.env
  const proxies = [initialProxy, ...cfg.fallbackProxies]
  const privatePatterns = [
    ...ctx.environment.privatePatterns,
    ...(ctx.goEnv.GOPRIVATE ?? '').split(','),
    ...(ctx.goEnv.GONOPROXY ?? '').split(',')
  ].filter(Boolean)

  const work = assign(roots)
  const done = new Set<string>()
  const cachedBefore = new Set<string>()
  for (const [k, { module }] of work) if (isCached(gomodcache, module)) cachedBefore.add(k)
  const purged = new Set<string>()
  const checked = new Set<ModuleRoot>()
  const checkModules = new Set<string>()
  let proxyIndex = 0
  let proxyHistory: (ErrorClass | undefined)[] = []
  let lastDiagnoses: Diagnosis[] = []
  let lastText = ''
  const startedAt = Date.now()
  const deadlineAt = startedAt + cfg.timeoutMs

  const attempt = async (number: number): Promise<AttemptOutcome> => {
    const proxy = proxies[proxyIndex] ?? initialProxy
    const env: NodeJS.ProcessEnv = { ...baseEnv, GOPROXY: proxy }
    const pending = [...work.entries()].filter(([k]) => !done.has(k))
    const record: AttemptRecord = {
      number,
      durationMs: 0,
      requested: pending.length,
      failed: 0,
      proxy,
      roots: [...new Set(roots.map((r) => r.rel))]
    }
    result.attempts.push(record)
    const t0 = Date.now()
    const running = new Set<GoProcess>()
    const watchdog = new Watchdog(cfg.attemptTimeoutMs, deadlineAt, () => {
      for (const p of running) p.kill()
    })
    const run = (args: string[], cwd: string, label: string): Promise<GoRun> => {
      const p = startGo(args, {
        cwd,
        env,
        onStderrLine: (line) => {
          watchdog.progress()
          if (line.trim() !== '' && !QUIET.test(line)) core.info(`${label}${line}`)
        }
      })
      running.add(p)
      return p.done.finally(() => {
        running.delete(p)
        watchdog.progress()
      })
    }
    const stopped = (): WatchdogReason | undefined => watchdog.reason
    const diagnoses: Diagnosis[] = []
    let text = ''
    const title =
      pending.length > 0
        ? `Attempt ${number}: go mod download ${pending.length} module(s) in up to ${cfg.parallel} processes (GOPROXY=${proxy || 'default'})`
        : `Attempt ${number}: go mod download check in ${roots.filter((r) => !checked.has(r)).length} root(s) (GOPROXY=${proxy || 'default'})`
    try {
      await core.group(title, async () => {
        if (pending.length > 0) {
          const tasks: Task[] = []
          for (const root of roots) {
            const mine = pending.filter(([, v]) => v.root === root).map(([, v]) => v.module)
            for (const batch of splitRoundRobin(mine, cfg.parallel)) tasks.push({ root, modules: batch })
          }
          await pMap(
            tasks,
            async (task, i) => {
              const label = tasks.length > 1 ? `[${i + 1}/${tasks.length}] ` : ''
              const res = await run(
                ['mod', 'download', '-x', '-json', ...task.modules.map(modKey)],
                task.root.dir,
                label
              )
              text += res.stderr
              const json = parseConcatenatedJson<ModuleJson>(res.stdout).objects
              const seen = new Set<string>()
              for (const j of json) {
                const k = `${j.Path}@${j.Version ?? ''}`
                seen.add(k)
                if (j.Error) {
                  // go's own words for the failure, also when a retry later succeeds (the summary only
                  // keeps the class).
                  core.info(`${label}${j.Error}`)
                  text += `${j.Error}\n`
                  diagnoses.push(...classifyModules([j]))
                } else done.add(k)
              }
              // Modules go did not report on: killed by the watchdog, or go failed before printing JSON.
              const unreported = task.modules.filter((m) => !seen.has(modKey(m)) && !done.has(modKey(m)))
              if (unreported.length === 0) return
              const reason = res.killed ? stopped() : undefined
              const batchDiagnosis = reason
                ? undefined
                : classify({ exitCode: res.exitCode === 0 ? 1 : res.exitCode, stderr: res.stderr, json: [] })
              for (const m of unreported) {
                if (isCached(gomodcache, m) && batchDiagnosis?.module !== modKey(m)) {
                  done.add(modKey(m))
                  continue
                }
                if (reason) {
                  diagnoses.push(
                    timeoutDiagnosis(
                      reason,
                      reason === 'stalled' ? cfg.attemptTimeoutMs : cfg.timeoutMs,
                      modKey(m)
                    )
                  )
                } else if (
                  batchDiagnosis &&
                  (batchDiagnosis.module === undefined || batchDiagnosis.module === modKey(m))
                ) {
                  diagnoses.push({ ...batchDiagnosis, module: modKey(m) })
                }
              }
              // A failure that names another module of the batch (e.g. a checksum mismatch is a base.Fatalf).
              if (batchDiagnosis?.module && !diagnoses.includes(batchDiagnosis)) {
                if (!diagnoses.some((d) => d.module === batchDiagnosis.module)) diagnoses.push(batchDiagnosis)
              }
            },
            { concurrency: cfg.parallel }
          )
        }
        if (diagnoses.length === 0 && [...work.keys()].every((k) => done.has(k))) {
          for (const root of roots) {
            if (checked.has(root)) continue
            const res = await run(
              ['mod', 'download', '-x', '-json'],
              root.dir,
              roots.length > 1 ? `[${root.rel}] ` : ''
            )
            text += res.stderr
            const json = parseConcatenatedJson<ModuleJson>(res.stdout).objects
            for (const j of json) if (j.Version && !j.Error) checkModules.add(`${j.Path}@${j.Version}`)
            const reason = res.killed ? stopped() : undefined
            if (reason) {
              diagnoses.push(
                timeoutDiagnosis(reason, reason === 'stalled' ? cfg.attemptTimeoutMs : cfg.timeoutMs)
              )
              break
            }
            const d = classify({ exitCode: res.exitCode, stderr: res.stderr, json })
            if (!d) {
              checked.add(root)
              continue
            }
            const perModule = classifyModules(json)
            diagnoses.push(...(perModule.length > 0 ? perModule : [d]))
            // With a go.sum, hand the modules the check found missing to the explicit per-module path.
            if (root.sumFiles.length > 0) {
              for (const j of json) {
                if (!j.Error || !j.Version) continue
                const m = { path: j.Path, version: j.Version }
                if (!work.has(modKey(m))) work.set(modKey(m), { root, module: m })
              }
            }
          }
        }
      })
    } finally {
      watchdog.stop()
      for (const p of running) p.kill()
      record.durationMs = Date.now() - t0
    }
    // A cache-corrupt text without JSON names the module only through its cache path.
    for (const d of diagnoses) {
      if (!d.module) {
        const m = moduleFromCachePath(d.evidence) ?? moduleOf(d.evidence)
        if (m) d.module = m
      }
    }
    record.failed = new Set(diagnoses.map((d) => d.module ?? '?')).size
    return { diagnoses, text }
  }

  // Whether the last failed attempt finished any module: then the upstream is serving and its failures
  // are sporadic, not an outage (see progressPause).
  let progressed = false
  try {
    await pRetry(
      async (number) => {
        const before = done.size + checked.size
        const outcome = await attempt(number)
        progressed = done.size + checked.size > before
        const record = result.attempts[result.attempts.length - 1] as AttemptRecord
        if (outcome.diagnoses.length === 0) {
          lastDiagnoses = []
          return
        }
        const verdict = judgeAttempt({ diagnoses: outcome.diagnoses, cachedBefore, purged })
        lastDiagnoses = verdict.diagnoses
        const deciding = verdict.deciding
        if (deciding) {
          record.errorClass = deciding.errorClass
          record.detail = deciding.cause
        }
        for (const k of verdict.purge) {
          const entry = work.get(k)
          const [p, v] = [k.slice(0, k.lastIndexOf('@')), k.slice(k.lastIndexOf('@') + 1)]
          purgeModule(gomodcache, entry?.module ?? { path: p, version: v })
          purged.add(k)
          done.delete(k)
          result.cacheCorrupt = true
          core.warning(`${k}: the module cache held a damaged copy; purged it and downloading again.`)
        }
        if (verdict.purge.length > 0) for (const r of roots) checked.delete(r)
        // Proxy trouble counts only when a public module (one that goes through GOPROXY) failed.
        const viaProxy = verdict.diagnoses.some(
          (d) => !d.module || !matchesPrefixPatterns(d.module.split('@')[0] as string, privatePatterns)
        )
        proxyHistory.push(viaProxy ? deciding?.errorClass : undefined)
        if (verdict.abort) throw new AbortError(new AttemptFailed(verdict.abort))
        if (shouldSwitchProxy(proxyHistory, proxies.length - 1 - proxyIndex)) {
          proxyIndex++
          proxyHistory = []
          core.warning(
            `GOPROXY ${proxies[proxyIndex - 1] || '(default)'} failed twice in a row (${deciding?.errorClass}); switching to the fallback proxy ${proxies[proxyIndex]}.`
          )
        }
        lastText = outcome.text
        throw new AttemptFailed(deciding)
      },
      {
        retries: cfg.retries - 1,
        factor: 2,
        minTimeout: cfg.backoffMs,
        maxTimeout: MAX_DELAY_MS,
        randomize: true,
        maxRetryTime: cfg.timeoutMs,
        // An attempt that finished some modules does not use up one of `retries` and is not followed by
        // an escalating backoff: with 20% of requests failing, each attempt fails a few modules and
        // finishes the rest, and counting those attempts gave up on 3 of 20 seeded runs after 5 attempts
        // that had all made progress (npm run bench, flaky scenario), while the doubling waits made up
        // two thirds of the run time. Only attempts in a row that finish nothing count and back off;
        // `retry-timeout` bounds the whole. A rate-limited proxy (429) always backs off.
        shouldConsumeRetry: ({ error }) => {
          const deciding = error instanceof AttemptFailed ? error.diagnosis : undefined
          return !progressed || (deciding !== undefined && isRateLimited(deciding))
        },
        onFailedAttempt: async ({ error, retryDelay, retriesLeft }) => {
          const deciding = error instanceof AttemptFailed ? error.diagnosis : undefined
          if (retriesLeft <= 0) return
          if (retryDelay <= 0 && progressed && !(deciding !== undefined && isRateLimited(deciding))) {
            const pause = progressPause(cfg.backoffMs, deadlineAt - Date.now())
            core.info(
              `Attempt failed (${deciding?.errorClass ?? 'unknown'}) but finished some modules: ${deciding?.cause ?? error.message} Retrying the rest in ${Math.round(pause / 100) / 10}s (this attempt does not count against 'retries').`
            )
            await new Promise((r) => setTimeout(r, pause))
            return
          }
          if (retryDelay <= 0) return
          const extra = rateLimitExtraWait({
            deciding,
            retryDelayMs: retryDelay,
            retryAfterMs: retryAfterMs(lastText),
            remainingMs: deadlineAt - Date.now()
          })
          core.info(
            `Attempt failed (${deciding?.errorClass ?? 'unknown'}): ${deciding?.cause ?? error.message} Retrying the failed modules in ${Math.round((retryDelay + extra) / 100) / 10}s (${retriesLeft} attempt(s) left).`
          )
          if (extra > 0) await new Promise((r) => setTimeout(r, extra))
        }
      }
    )
  } catch (error) {
    result.ok = false
    const cause = error instanceof AttemptFailed ? error.diagnosis : undefined
    result.failure =
      cause ?? (error instanceof Error ? classifyText(error.message) : classifyText(String(error)))
    if (Date.now() >= deadlineAt && result.failure.retryable) {
      result.failure = {
        ...result.failure,
        cause: `${result.failure.cause} The 'retry-timeout' budget of ${Math.round(cfg.timeoutMs / 1000)}s ran out.`
      }
    } else if (result.failure.retryable && result.attempts.length >= cfg.retries) {
      result.failure = {
        ...result.failure,
        cause: `${result.failure.cause} Still failing after ${result.attempts.length} attempt(s) ('retries').`
      }
    }
  }
  result.moduleFailures = lastDiagnoses
  result.modules = new Set([...work.keys(), ...checkModules]).size
  result.proxy = proxies[proxyIndex] ?? initialProxy
  return result
}

/**
 * After a successful download: later steps run with GOPROXY=off, so a build can never reach the network,
 * and GOFLAGS gets -mod=mod (replacing any -mod= already there) as DESIGN.md section 2 specifies.
 */
export function exportOffline(): void {
  core.exportVariable('GOPROXY', 'off')
  core.exportVariable('GOFLAGS', mergeGoFlags(process.env.GOFLAGS ?? '', '-mod=mod'))
}
