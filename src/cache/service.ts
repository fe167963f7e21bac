/**
 * The Actions cache service through @actions/cache, bounded: a restore never takes longer than its
 * deadline, and a save the service refused for its limits (429, 409, 5xx) is tried once more when the
 * service said when, then reported as a notice.
 */
import * as toolkit from '@actions/cache'
import * as core from '@actions/core'
import fs from 'node:fs'
import { inspectArchive, toolkitGnuTar, type Inspection } from './archive.js'
import { memberRoots } from './members.js'
import { classifySave, saveRetryDelay, type SaveOutcome } from './policy.js'
import { withToolkitLog, type Watched } from './toolkit-log.js'

// Static: the bundle is one file per entry (rollup inlineDynamicImports), where a dynamic import of a
// module placed after the entry's top-level await resolves before that module is evaluated.
const load = async (): Promise<typeof toolkit> => toolkit

/**
 * Whether a cache service is configured. @github/local-action (`npm run local-action`) swaps in a stand-in
 * for @actions/cache that has only restoreCache/saveCache (a local directory), which is always available.
 */
export async function serviceAvailable(): Promise<boolean> {
  const cache = await load()
  return typeof cache.isFeatureAvailable !== 'function' || cache.isFeatureAvailable()
}

/** Default bound of one restore (lookup, download, extraction): 5 minutes. */
export const RESTORE_TIMEOUT_MS = 5 * 60_000
/** The internal variable that overrides it (seconds), e.g. for tests. */
export const RESTORE_TIMEOUT_ENV = 'SETUP_GO_DEPS_RESTORE_TIMEOUT_SECONDS'

/** The restore deadline in ms: RESTORE_TIMEOUT_ENV when set to a positive number, else the default. */
export function restoreTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env[RESTORE_TIMEOUT_ENV])
  return Number.isFinite(s) && s > 0 ? s * 1000 : RESTORE_TIMEOUT_MS
}

export interface Restored extends Watched<string | undefined> {
  /** The deadline passed before the toolkit returned: the call was abandoned. */
  timedOut?: boolean
  /** The entry found was not extracted: its archive holds what no entry of this action holds (archive.ts). */
  refused?: { key: string; problem: string }
}

/** Default bound of one save call (archive, upload, commit): 10 minutes. */
export const SAVE_TIMEOUT_MS = 10 * 60_000
/** The internal variable that overrides it (seconds), e.g. for tests. */
export const SAVE_TIMEOUT_ENV = 'SETUP_GO_DEPS_SAVE_TIMEOUT_SECONDS'

export function saveTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env[SAVE_TIMEOUT_ENV])
  return Number.isFinite(s) && s > 0 ? s * 1000 : SAVE_TIMEOUT_MS
}

/** Set once a restore or a save was abandoned: its promise may still hold sockets open. */
let abandoned = false

/** True when a cache call was abandoned at its deadline; the entry point then exits without waiting for it. */
export function abandonedCacheCall(): boolean {
  return abandoned
}

/** `call`, or 'timeout' once `ms` passed (the call is then abandoned: see abandonedCacheCall). */
async function within<T>(call: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  const result = await Promise.race([call, deadline])
  clearTimeout(timer)
  if (result === 'timeout') {
    abandoned = true
    call.catch(() => undefined)
  }
  return result
}

/**
 * restoreCache within `timeoutMs`. The toolkit's own bound is its segment timeout (the Azure SDK download
 * github.com uses: it aborts the download and logs a failure), set here to the deadline through
 * SEGMENT_DOWNLOAD_TIMEOUT_MINS (it overrides any option) unless the user set a shorter one. Its lookup
 * has no timeout at all and its plain-HTTP download only a 5 s idle timeout, so the call is also raced
 * against the deadline (plus a grace period for the toolkit's own abort to land). An abandoned call keeps
 * running: it must not extract into the module cache later, while go works there, so GNU tar is told to
 * extract nothing (TAR_OPTIONS, read when tar starts) from then on in this process.
 *
 * Between its download and its tar, the archive is listed and checked (archive.ts): the toolkit logs the
 * archive's path before the download and its size right before tar starts, and the check runs then,
 * synchronously, inside that log call. For a refused archive GNU tar is told to extract nothing and the
 * archive is deleted, so nothing of it reaches the disk. Where the toolkit extracts with BSD tar the check cannot run and is skipped.
 */
export async function restoreEntry(
  paths: string[],
  key: string,
  restoreKeys: string[],
  opts: { timeoutMs: number; env?: Record<string, string> }
): Promise<Restored> {
  const cache = await load()
  const userMins = Number(process.env.SEGMENT_DOWNLOAD_TIMEOUT_MINS)
  const segmentMs = Math.min(opts.timeoutMs, userMins > 0 ? userMins * 60_000 : Infinity)
  const env = { ...opts.env, SEGMENT_DOWNLOAD_TIMEOUT_MINS: String(segmentMs / 60_000) }
  // The toolkit logs the archive's size once it has downloaded it, right before tar starts: from then on
  // the call is extracting a local file into the module cache and is waited for (abandoning tar half-way
  // would leave it writing there while go works).
  let extracting = false
  const tar = await toolkitGnuTar()
  const roots = memberRoots(paths, process.env.GITHUB_WORKSPACE ?? process.cwd())
  let archive = ''
  let checked: Inspection | undefined
  const tarOptions = process.env.TAR_OPTIONS
  const call = withToolkitLog(
    () => cache.restoreCache(paths, key, restoreKeys),
    env,
    (facts) => {
      // Only the first of each: with debug logging on, the toolkit lists the archive before it extracts
      // (its listTar prints every member name to this same stdout), and a member can be named like one
      // of these lines.
      if (facts.archivePath !== undefined && archive === '') archive = facts.archivePath
      if (facts.archiveBytes === undefined || checked) return
      extracting = true
      checked = !tar
        ? { skipped: true, durationMs: 0 }
        : archive
          ? inspectArchive(tar, archive, roots, opts.timeoutMs)
          : { problem: 'the cache client did not say where it downloaded the archive', durationMs: 0 }
      if (!checked.problem) return
      // Nothing of it may be extracted: GNU tar (the one that listed it) is told to extract nothing, and
      // the archive is deleted, so the toolkit's tar fails. Nothing is thrown from inside a log call.
      extractNothing()
      if (archive) fs.rmSync(archive, { force: true })
    }
  )
  const result = await within(call, opts.timeoutMs + Math.min(5000, opts.timeoutMs / 10))
  if (result !== 'timeout' || extracting) {
    const restored = await call
    // A refusal's "extract nothing" was for that call's tar only (a later restore, the build cache's, extracts).
    if (checked?.problem) {
      if (tarOptions === undefined) delete process.env.TAR_OPTIONS
      else process.env.TAR_OPTIONS = tarOptions
    }
    return examined(restored, checked)
  }
  extractNothing()
  return { value: undefined, lastStatus: 0, timedOut: true }
}

/** GNU tar, which reads TAR_OPTIONS when it starts, extracts nothing from then on in this process. */
function extractNothing(): void {
  process.env.TAR_OPTIONS = [process.env.TAR_OPTIONS, '--exclude=*'].filter(Boolean).join(' ')
}

/** The restore as the archive check saw it: a refused entry is not a failure of the service. */
function examined(restored: Restored, checked: Inspection | undefined): Restored {
  if (!checked) return restored
  if (checked.skipped) {
    core.info(
      'Cache archive not checked before extraction: @actions/cache extracts it with BSD tar on this runner.'
    )
    return restored
  }
  if (!checked.problem) {
    core.info(
      `Cache archive checked in ${checked.durationMs} ms: only files and directories inside the archived paths.`
    )
    return restored
  }
  const { failure: _, ...rest } = restored
  return { ...rest, value: undefined, refused: { key: restored.entryKey ?? '', problem: checked.problem } }
}

export interface Saved {
  outcome: SaveOutcome
  archiveBytes?: number
  /** Number of calls made (1, or 2 after a retry). */
  calls: number
}

/**
 * saveCache, once more after a 429 or a 5xx when the service said when (saveRetryDelay). A loop of at
 * most two calls rather than p-retry: saveCache does not throw (it reports through its log and a -1),
 * and the one wait is the service's Retry-After, not a backoff. Only a failure
 * that is not the service's limit stays a failure; the caller words each as a notice or a warning. `env`
 * is set during the call (TAR_OPTIONS for the tar that builds the archive).
 */
export async function saveEntry(
  paths: string[],
  key: string,
  label: string,
  env: Record<string, string> = {}
): Promise<Saved> {
  // After one stalled save the service is not asked again in this step: it would stall as long.
  if (abandoned)
    return {
      outcome: { kind: 'unavailable', message: 'not tried: an earlier cache call in this step stalled' },
      calls: 0
    }
  const cache = await load()
  const timeoutMs = saveTimeoutMs()
  let calls = 0
  for (;;) {
    calls++
    // The toolkit's upload has no overall bound: a stalled one would hold the post step until the job's
    // timeout fails the job, for a cache.
    const w = await within(
      withToolkitLog(() => cache.saveCache(paths, key), env),
      timeoutMs
    )
    if (w === 'timeout') {
      const message = `the save did not finish within ${Math.round(timeoutMs / 1000)} s (a stalled upload) and was abandoned`
      return { outcome: { kind: 'unavailable', message }, calls }
    }
    const outcome = classifySave(w)
    const wait = calls === 1 ? saveRetryDelay(outcome) : undefined
    if (wait === undefined) return { outcome, archiveBytes: w.archiveBytes, calls }
    const why = 'message' in outcome ? outcome.message : outcome.kind
    core.info(
      `${label}: the cache service refused the save (${why}); trying once more in ${Math.round(wait / 1000)} s.`
    )
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
}
