/**
 * Effects: download every module with classified, per-module retry: an attempt runner (attempt.ts) over
 * a pure reducer of the download's state (state.ts), driven by p-retry.
 *
 * Between attempts: exponential backoff with jitter from `retry-backoff`, capped at 1m, longer after a
 * 429, never past `retry-timeout`; an attempt that finished some modules costs no retry and is followed
 * only by a short pause (policy.ts retryWait). Permanent classes abort at once. Two consecutive
 * proxy/network failures switch GOPROXY (for the child processes only) to the next `fallback-proxies`
 * entry; private modules are unaffected because GOPRIVATE/GONOPROXY, exported by the environment step,
 * send them direct whatever GOPROXY says.
 */
import * as core from '@actions/core'
import pRetry, { AbortError } from 'p-retry'
import path from 'node:path'
import type { GoEnv } from '../go/env.js'
import { redactUserinfo, withFallback, withRequestRetries } from '../go/proxylist.js'
import type { SumProblem } from '../go/sumcheck.js'
import type { DownloadConfig } from '../config.js'
import type { AppliedEnvironment, Diagnosis, DownloadResult } from '../types.js'
import { runAttempt, type AttemptContext } from './attempt.js'
import { hasZip, isCached, purgeModule } from './cached.js'
import { classifyText, retryAfterMs } from './classify.js'
import { modKey } from './modules.js'
import { consumesRetry, finalFailure, MAX_DELAY_MS, retryWait } from './policy.js'
import { findRoots, type ModuleRoot } from './roots.js'
import { initialState, moduleCount, reduce, type Decision, type DownloadState } from './state.js'

export interface DownloadContext {
  workingDirectory: string
  goEnv: GoEnv
  environment: AppliedEnvironment
  /** Environment of the go processes (default process.env, where the action exported its variables). */
  env?: NodeJS.ProcessEnv
  /** Restored modules whose zip go checks itself (the restore removed their .ziphash). */
  handedToGo?: ReadonlySet<string>
}

class AttemptFailed extends Error {
  readonly diagnosis: Diagnosis | undefined
  readonly progressed: boolean
  /** The next attempt uses a fallback proxy. */
  readonly switched: boolean
  constructor(diagnosis: Diagnosis | undefined, progressed = false, switched = false) {
    super(diagnosis?.cause ?? 'attempt failed')
    this.diagnosis = diagnosis
    this.progressed = progressed
    this.switched = switched
  }
}

/** The roots to download for, or why there is nothing to do. */
async function rootsToDownload(
  cfg: DownloadConfig,
  ctx: DownloadContext
): Promise<{ roots: ModuleRoot[] } | { skipped: string }> {
  if (!cfg.enabled) return { skipped: 'disabled' }
  const allRoots = await findRoots({
    modules: cfg.modules,
    workingDirectory: ctx.workingDirectory,
    goEnv: ctx.goEnv
  })
  for (const r of allRoots.filter((x) => x.vendor.vendored)) {
    core.info(
      `${r.rel}: vendor/modules.txt is consistent with go.mod and go builds from vendor/; nothing to download there.`
    )
  }
  const roots = allRoots.filter((r) => !r.vendor.vendored)
  return roots.length === 0 ? { skipped: 'vendored' } : { roots }
}

/** The step's failure for a refused go.sum line: `config`, at that file and line. */
export function sumProblemDiagnosis(p: SumProblem & { file: string }, shownFile: string): Diagnosis {
  return {
    errorClass: 'config',
    retryable: false,
    cause: `${shownFile}:${p.line}: ${p.why}; nothing was downloaded.`,
    hint: "Restore go.sum from version control, or regenerate it with 'go mod tidy' on a trusted machine and commit it; go.sum is written by go, not by hand.",
    evidence: p.text,
    file: p.file,
    line: p.line
  }
}

/** go.sum lines that must not reach go (go/sumcheck.ts), as failures at their file and line. */
function refusedSumLines(roots: readonly ModuleRoot[], workspace: string): Diagnosis[] {
  return roots.flatMap((r) =>
    r.sumProblems.map((p) =>
      sumProblemDiagnosis(p, path.relative(workspace, p.file).split(path.sep).join('/'))
    )
  )
}

/** The effects of a decision before the next attempt: purge damaged modules, say a proxy switch. */
async function applyDecision(
  decision: Decision & { kind: 'retry' },
  gomodcache: string,
  proxies: readonly string[],
  state: Pick<DownloadState, 'handedToGo' | 'zipsBefore'>
): Promise<void> {
  for (const m of decision.purge) {
    await purgeModule(gomodcache, m)
    const k = modKey(m)
    core.warning(
      state.handedToGo.has(k)
        ? `${k}: altered or damaged: go's check of its restored zip against go.sum failed as it extracted it; purged it and downloading again.`
        : state.zipsBefore.has(k)
          ? `${k}: the module cache held a damaged copy; purged it and downloading again.`
          : `${k}: the copy this download fetched was damaged (the server's answer); purged it and downloading again.`
    )
  }
  const s = decision.switchedProxy
  if (s) {
    core.warning(
      `GOPROXY ${redactUserinfo(proxies[s.from] ?? '') || '(default)'} failed twice in a row (${decision.deciding?.errorClass}); switching to the fallback proxy ${redactUserinfo(proxies[s.to] ?? '')}.`
    )
  }
}

async function waitBeforeRetry(
  error: Error,
  retryDelay: number,
  retriesLeft: number,
  p: { cfg: DownloadConfig; deadlineAt: number; lastText: string }
): Promise<void> {
  const failed = error instanceof AttemptFailed ? error : undefined
  const deciding = failed?.diagnosis
  const wait = retryWait({
    deciding,
    progressed: failed?.progressed ?? false,
    retryDelayMs: retryDelay,
    retriesLeft,
    backoffMs: p.cfg.backoffMs,
    retryAfterMs: retryAfterMs(p.lastText),
    remainingMs: p.deadlineAt - Date.now()
  })
  const why = `${deciding?.errorClass ?? 'unknown'}`
  const cause = deciding?.cause ?? error.message
  if (wait.kind === 'pause') {
    core.info(
      `Attempt failed (${why}) but finished some modules: ${cause} Retrying the rest in ${Math.round(wait.ms / 100) / 10}s (this attempt does not count against 'retries').`
    )
    await new Promise((r) => setTimeout(r, wait.ms))
  } else if (wait.kind === 'backoff') {
    core.info(
      `Attempt failed (${why}): ${cause} Retrying the failed modules in ${Math.round((retryDelay + wait.extraMs) / 100) / 10}s (${retriesLeft} attempt(s) left).`
    )
    if (wait.extraMs > 0) await new Promise((r) => setTimeout(r, wait.extraMs))
  }
}

export async function downloadModules(cfg: DownloadConfig, ctx: DownloadContext): Promise<DownloadResult> {
  const initialProxy = ctx.goEnv.GOPROXY ?? ''
  const result: DownloadResult = {
    ok: true,
    attempts: [],
    modules: 0,
    moduleFailures: [],
    cacheCorrupt: false,
    alteredRestored: [],
    proxy: initialProxy
  }
  const found = await rootsToDownload(cfg, ctx)
  if ('skipped' in found) return { ...result, skipped: found.skipped }
  const { roots } = found
  const refused = refusedSumLines(roots, process.env.GITHUB_WORKSPACE || ctx.workingDirectory)
  if (refused.length > 0) return { ...result, ok: false, failure: refused[0], moduleFailures: refused }
  const gomodcache = ctx.goEnv.GOMODCACHE || path.join(ctx.goEnv.GOPATH ?? '', 'pkg', 'mod')
  // Each fallback replaces the failing first entry and keeps the rest of the list (`,direct`).
  const proxies = [initialProxy, ...cfg.fallbackProxies.map((f) => withFallback(initialProxy, f))]
  // go's comma lists as they are: go/pattern.ts matchesPrefixPatterns splits them as go does.
  const privatePatterns = [
    ...ctx.environment.privatePatterns,
    ctx.goEnv.GOPRIVATE ?? '',
    ctx.goEnv.GONOPROXY ?? ''
  ]
  const deadlineAt = Date.now() + cfg.timeoutMs
  const handedToGo = ctx.handedToGo ?? new Set<string>()
  let state: DownloadState = initialState(
    roots,
    (m) => isCached(gomodcache, m),
    handedToGo,
    (m) => hasZip(gomodcache, m)
  )
  let lastText = ''
  let lastDeciding: Diagnosis | undefined

  const attempt = async (number: number): Promise<void> => {
    // An attempt that could only start and be stopped by the budget would report the budget (class
    // timeout) instead of what failed before it (a 502): end with that failure instead.
    if (lastDeciding && deadlineAt - Date.now() < MIN_ATTEMPT_MS)
      throw new AbortError(new AttemptFailed(lastDeciding))
    const proxy = proxies[state.proxyIndex] ?? initialProxy
    const env = { ...(ctx.env ?? process.env), GOPROXY: withRequestRetries(proxy) }
    const actx: AttemptContext = { cfg, roots, gomodcache, env, proxy, deadlineAt }
    const { outcome, record, text } = await runAttempt(number, state, actx)
    result.attempts.push(record)
    const next = reduce(state, outcome, { proxies: proxies.length, privatePatterns })
    state = next.state
    const decision = next.decision
    if (decision.kind === 'done') return
    const deciding = decision.kind === 'abort' ? decision.diagnosis : decision.deciding
    if (deciding) {
      record.errorClass = deciding.errorClass
      record.detail = deciding.cause
    }
    if (decision.kind === 'abort') throw new AbortError(new AttemptFailed(decision.diagnosis))
    await applyDecision(decision, gomodcache, proxies, state)
    lastText = text
    lastDeciding = deciding
    throw new AttemptFailed(deciding, decision.progressed, decision.switchedProxy !== undefined)
  }

  const run = await retryAttempts(attempt, { cfg, deadlineAt, lastText: () => lastText })
  if (run.error !== undefined) {
    result.ok = false
    const cause = run.error instanceof AttemptFailed ? run.error.diagnosis : undefined
    const failure = cause ?? classifyText(run.error instanceof Error ? run.error.message : String(run.error))
    result.failure = finalFailure(failure, {
      budgetSpent: Date.now() >= deadlineAt - MIN_ATTEMPT_MS,
      attempts: result.attempts.length,
      retriesSpent: run.counted >= cfg.retries,
      timeoutMs: cfg.timeoutMs
    })
  }
  result.moduleFailures = [...state.lastDiagnoses]
  result.cacheCorrupt = state.cacheCorrupt
  result.alteredRestored = [...state.alteredRestored]
  result.modules = moduleCount(state)
  result.proxy = proxies[state.proxyIndex] ?? initialProxy
  return result
}

/**
 * p-retry over the attempts, with the action's own counting: resolves with the error that ended them
 * (undefined when one succeeded) and the number of attempts that used up one of `retries`.
 */
async function retryAttempts(
  attempt: (n: number) => Promise<void>,
  p: { cfg: DownloadConfig; deadlineAt: number; lastText: () => string }
): Promise<{ error?: unknown; counted: number }> {
  const { cfg, deadlineAt } = p
  // Counted here rather than by p-retry: p-retry ends the run once its own count is spent even after an
  // attempt that does not consume one (it checks the count before it asks), so an attempt that finished
  // modules after the last counted one would end it.
  let counted = 0
  try {
    await pRetry(attempt, {
      retries: Infinity,
      factor: 2,
      minTimeout: cfg.backoffMs,
      maxTimeout: MAX_DELAY_MS,
      randomize: true,
      maxRetryTime: cfg.timeoutMs,
      // An attempt that finished some modules does not use up one of `retries` and is not followed by
      // an escalating backoff: with 20% of requests failing, each attempt fails a few modules and
      // finishes the rest, and counting those attempts gave up on 3 of 20 seeded runs after 5 attempts
      // that had all made progress (npm run bench, flaky scenario), while the doubling waits made up
      // two thirds of the run time. Only attempts that finish nothing count and back off; `retry-timeout`
      // bounds the whole. A rate-limited proxy (429) always backs off.
      // The attempt after which the action switches to a fallback proxy does not count either: the
      // fallback gets its try even with 'retries: 2' (two failures are what make the switch).
      shouldConsumeRetry: ({ error }) => {
        const consumes =
          error instanceof AttemptFailed
            ? !error.switched && consumesRetry(error.diagnosis, error.progressed)
            : true
        if (consumes) counted++
        return consumes
      },
      shouldRetry: () => counted < cfg.retries,
      onFailedAttempt: ({ error, retryDelay }) =>
        waitBeforeRetry(error, retryDelay, cfg.retries - counted, { cfg, deadlineAt, lastText: p.lastText() })
    })
    return { counted }
  } catch (error) {
    return { error, counted }
  }
}

/** Below this much of 'retry-timeout' left, no further attempt starts (it could only be stopped at once). */
const MIN_ATTEMPT_MS = 2000

/** What `offline-after-download` does after the download: export GOPROXY=off, warn, or nothing. */
export function offlineDecision(
  cfg: Pick<DownloadConfig, 'offlineAfterDownload'>,
  download: Pick<DownloadResult, 'ok' | 'skipped'>
): 'export' | 'no-download' | 'none' {
  if (!cfg.offlineAfterDownload || !download.ok) return 'none'
  return download.skipped === 'disabled' ? 'no-download' : 'export'
}

/**
 * After a successful download (or a consistent vendor/, which needs no network either): later steps run
 * with GOPROXY=off, so a build can never reach the network. GOFLAGS is left alone: go's default -mod
 * (readonly, or vendor with a consistent vendor/) refuses to rewrite go.mod/go.sum, where -mod=mod would
 * silently add go.sum lines from the cache's own .ziphash and ignore vendor/. With `download: false`
 * nothing was downloaded, so GOPROXY=off would only break a later build: warn instead.
 */
export function exportOffline(
  cfg: Pick<DownloadConfig, 'offlineAfterDownload'>,
  download: DownloadResult
): boolean {
  switch (offlineDecision(cfg, download)) {
    case 'export':
      core.exportVariable('GOPROXY', 'off')
      core.info('offline-after-download: exported GOPROXY=off for later steps (the download is complete).')
      return true
    case 'no-download':
      core.warning(
        "Input 'offline-after-download' is 'true' but 'download' is 'false': nothing was downloaded, so GOPROXY=off is not exported (a later build would find no modules). Set 'download: true', or drop 'offline-after-download'."
      )
      return false
    case 'none':
      return false
  }
}
