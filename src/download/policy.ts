/**
 * Pure retry policy: after an attempt, what happens next (retry, purge and retry, abort), when to switch
 * to a fallback proxy, and how long to wait after a 429. The effects (running go, deleting files,
 * sleeping) live in run.ts; everything decided here is unit-tested with plain values.
 */
import { asCacheCorrupt, isRateLimited, worst } from './classify.js'
import type { Diagnosis, ErrorClass } from '../types.js'

/** Delays between attempts are capped here (DESIGN.md: doubled each time, with jitter, capped at 1m). */
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
 * (DESIGN.md section 2). `history` holds the deciding class of each attempt made with the current proxy,
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
 * parallel jobs do not retry in step), never past the remaining budget. Short, because the upstream just
 * served most requests; the failures were sporadic.
 */
export function progressPause(backoffMs: number, remainingMs: number, random = Math.random()): number {
  return Math.max(0, Math.min(Math.round(backoffMs * (0.25 + random * 0.25)), remainingMs))
}
