/**
 * Pure decisions of the module cache: what goes into the archive, and whether the post step saves.
 * modcache.ts does the effects around them.
 */
import path from 'node:path'
import type { CacheSaveMode } from '../inputs.js'
import type { CacheOutcome } from '../types.js'

/**
 * The archive paths for a GOMODCACHE: the extracted module trees and `cache/download` (zips, .mod,
 * .info, .ziphash, sumdb tiles), but not `cache/vcs`.
 *
 * cache/vcs holds bare git clones made for `direct`/private modules; go needs them only to resolve a
 * version it does not have yet (and then fetches anyway), never to build or to `go mod download` what
 * go.sum lists, and a clone is typically many times the size of the module zip. cache/download alone
 * (without the trees) is half the archive, but go then unzips every module again during
 * `go mod download`. Measured on the bench (tar + zstd as @actions/cache does it, 2 cores):
 *
 *   modules x size   archive: trees+download / download only   restore + offline `go mod download`
 *   100 x 32 KB      5.0 MB / 2.5 MB                           53+28 ms  /  35+75 ms
 *   300 x 128 KB     60 MB  / 30 MB                           230+75 ms / 105+450 ms
 *
 * so trees+download is the faster warm start while the cache transfers at more than ~100 MB/s (the
 * hosted cache does); see the e2e measurements for the whole restore through the cache client.
 *
 * @actions/cache globs these patterns with implicitDescendants off: `<modcache>/*` lists each top-level
 * entry (host directories and `cache`), `!<modcache>/cache` drops `cache`, and `cache/download` brings
 * back its one wanted child. The patterns (not the matches) also go into the cache version, so they must
 * be the same in main and post: they are derived from GOMODCACHE only.
 */
export function moduleCachePaths(gomodcache: string): string[] {
  const base = gomodcache.replace(/[\\/]+$/, '')
  return [`${base}/*`, `!${base}/cache`, `${base}/cache/download`]
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
}

export interface SaveDecision {
  save: boolean
  /** For the summary: why (not). */
  reason: string
}

/**
 * When post saves. `auto`: the primary key missed, the download succeeded and the cache changed.
 * `always`: the primary key missed and the cache is not known to be corrupt, even when the download or a
 * later step failed (what was downloaded is kept; go writes every module atomically, so a partial cache
 * is incomplete, not broken). `never`: restore only. A corrupt cache is never saved, whatever the mode.
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
  if (!p.hasContent) return { save: false, reason: 'the module cache is empty' }
  if (p.mode === 'always') return { save: true, reason: "cache-save is 'always' and the primary key missed" }
  if (!p.download) return { save: false, reason: 'the download did not run to its end in the main step' }
  if (!p.download.ok)
    return { save: false, reason: "the download failed (cache-save 'always' would save what was downloaded)" }
  if (!p.changed) return { save: false, reason: 'nothing was downloaded: the module cache is unchanged' }
  return { save: true, reason: 'the primary key missed and the download added modules' }
}

/** Key-file paths shown to a user: relative to the working directory when under it. */
export function displayPath(file: string, workingDirectory: string): string {
  const rel = path.relative(workingDirectory, file)
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file
}
