/**
 * Pure decisions of the module cache: what goes into the archive, and whether the post step saves.
 * restore.ts and save.ts do the effects around them.
 */
import path from 'node:path'
import type { CacheSaveMode } from '../config.js'
import type { CacheOutcome } from '../types.js'

/**
 * The archive paths for a GOMODCACHE: `cache/download` only (zips, .mod, .info, .ziphash, version lists,
 * sumdb tiles), not the extracted trees and not `cache/vcs`.
 *
 * - Every byte of cache/download can be checked against go.sum before go uses it (integrity.ts); a tree
 *   could be too, but hashing it costs as much again, and go extracts the trees itself from the verified
 *   zips (the download step's `go mod download` does, in parallel, without network).
 * - Extracting many small files is where restores are slow on Windows and macOS (setup-go#515: 12m51s,
 *   ~55 s after moving the cache; tailscale#4171: 10m15s -> 2m54s by keeping only the zips); the trees are
 *   most of the files and about half the bytes of a full GOMODCACHE archive.
 * - cache/vcs holds bare git clones made for `direct`/private modules; go needs them only to resolve a
 *   version it does not have yet (and then fetches anyway), never to build or to `go mod download` what
 *   go.sum lists, and a clone is typically many times the size of the module zip.
 * Measured through the action on the bench: see the README's cache section.
 *
 * The patterns (not the matches) go into the cache version @actions/cache computes, so they must be the
 * same in main and post (they are derived from GOMODCACHE only), and an entry saved with other patterns
 * (the full-tree layout of earlier releases) has another version and is never restored into this one.
 */
export function moduleCachePaths(gomodcache: string, layout: CacheLayout = 'download'): string[] {
  const base = gomodcache.replace(/[\\/]+$/, '')
  if (layout === 'full') return [`${base}/*`, `!${base}/cache`, `${base}/cache/download`]
  return [`${base}/cache/download`]
}

/**
 * `download` (the default): cache/download only. `full`: the extracted trees too (what earlier releases
 * and setup-go archive; @actions/cache globs with implicitDescendants off: `<modcache>/*` lists each
 * top-level entry, `!<modcache>/cache` drops `cache`, `cache/download` brings back its one wanted child).
 * Chosen by the internal variable SETUP_GO_DEPS_CACHE_LAYOUT, for the layout measurements only.
 */
export type CacheLayout = 'download' | 'full'

export function cacheLayout(env: NodeJS.ProcessEnv = process.env): CacheLayout {
  return env.SETUP_GO_DEPS_CACHE_LAYOUT === 'full' ? 'full' : 'download'
}

/**
 * The `.ziphash` files the archive leaves out, as GNU tar exclusion patterns (`--no-wildcards`, matched
 * after any `/`, so relative to cache/download is enough), given fingerprintModuleCache's `names`.
 *
 * Every restored zip is hashed again before it is used: go hashes the ones the restore leaves to it
 * (integrity.ts deferZipsToGo) and writes their .ziphash itself, the action hashes the others and writes
 * theirs (integrity.ts writeZiphashes). A .ziphash in the archive would only cost the restore a file to
 * create and then delete per module, on a slow file system a good part of a warm step beyond extracting
 * the zips (the bench's warm exact hit: see the README's Performance section).
 * golang.org/toolchain keeps its .ziphash: no go.sum lists a toolchain, so it is the one thing that ties
 * its zip to the checksum database go consults.
 */
export function ziphashesLeftOut(names: readonly string[]): string[] {
  return names.filter((n) => n.endsWith('.ziphash') && !n.startsWith('golang.org/toolchain/@v/'))
}

/**
 * TAR_OPTIONS for the save, given where the list of ziphashesLeftOut is written, or undefined when tar
 * cannot take it. GNU tar reads TAR_OPTIONS (words split at blanks); BSD tar, which @actions/cache uses on
 * Windows without Git's GNU tar and on macOS without gtar, ignores it and archives the .ziphash files,
 * which restores as before.
 */
export function saveTarOptions(listFile: string, existing: string | undefined): string | undefined {
  if (/[\s"'\\]/.test(listFile)) return undefined
  return [existing, '--no-wildcards', `--exclude-from=${listFile}`].filter(Boolean).join(' ')
}

/**
 * Events on which code from outside the repository (a pull request's head, a fork's workflow artefacts, a
 * comment's command) usually runs with write access to the base branch's cache scope. What such a job
 * saves is restored by the default branch's next run: the module cache is verified against go.sum before
 * use, but the build cache cannot be verified at all.
 */
export const UNTRUSTED_EVENTS = ['pull_request_target', 'workflow_run', 'issue_comment'] as const

/** Why this event must not write the shared cache, or undefined when it is an ordinary event. */
export function untrustedEvent(eventName: string | undefined): string | undefined {
  if (!(UNTRUSTED_EVENTS as readonly string[]).includes(eventName ?? '')) return undefined
  return (
    `this is a ${eventName} run: it may build code from outside the repository while it can write the ` +
    `base branch's cache, which the next run there would restore`
  )
}

/** The build cache is restored from its exact key only on an untrusted event (nothing can verify it). */
export function buildRestoreKeys(buildKey: string, eventName: string | undefined): string[] {
  if (untrustedEvent(eventName)) return []
  return [buildKey.replace(/[^-]*$/, '')]
}

/**
 * Why saving these archive patterns would upload a credential, or undefined. The credentials live in
 * their own directory under RUNNER_TEMP (removed before the save, but a failed removal must not leak
 * them): a path to save that contains that directory, or RUNNER_TEMP itself, is refused.
 */
export function credentialsInside(
  patterns: readonly string[],
  credentialDirs: readonly string[]
): string | undefined {
  const roots = patterns.filter((p) => !p.startsWith('!')).map(globRoot)
  for (const dir of credentialDirs.filter(Boolean)) {
    for (const root of roots) {
      const rel = path.relative(root, dir)
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)))
        return `${root} contains ${dir}, where this action keeps credentials`
    }
  }
  return undefined
}

/** The directory part of a glob pattern before its first wildcard. */
function globRoot(pattern: string): string {
  const parts = pattern.split(/[\\/]/)
  const i = parts.findIndex((p) => /[*?[]/.test(p))
  const kept = i < 0 ? parts : parts.slice(0, i)
  return path.resolve(kept.join('/') || '/')
}

export interface SaveInput {
  mode: CacheSaveMode
  /** What main's restore found (undefined: main never got to the cache). */
  outcome: CacheOutcome | undefined
  /** State.download, undefined when main did not get to the download. */
  download: { ok: boolean; cacheCorrupt: boolean } | undefined
  /** Whether the module cache differs from what was restored. */
  changed: boolean
  /** Whether there is anything to save at all. */
  hasContent: boolean
  /** GITHUB_EVENT_NAME. */
  event?: string
}

export interface SaveDecision {
  save: boolean
  /** For the summary: why (not). */
  reason: string
}

/**
 * When post saves. `auto`: the primary key missed, the download succeeded and the cache changed, and the
 * run is not one of the UNTRUSTED_EVENTS. `always`: the primary key missed and the cache is not known to be
 * corrupt, even when the download or a later step failed (what was downloaded is kept; go writes every
 * module atomically, so a partial cache is incomplete, not broken). `never`: restore only. A corrupt cache
 * is never saved, whatever the mode. Modules the restore's verification purged were downloaded again by
 * go (which checks them against go.sum), so a repaired cache is saved like any other.
 *
 * Note: the post step cannot see the job's status (the runner gives post steps no job.status), so `auto`
 * also saves after a later step failed; what `always` adds is saving after a failed download.
 */
export function decideSave(p: SaveInput): SaveDecision {
  if (p.mode === 'never') return { save: false, reason: "cache-save is 'never' (restore only)" }
  if (p.outcome === undefined) return { save: false, reason: 'the main step did not reach the cache restore' }
  if (p.outcome === 'disabled') return { save: false, reason: 'caching is disabled' }
  if (p.outcome === 'unavailable')
    return { save: false, reason: 'the cache service was unavailable in the main step' }
  if (p.outcome === 'corrupt' || p.download?.cacheCorrupt)
    return {
      save: false,
      reason:
        'the restored module cache was corrupt (purged and downloaded again); a corrupt state is never saved'
    }
  if (p.outcome === 'exact')
    return { save: false, reason: 'exact key hit: the entry already exists (entries are immutable)' }
  const untrusted = untrustedEvent(p.event)
  if (untrusted && p.mode === 'auto')
    return { save: false, reason: `${untrusted} (cache-save: always saves anyway)` }
  if (!p.hasContent) return { save: false, reason: 'the module cache is empty' }
  // 'always' saves a restore that was complete for this go.sum as it is (the next run then hits its key
  // exactly), but not one the download could not complete and added nothing to: under the new key it
  // would be an exact hit for every later run of this go.sum, and so never be completed.
  // The main step stopped before its download finished: restored zips it left to go to check may never
  // have been checked (the download is where go checks them).
  if (p.mode === 'always' && p.download === undefined)
    return {
      save: false,
      reason:
        'the main step stopped before the download finished, so the restored content was not all checked'
    }
  if (p.mode === 'always')
    return p.changed || p.download?.ok
      ? { save: true, reason: "cache-save is 'always' and the primary key missed" }
      : {
          save: false,
          reason:
            'the download did not complete and added nothing to the restored module cache (saved under this key, it would be an exact hit that later runs never complete)'
        }
  if (!p.download) return { save: false, reason: 'the download did not run to its end in the main step' }
  if (!p.download.ok)
    return { save: false, reason: "the download failed (cache-save 'always' would save what was downloaded)" }
  if (!p.changed) return { save: false, reason: 'nothing was downloaded: the module cache is unchanged' }
  return { save: true, reason: 'the primary key missed and the download added modules' }
}

/**
 * Upper bound for saving GOCACHE. The build cache grows with every build and test run and is never
 * trimmed by go within a job (it evicts after 5 days of disuse only); past a few GiB the upload and the
 * next job's download cost more than the compilation they save on a 2-core runner, and the repository's
 * 10 GB cache quota starts evicting module-cache entries, which matter more.
 */
export const BUILD_CACHE_LIMIT_BYTES = 2 * 1024 * 1024 * 1024

export interface BuildSaveInput {
  mode: CacheSaveMode
  key: string
  matchedKey: string
  /** The module cache's restore outcome. */
  outcome: CacheOutcome
  download: { ok: boolean; cacheCorrupt: boolean } | undefined
  event?: string
}

/**
 * Why the build cache is not saved (cheap rules, before its size is measured), or undefined. It is saved
 * whenever its own key missed, the module cache is not corrupt, the main step ran its download, (auto)
 * that download succeeded, and the event is an ordinary one: nothing can verify a build cache, so on
 * an event where untrusted code runs it is not saved whatever cache-save says (a restore on a later
 * run would take it as an exact hit).
 */
export function buildSaveBlocker(p: BuildSaveInput): string | undefined {
  if (p.mode === 'never') return 'not saved (cache-save: never)'
  if (p.matchedKey === p.key) return 'not saved: exact key hit'
  if (p.outcome === 'unavailable') return 'not saved: the cache service failed'
  if (p.outcome === 'corrupt' || p.download?.cacheCorrupt) return 'not saved: the module cache was corrupt'
  const untrusted = untrustedEvent(p.event)
  if (untrusted)
    return `not saved: ${untrusted}; a build cache cannot be verified, so not even with cache-save: always`
  if (p.download === undefined)
    return 'not saved: the main step stopped before its download (nothing new was built with it)'
  if (p.mode === 'auto' && !p.download.ok) return 'not saved: the download failed'
  return undefined
}

/** The size rule of the build cache, with the notice that says what to do. */
export function buildSizeBlocker(bytes: number, dir: string): { line: string; notice: string } | undefined {
  if (bytes <= BUILD_CACHE_LIMIT_BYTES) return undefined
  const gib = (bytes / 2 ** 30).toFixed(1)
  return {
    line: `not saved: ${gib} GiB is over the 2 GiB bound`,
    notice:
      `Build cache: not saved: ${dir} holds ${gib} GiB, over the 2 GiB bound (uploading it would cost more than ` +
      `the builds it saves, and would evict module-cache entries from the repository's quota). Cache fewer ` +
      `build outputs, or run 'go clean -cache' before the job ends.`
  }
}

// ---------------------------------------------------------------------------------------------------------
// Saving under the cache service's limits

/** What a save came to, from what @actions/cache logged (toolkit-log.ts). */
export type SaveOutcome =
  | { kind: 'saved' }
  /** 409: another job created the key first. */
  | { kind: 'exists'; message: string }
  /** 429 (the service allows about 200 uploads a minute per repository). */
  | { kind: 'rate-limited'; message: string; retryAfterMs?: number }
  /** 5xx. */
  | { kind: 'unavailable'; message: string; retryAfterMs?: number }
  /** The run's cache token is read-only (the service answers `cache write denied:`, e.g. an untrusted event). */
  | { kind: 'denied'; message: string }
  | { kind: 'failed'; message: string }

export function classifySave(w: {
  value: number | undefined
  failure?: string
  collision?: string
  lastStatus: number
  retryAfterSeconds?: number
}): SaveOutcome {
  if (w.value !== undefined && w.value !== -1) return { kind: 'saved' }
  const retryAfterMs = w.retryAfterSeconds !== undefined ? w.retryAfterSeconds * 1000 : undefined
  const message = w.failure ?? w.collision ?? 'the cache service did not accept the entry'
  // @actions/cache's CacheWriteDeniedError: its message starts like a reservation conflict, but is a policy.
  if (/cache write denied:/.test(message)) return { kind: 'denied', message }
  // The twirp client turns a 429 into "Unable to reserve cache" like a 409; its status line tells them apart.
  if (w.lastStatus === 429) return { kind: 'rate-limited', message, retryAfterMs }
  if (
    w.lastStatus >= 500 ||
    /\b5\d\d\b|Service Unavailable|Bad Gateway|Gateway Time-?out/i.test(w.failure ?? '')
  )
    return { kind: 'unavailable', message, retryAfterMs }
  if (w.collision) return { kind: 'exists', message }
  return { kind: 'failed', message }
}

/** The longest Retry-After a save waits for (the post step must stay short); past it, no retry. */
export const SAVE_RETRY_MAX_WAIT_MS = 60_000
/** A 429 without Retry-After waits this long before its one retry. */
export const SAVE_RETRY_DEFAULT_WAIT_MS = 10_000

/**
 * The wait before the one retry of a save, or undefined for no retry: a 429 (its Retry-After, or 10 s),
 * a 5xx that said Retry-After (the client already retried a 5xx on its own), within the bound.
 */
export function saveRetryDelay(o: SaveOutcome, maxWaitMs = SAVE_RETRY_MAX_WAIT_MS): number | undefined {
  let wait: number | undefined
  if (o.kind === 'rate-limited') wait = o.retryAfterMs ?? SAVE_RETRY_DEFAULT_WAIT_MS
  else if (o.kind === 'unavailable') wait = o.retryAfterMs
  return wait !== undefined && wait <= maxWaitMs ? wait : undefined
}

/** Key-file paths shown to a user: relative to the working directory when under it. */
export function displayPath(file: string, workingDirectory: string): string {
  const rel = path.relative(workingDirectory, file)
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file
}
