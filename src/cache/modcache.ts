/**
 * The module cache around the download: `restoreModuleCache` in main (key -> restore with restore-keys ->
 * integrity check, purge when corrupt), `saveModuleCache` in post (decide -> save). Restore and save go
 * through the real @actions/cache client; nothing here ever fails the job for a cache problem: a broken
 * or absent cache service is a warning and a run without cache.
 *
 * What main hands to post (State.cache, JSON): the CacheRestore plus what post needs to decide and to
 * save under the same cache version (the archive patterns are part of the version @actions/cache
 * computes, so post must pass exactly the patterns main restored with).
 */
import * as cache from '@actions/cache'
import * as core from '@actions/core'
import * as io from '@actions/io'
import path from 'node:path'
import type { GoEnv } from '../go/env.js'
import type { CacheConfig, CacheSaveMode } from '../inputs.js'
import { State } from '../state.js'
import type { CacheRestore, CacheSaveReport, GoInstallation } from '../types.js'
import {
  directorySize,
  findKeyFiles,
  fingerprintModuleCache,
  hashKeyFiles,
  isPopulated,
  readGoSums
} from './files.js'
import { checkModuleCache, purgeModuleCache } from './integrity.js'
import { BUILD_KEY_PREFIX, cacheKey, runnerPlatform } from './key.js'
import { decideSave, displayPath, moduleCachePaths } from './policy.js'

export interface CacheContext {
  workingDirectory: string
  go: GoInstallation
  goEnv: GoEnv
}

/** One cache entry (the module cache, or the build cache in its own entry). */
interface EntryState {
  key: string
  /** Patterns passed to @actions/cache (part of the cache version: identical in main and post). */
  patterns: string[]
  matchedKey: string
}

/** State.cache as written by main. */
export interface CacheState {
  restore: CacheRestore
  mode: CacheSaveMode
  gomodcache: string
  /** fingerprintModuleCache() right after the restore (and purge). */
  fingerprint: string
  modules: EntryState
  build?: EntryState & { dir: string }
}

// ---------------------------------------------------------------------------------------------------------
// Restore (main)

export async function restoreModuleCache(cfg: CacheConfig, ctx: CacheContext): Promise<CacheRestore> {
  const gomodcache = ctx.goEnv.GOMODCACHE ?? ''
  const base: CacheRestore = {
    outcome: 'disabled',
    key: '',
    restoreKeys: [],
    matchedKey: '',
    paths: [],
    sizeBytes: 0,
    durationMs: 0,
    detail: ''
  }
  if (!cfg.enabled) return remember(cfg, { ...base, detail: 'cache: false' })
  if (!gomodcache) {
    return remember(cfg, { ...base, detail: 'go env GOMODCACHE is empty (GOPATH unset?): nothing to cache' })
  }

  const { files, fallback } = await findKeyFiles(cfg.dependencyPath, ctx.workingDirectory)
  if (fallback) core.warning(fallback)
  if (files.length === 0) {
    const detail = `no go.sum or go.mod under ${ctx.workingDirectory} to key the cache on; caching is off for this run`
    core.warning(
      cfg.dependencyPath.length > 0
        ? `Input 'cache-dependency-path' matched no file and ${detail}. Check 'working-directory' and the globs.`
        : `Found ${detail}. Check 'working-directory'.`
    )
    return remember(cfg, { ...base, detail })
  }
  core.info(`Cache key files: ${files.map((f) => displayPath(f, ctx.workingDirectory)).join(', ')}`)

  const platform = runnerPlatform(process.platform, process.arch)
  const hash = await hashKeyFiles(files)
  const keys = cacheKey({ ...platform, goVersion: ctx.go.version, hash, suffix: cfg.keySuffix })
  const modules: EntryState = { key: keys.key, patterns: moduleCachePaths(gomodcache), matchedKey: '' }
  const build =
    cfg.build && ctx.goEnv.GOCACHE
      ? buildEntry(ctx.goEnv.GOCACHE, platform, ctx.go.version, hash, cfg.keySuffix)
      : undefined
  const result: CacheRestore = {
    ...base,
    key: keys.key,
    restoreKeys: keys.restoreKeys,
    paths: build ? [gomodcache, build.dir] : [gomodcache]
  }

  if (!cacheServiceAvailable()) {
    const detail =
      'the Actions cache service is not available to this job (no ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL: a GHES ' +
      'without cache, or a local runner)'
    core.warning(`Module cache: ${detail}; continuing without cache.`)
    return remember(cfg, { ...result, outcome: 'unavailable', detail }, gomodcache, modules, build)
  }

  const started = performance.now()
  const populated = await isPopulated(gomodcache)
  if (populated && !(await canMergeIntoPopulated())) {
    const detail = `${gomodcache} is already populated and this runner's tar cannot extract over go's read-only module directories; restore skipped`
    core.info(`Module cache: ${detail}.`)
    return remember(cfg, { ...result, outcome: 'miss', detail }, gomodcache, modules, build)
  }
  const restored = await withToolkitLog(
    () => cache.restoreCache(modules.patterns, keys.key, keys.restoreKeys),
    populated ? { TAR_OPTIONS: skipOldFiles() } : {}
  )
  // After a service failure the build cache is not tried: the client would wait out the same outage
  // again (5 attempts, ~24 s of its own backoff, measured on the bench with a 503 on every call).
  if (build) {
    result.build = restored.failure
      ? 'not restored: the cache service failed'
      : await restoreBuildCache(build)
  }
  modules.matchedKey = restored.value ?? ''
  result.matchedKey = modules.matchedKey
  result.sizeBytes = restored.archiveBytes ?? 0

  if (restored.failure) {
    result.outcome = 'unavailable'
    result.detail = `the cache service failed (${restored.failure}); continued without cache`
    core.warning(`Module cache: ${result.detail}.`)
  } else if (!restored.value) {
    result.outcome = 'miss'
    result.detail = populated ? `no entry yet; kept what ${gomodcache} already held` : 'no entry yet'
  } else {
    result.outcome = restored.value === keys.key ? 'exact' : 'partial'
    if (populated) result.detail = `merged into the already populated ${gomodcache} (existing files kept)`
  }

  // After a failed restore too: tar may have stopped half-way through a file.
  if (restored.value || restored.failure) {
    const report = await checkModuleCache(gomodcache, await readGoSums(files))
    core.info(
      `Module cache integrity: ${report.modules} modules checked in ${report.durationMs} ms, ${report.problems.length} damaged.`
    )
    if (report.problems.length > 0) {
      await purgeModuleCache(gomodcache)
      const first = report.problems[0] as { module: string; problem: string }
      const entry = modules.matchedKey || 'the partial restore'
      result.outcome = 'corrupt'
      result.detail =
        `${report.problems.length} of ${report.modules} modules in ${entry} are damaged (${first.module}: ${first.problem}); ` +
        `purged the module cache and downloading everything again; this run will not save it. If every run hits ` +
        `this entry, delete it (gh cache delete ${entry}) or change 'cache-key-suffix'.`
      core.warning(`Module cache: ${result.detail}`)
    }
  }
  result.durationMs = Math.round(performance.now() - started)
  return remember(cfg, result, gomodcache, modules, build)
}

function buildEntry(
  gocache: string,
  platform: { os: string; arch: string },
  goVersion: string,
  hash: string,
  suffix: string
): EntryState & { dir: string } {
  const keys = cacheKey({ ...platform, goVersion, hash, suffix, prefix: BUILD_KEY_PREFIX })
  return { key: keys.key, patterns: [gocache], matchedKey: '', dir: gocache }
}

/**
 * GOCACHE in its own entry: it is large, changes on every build and is only wanted with
 * `cache-build: true`, so it must not make the module cache entry bigger or miss more often. Its
 * problems are logged and never change the module cache's outcome.
 */
async function restoreBuildCache(build: EntryState & { dir: string }): Promise<string> {
  const prefix = build.key.replace(/[^-]*$/, '')
  const restored = await withToolkitLog(() => cache.restoreCache(build.patterns, build.key, [prefix]), {})
  build.matchedKey = restored.value ?? ''
  if (restored.failure) {
    core.warning(`Build cache: the cache service failed (${restored.failure}); continuing without it.`)
    return `not restored: the cache service failed (${restored.failure})`
  }
  const line = restored.value ? `restored \`${restored.value}\`` : `miss: \`${build.key}\``
  core.info(`Build cache: ${line}.`)
  return line
}

/** Saves what post needs (State.cache) and returns the restore result. */
async function remember(
  cfg: CacheConfig,
  restore: CacheRestore,
  gomodcache = '',
  modules: EntryState = { key: restore.key, patterns: [], matchedKey: '' },
  build?: EntryState & { dir: string }
): Promise<CacheRestore> {
  const fingerprint = gomodcache ? (await fingerprintModuleCache(gomodcache)).hash : ''
  const state: CacheState = { restore, mode: cfg.save, gomodcache, fingerprint, modules, build }
  core.saveState(State.cache, JSON.stringify(state))
  return restore
}

/** GNU tar reads extra options from TAR_OPTIONS; --skip-old-files keeps what is already on disk. */
function skipOldFiles(): string {
  return [process.env.TAR_OPTIONS, '--skip-old-files'].filter(Boolean).join(' ')
}

/**
 * Restoring over a populated GOMODCACHE: go makes module directories read-only, so tar's default (unlink
 * the old file, write the new one) fails with "Cannot open: File exists" for a non-root user, and
 * @actions/cache then reports the whole restore as failed after extracting half of it. GNU tar can be
 * told to keep existing files instead (TAR_OPTIONS=--skip-old-files); an existing module file is the same
 * content (the cache is addressed by module@version) or damaged, which the integrity check then finds.
 * @actions/cache uses GNU tar on Linux, gtar on macOS when installed, and on Windows GNU tar when
 * present; where it would use BSD tar, restore is skipped instead.
 */
async function canMergeIntoPopulated(): Promise<boolean> {
  if (process.platform === 'linux') return true
  if (process.platform === 'darwin') return (await io.which('gtar', false)) !== ''
  return false
}

// ---------------------------------------------------------------------------------------------------------
// Save (post)

const none = (reason: string, key = ''): CacheSaveReport => ({
  saved: false,
  key,
  reason,
  sizeBytes: 0,
  durationMs: 0
})

export async function saveModuleCache(): Promise<CacheSaveReport> {
  const raw = core.getState(State.cache)
  if (!raw) return none('the main step did not reach the cache restore')
  const state = JSON.parse(raw) as CacheState
  const download = parseDownload(core.getState(State.download))
  const gomodcache = state.gomodcache
  const fingerprint = gomodcache ? await fingerprintModuleCache(gomodcache) : { hash: '', files: 0 }
  const decision = decideSave({
    mode: state.mode,
    outcome: state.restore.outcome,
    download,
    changed: fingerprint.hash !== state.fingerprint,
    hasContent: fingerprint.files > 0
  })
  core.info(
    `Module cache: ${decision.save ? 'saving' : 'not saving'} ${state.restore.key}: ${decision.reason}.`
  )
  const build = state.build ? await saveBuildCache(state, download) : undefined
  const report = await saveModuleEntry(state, decision, gomodcache)
  return build ? { ...report, build } : report
}

async function saveModuleEntry(
  state: CacheState,
  decision: { save: boolean; reason: string },
  gomodcache: string
): Promise<CacheSaveReport> {
  if (!decision.save) return none(decision.reason, state.restore.key)
  if (!cacheServiceAvailable())
    return none('the Actions cache service is not available to this job', state.restore.key)

  const started = performance.now()
  const saved = await withToolkitLog(() => cache.saveCache(state.modules.patterns, state.restore.key), {})
  const durationMs = Math.round(performance.now() - started)
  const sizeBytes = saved.archiveBytes ?? (await directorySize(path.join(gomodcache, 'cache', 'download')))
  if (saved.value !== -1 && saved.value !== undefined) {
    return { saved: true, key: state.restore.key, reason: decision.reason, sizeBytes, durationMs }
  }
  if (saved.collision) {
    core.notice(
      `Module cache: ${state.restore.key} was saved by another job first (${saved.collision}); nothing to do.`
    )
    return { ...none(`another job saved ${state.restore.key} first`, state.restore.key), durationMs }
  }
  const why = saved.failure ?? 'the cache service did not accept the entry'
  core.warning(
    `Module cache: not saved: ${why}. The next run restores the previous entry and downloads the difference.`
  )
  return { ...none(`the cache service failed: ${why}`, state.restore.key), durationMs }
}

/**
 * Upper bound for saving GOCACHE. The build cache grows with every build and test run and is never
 * trimmed by go within a job (it evicts after 5 days of disuse only); past a few GiB the upload and the
 * next job's download cost more than the compilation they save on a 2-core runner, and the repository's
 * 10 GB cache quota starts evicting module-cache entries, which matter more.
 */
export const BUILD_CACHE_LIMIT_BYTES = 2 * 1024 * 1024 * 1024

/** The build cache is saved whenever its own key missed, the module cache is not corrupt, and it is not too large. */
async function saveBuildCache(
  state: CacheState,
  download: { ok: boolean; cacheCorrupt: boolean } | undefined
): Promise<string | undefined> {
  const build = state.build
  if (!build) return undefined
  if (state.mode === 'never') return 'not saved (cache-save: never)'
  if (build.matchedKey === build.key) return 'not saved: exact key hit'
  if (state.restore.outcome === 'unavailable') return 'not saved: the cache service failed'
  if (download?.cacheCorrupt) return 'not saved: the module cache was corrupt'
  if (state.mode === 'auto' && !download?.ok) return 'not saved: the download failed'
  if (!cacheServiceAvailable()) return 'not saved: no cache service'
  if (!(await isPopulated(build.dir))) return 'not saved: nothing was built'
  const size = await directorySize(build.dir)
  if (size > BUILD_CACHE_LIMIT_BYTES) {
    core.notice(
      `Build cache: not saved: ${build.dir} holds ${(size / 2 ** 30).toFixed(1)} GiB, over the 2 GiB bound (uploading it would cost more than the builds it saves, and would evict module-cache entries from the repository's quota). Cache fewer build outputs, or run 'go clean -cache' before the job ends.`
    )
    return `not saved: ${(size / 2 ** 30).toFixed(1)} GiB is over the 2 GiB bound`
  }
  const saved = await withToolkitLog(() => cache.saveCache(build.patterns, build.key), {})
  const line = saved.failure
    ? `not saved: ${saved.failure}`
    : saved.value !== -1
      ? `saved \`${build.key}\``
      : `not saved (${saved.collision ?? 'not accepted'})`
  if (saved.failure) core.warning(`Build cache: ${line}.`)
  else core.info(`Build cache: ${line}.`)
  return line
}

/**
 * Whether a cache service is configured. @github/local-action (`npm run local-action`) swaps in a stand-in
 * for @actions/cache that has only restoreCache/saveCache (a local directory), which is always available.
 */
function cacheServiceAvailable(): boolean {
  return typeof cache.isFeatureAvailable !== 'function' || cache.isFeatureAvailable()
}

function parseDownload(raw: string): { ok: boolean; cacheCorrupt: boolean } | undefined {
  if (!raw) return undefined
  try {
    const v = JSON.parse(raw) as { ok?: unknown; cacheCorrupt?: unknown }
    return { ok: v.ok === true, cacheCorrupt: v.cacheCorrupt === true }
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------------------
// What @actions/cache only logs

interface Watched<T> {
  value: T
  /** The service/extraction error @actions/cache logged instead of throwing. */
  failure?: string
  /** The reservation conflict of a save (another job created the key). */
  collision?: string
  /** Archive size it reported. */
  archiveBytes?: number
}

/**
 * Runs a @actions/cache call and reads what it logs. restoreCache and saveCache catch every error except
 * a ValidationError and only log it (core.warning, or core.error for a 5xx): a restore that failed
 * returns undefined exactly like a miss, and a save that failed returns -1 exactly like a save another
 * job won. The log lines are the only place the difference shows, so they are read here while the call
 * runs; its `::warning::`/`::error::` failure lines are held back and reported once by the caller as
 * one warning that says what happens next (a cache outage must not read as a failed job).
 * `env` is set for the duration of the call (TAR_OPTIONS for the tar it spawns).
 */
async function withToolkitLog<T>(fn: () => Promise<T>, env: Record<string, string>): Promise<Watched<T>> {
  const out: Omit<Watched<T>, 'value'> = {}
  // The twirp client parses every answer as JSON before it looks at the status, so a 503 page from a
  // front end surfaces only as "Unexpected token 'S', "Service Unavailable" is not valid JSON"; the
  // status is in its debug line alone (`[Response] - 503`), which is read here and added to the failure.
  let lastStatus = 0
  const stdout = process.stdout
  const write = stdout.write
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  Object.assign(process.env, env)
  stdout.write = function (chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk)
    const failure = /^::(?:warning|error)(?: [^:]*)?::Failed to (?:restore|save): (.*)$/m.exec(text)
    const reservation =
      /^(?:::warning::)?(?:Failed to save: )?((?:Unable to reserve cache|Cache reservation failed).*)$/m.exec(
        text
      )
    const size = /Cache Size: ~\d+ MB \((\d+) B\)/.exec(text)
    if (size) out.archiveBytes = Number(size[1])
    const status = /^::debug::\[Response\] - (\d{3})$/m.exec(text)
    if (status) lastStatus = Number(status[1])
    if (failure && !/Unable to reserve cache/.test(failure[1] as string)) {
      out.failure = unescapeCommand(failure[1] as string)
      return true
    }
    if (reservation) {
      out.collision = unescapeCommand(reservation[1] as string)
      if (text.startsWith('::')) return true
    }
    return (write as (...a: unknown[]) => boolean).call(stdout, chunk, ...rest)
  } as typeof stdout.write
  try {
    const value = await fn()
    if (out.failure && lastStatus >= 400 && !out.failure.includes(String(lastStatus)))
      out.failure = `HTTP ${lastStatus} from the cache service: ${out.failure}`
    return { value, ...out }
  } finally {
    stdout.write = write
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** @actions/core escapes `%`, CR and LF in command messages. */
function unescapeCommand(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%').trim()
}

/** Exported for tests: the log reader, so a test can feed it what @actions/cache prints. */
export const _internal = { withToolkitLog }
