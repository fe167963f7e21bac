/**
 * Pure retry policy: after an attempt, what happens next (retry, purge and retry, abort), when to switch
 * to a fallback proxy, and how long to wait after a 429. The effects (running go, deleting files,
 * sleeping) live in run.ts; everything decided here is unit-tested with plain values.
 */
import { asCacheCorrupt, isRateLimited, worst } from './classify.js'
import type { Diagnosis, ErrorClass } from '../types.js'

/** Delays between attempts are capped here (doubled each time, with jitter, capped at 1m). */
export const MAX_DELAY_MS = 60_000

export interface AttemptVerdict {
  /** Set when retrying cannot help: the attempt's deciding diagnosis. */
  abort?: Diagnosis
  /** Modules (`path@version`) whose cached files must be purged before the next attempt. */
  purge: string[]
  /** The per-module diagnoses after re-reading cache mismatches (what the summary shows). */
  diagnoses: Diagnosis[]
  /** The diagnosis that explains this attempt's failure. */
  deciding?: Diagnosis
}

/**
 * Decide after a failed attempt.
 * - A checksum mismatch on a module that was in the cache before this run started is read as a damaged
 *   cache (asCacheCorrupt explains why), once per module; a second mismatch after the purge is final.
 * - cache-corrupt: purge and retry once per module.
 * - Any other non-retryable diagnosis aborts at once (p-retry AbortError in run.ts).
 */
export function judgeAttempt(p: {
  diagnoses: readonly Diagnosis[]
  /** Modules present in the module cache before the first attempt. */
  cachedBefore: ReadonlySet<string>
  /** Modules already purged once in this run. */
  purged: ReadonlySet<string>
}): AttemptVerdict {
  const purge: string[] = []
  const diagnoses = p.diagnoses.map((d) => {
    if (d.errorClass === 'checksum' && d.module && p.cachedBefore.has(d.module) && !p.purged.has(d.module)) {
      return asCacheCorrupt(d)
    }
    return d
  })
  for (const d of diagnoses) {
    if (d.errorClass !== 'cache-corrupt') continue
    if (d.module && !p.purged.has(d.module)) purge.push(d.module)
  }
  const final = diagnoses.map((d) =>
    d.errorClass === 'cache-corrupt' && (!d.module || p.purged.has(d.module))
      ? {
          ...d,
          retryable: false,
          cause: `${d.cause} It was still damaged after purging and downloading again.`
        }
      : d
  )
  const deciding = worst(final)
  const verdict: AttemptVerdict = { purge: [...new Set(purge)], diagnoses: final }
  if (deciding) verdict.deciding = deciding
  if (deciding && !deciding.retryable) verdict.abort = deciding
  return verdict
}

/** Classes that say "the proxy (or the way to it) is failing": those count towards a proxy switch. */
const PROXY_TROUBLE: ReadonlySet<ErrorClass> = new Set(['proxy', 'network', 'timeout'])

/**
 * Switch to the next fallback proxy after two consecutive attempts that failed with proxy trouble
 * (the `fallback-proxies` input). `history` holds the deciding class of each attempt made with the current proxy,
 * oldest first; undefined means the attempt succeeded.
 */
export function shouldSwitchProxy(
  history: readonly (ErrorClass | undefined)[],
  fallbacksLeft: number
): boolean {
  if (fallbacksLeft <= 0 || history.length < 2) return false
  return history.slice(-2).every((c) => c !== undefined && PROXY_TROUBLE.has(c))
}

/**
 * How much longer than p-retry's exponential delay to wait after a 429: the printed Retry-After if any,
 * else four times the normal delay; never past the cap or the remaining total budget.
 */
export function rateLimitExtraWait(p: {
  deciding: Diagnosis | undefined
  retryDelayMs: number
  retryAfterMs: number | undefined
  remainingMs: number
}): number {
  if (!p.deciding || !isRateLimited(p.deciding)) return 0
  const target = Math.min(MAX_DELAY_MS, p.retryAfterMs ?? p.retryDelayMs * 4)
  return Math.max(0, Math.min(target - p.retryDelayMs, p.remainingMs - p.retryDelayMs))
}

/**
 * The pause after an attempt that made progress: a quarter to a half of `retry-backoff` (jittered, so
 * parallel jobs do not retry in step), at most MAX_DELAY_MS like every other wait, never past the
 * remaining budget. Short, because the upstream just
 * served most requests; the failures were sporadic.
 */
export function progressPause(backoffMs: number, remainingMs: number, random = Math.random()): number {
  return Math.max(0, Math.min(Math.round(backoffMs * (0.25 + random * 0.25)), MAX_DELAY_MS, remainingMs))
}

export type RetryWait =
  { kind: 'pause'; ms: number } | { kind: 'backoff'; extraMs: number } | { kind: 'none' }

/**
 * What to do between a failed attempt and the next one (p-retry's own delay, `retryDelayMs`, comes on
 * top of `backoff.extraMs`): after an attempt that finished some modules, a short pause (progressPause)
 * instead of p-retry's delay, which is then 0 because the attempt did not consume a retry; a 429 waits
 * longer (rateLimitExtraWait); the last attempt waits for nothing.
 */
export function retryWait(p: {
  deciding: Diagnosis | undefined
  progressed: boolean
  retryDelayMs: number
  retriesLeft: number
  backoffMs: number
  retryAfterMs: number | undefined
  remainingMs: number
  random?: number
}): RetryWait {
  if (p.retriesLeft <= 0) return { kind: 'none' }
  const rateLimited = p.deciding !== undefined && isRateLimited(p.deciding)
  if (p.retryDelayMs <= 0 && p.progressed && !rateLimited)
    return { kind: 'pause', ms: progressPause(p.backoffMs, p.remainingMs, p.random) }
  if (p.retryDelayMs <= 0) return { kind: 'none' }
  return { kind: 'backoff', extraMs: rateLimitExtraWait({ ...p, deciding: p.deciding }) }
}

/** Whether a failed attempt uses up one of `retries` (see shouldConsumeRetry in run.ts). */
export function consumesRetry(deciding: Diagnosis | undefined, progressed: boolean): boolean {
  return !progressed || (deciding !== undefined && isRateLimited(deciding))
}

/** The step's failure after the last attempt: why retrying stopped, when it was the budget or the count. */
export function finalFailure(
  failure: Diagnosis,
  p: { budgetSpent: boolean; attempts: number; retriesSpent: boolean; timeoutMs: number }
): Diagnosis {
  if (!failure.retryable) return failure
  if (p.budgetSpent)
    return {
      ...failure,
      cause: `${failure.cause} The 'retry-timeout' budget of ${Math.round(p.timeoutMs / 1000)}s ran out.`
    }
  if (p.retriesSpent)
    return { ...failure, cause: `${failure.cause} Still failing after ${p.attempts} attempt(s) ('retries').` }
  return failure
}
