/**
 * The module cache before the download (main): key -> bounded restore with restore-keys -> content
 * verification against go.sum, purging what fails (`restoreModuleCache`), and after the download the
 * zips left to go settled (`settleHandedOver`). save.ts is the post step's half. Both go through the
 * real @actions/cache client (service.ts); nothing here fails the job for a cache problem (a broken,
 * slow or absent cache service is a warning and a run without cache), except a restored module cache
 * that can be neither checked nor emptied (class cache-corrupt: go must not build from it).
 *
 * What main hands to post is State.cache (state.ts: CacheState): the CacheRestore plus what post needs to
 * decide and to save under the same cache version (the archive patterns are part of the version
 * @actions/cache computes, so post must pass exactly the patterns main restored with).
 */
import * as core from '@actions/core'
import { ClassifiedError } from '../classified-error.js'
import fs from 'node:fs'
import { otherGoFilesInUse, type GoEnv } from '../go/env.js'
import type { CacheConfig } from '../config.js'
import { cacheState, type CacheState, type EntryState } from '../state.js'
import type { CacheRestore, DownloadResult, GoInstallation } from '../types.js'
import {
  findKeyFiles,
  fingerprintModuleCache,
  hashKeyFiles,
  isPopulated,
  readProjectSums,
  removeWritable
} from './files.js'
import {
  checkedByGo,
  checkedBySumDb,
  collectSums,
  deferZipsToGo,
  inventory,
  ziphashFile,
  purgeModules,
  verifyModuleCache,
  writeZiphashes,
  type ModuleProblem
} from './integrity.js'
import { BUILD_KEY_PREFIX, buildPlatform, cacheKey, runnerPlatform, type CacheKeys } from './key.js'
import { buildRestoreKeys, cacheLayout, displayPath, moduleCachePaths } from './policy.js'
import { toolkitGnuTar } from './archive.js'
import { restoreEntry, restoreTimeoutMs, serviceAvailable, type Restored } from './service.js'

export interface CacheContext {
  workingDirectory: string
  go: GoInstallation
  goEnv: GoEnv
  /** The download step runs after the restore (`download: true`): go checks the zips it extracts. */
  downloadFollows: boolean
}

type BuildEntry = EntryState & { dir: string }

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

  const keyed = await keyEntries(cfg, ctx, gomodcache)
  if ('detail' in keyed) return remember(cfg, { ...base, detail: keyed.detail })
  const { keys, modules, build } = keyed
  const result: CacheRestore = {
    ...base,
    key: keys.key,
    restoreKeys: keys.restoreKeys,
    paths: build ? [gomodcache, build.dir] : [gomodcache]
  }

  if (!(await serviceAvailable())) {
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
  // What a self-hosted runner's cache already held is its own: verification leaves those modules alone
  // unless a go.sum lists them.
  const preexisting = populated ? new Set((await inventory(gomodcache)).keys()) : undefined
  const timeoutMs = restoreTimeoutMs()
  const restored = await restoreEntry(modules.patterns, keys.key, keys.restoreKeys, {
    timeoutMs,
    env: populated ? { TAR_OPTIONS: skipOldFiles() } : {}
  })
  // After a service failure the build cache is not tried: the client would wait out the same outage
  // again (5 attempts, ~24 s of its own backoff, measured on the bench with a 503 on every call).
  if (build) {
    result.build =
      restored.failure || restored.timedOut
        ? 'not restored: the cache service failed'
        : await restoreBuildCache(build, timeoutMs)
  }
  modules.matchedKey = restored.value ?? ''
  result.matchedKey = modules.matchedKey
  result.sizeBytes = restored.archiveBytes ?? 0
  describeRestore(result, restored, { populated, gomodcache, key: keys.key, timeoutMs })

  // After a failed or abandoned restore too: tar may have stopped half-way through a file.
  if (restored.value || restored.failure || restored.timedOut) {
    try {
      await verifyRestored(result, { ctx, gomodcache, preexisting, entry: modules.matchedKey })
    } catch (error) {
      await unverifiable(result, gomodcache, error, modules.matchedKey)
    }
  }
  result.durationMs = Math.round(performance.now() - started)
  return remember(cfg, result, gomodcache, modules, build)
}

interface Keyed {
  keys: CacheKeys
  modules: EntryState
  build: BuildEntry | undefined
}

/** The key files, the keys and the archive patterns; a detail instead when there is nothing to key on. */
async function keyEntries(
  cfg: CacheConfig,
  ctx: CacheContext,
  gomodcache: string
): Promise<Keyed | { detail: string }> {
  const { files, fallback } = await findKeyFiles(cfg.dependencyPath, ctx.workingDirectory, ctx.goEnv)
  if (fallback) core.warning(fallback)
  if (files.length === 0) {
    const detail = `no go.sum or go.mod under ${ctx.workingDirectory} to key the cache on; caching is off for this run`
    core.warning(
      cfg.dependencyPath.length > 0
        ? `Input 'cache-dependency-path' matched no file and ${detail}. Check 'working-directory' and the globs.`
        : `Found ${detail}. Check 'working-directory'.`
    )
    return { detail }
  }
  core.info(`Cache key files: ${files.map((f) => displayPath(f, ctx.workingDirectory)).join(', ')}`)

  const platform = runnerPlatform(process.platform, process.arch)
  const hash = await hashKeyFiles(files)
  const keys = cacheKey({ ...platform, goVersion: ctx.go.version, hash, suffix: cfg.keySuffix })
  const modules: EntryState = {
    key: keys.key,
    patterns: moduleCachePaths(gomodcache, cacheLayout()),
    matchedKey: ''
  }
  const build =
    cfg.build && ctx.goEnv.GOCACHE
      ? buildEntry(
          ctx.goEnv.GOCACHE,
          buildPlatform(platform, process.arch, ctx.goEnv.GOARCH),
          ctx.go.version,
          hash,
          cfg.keySuffix
        )
      : undefined
  return { keys, modules, build }
}

/** Outcome and detail of the restore call itself (verification comes after). */
function describeRestore(
  result: CacheRestore,
  restored: Restored,
  p: { populated: boolean; gomodcache: string; key: string; timeoutMs: number }
): void {
  if (restored.refused) {
    const { key, problem } = restored.refused
    result.outcome = 'miss'
    result.detail = `refused the entry \`${key}\` before extracting it: ${problem}; continued without cache`
    core.warning(
      `Module cache: ${result.detail}. An entry this action saved holds only the module cache's files. ` +
        untrustedEntryAdvice(key)
    )
  } else if (restored.timedOut) {
    result.outcome = 'unavailable'
    result.detail =
      `the restore did not finish within ${Math.round(p.timeoutMs / 1000)} s (a stalled download or lookup); ` +
      `continued without cache`
    core.warning(`Module cache: ${result.detail}.`)
  } else if (restored.failure) {
    result.outcome = 'unavailable'
    result.detail = `the cache service failed (${restored.failure}); continued without cache`
    core.warning(`Module cache: ${result.detail}.`)
  } else if (!restored.value) {
    result.outcome = 'miss'
    result.detail = p.populated ? `no entry yet; kept what ${p.gomodcache} already held` : 'no entry yet'
  } else {
    result.outcome = restored.value === p.key ? 'exact' : 'partial'
    if (p.populated) result.detail = `merged into the already populated ${p.gomodcache} (existing files kept)`
  }
}

/**
 * Checks what the restore brought against go.sum by content (integrity.ts) and purges what fails, so the
 * download step fetches it again. Altered or damaged content is a warning naming the modules; versions no
 * go.sum lists (a restore-key match still holds the versions before a bump) are only logged.
 */
async function verifyRestored(
  result: CacheRestore,
  p: { ctx: CacheContext; gomodcache: string; preexisting: ReadonlySet<string> | undefined; entry: string }
): Promise<void> {
  const project = await readProjectSums(p.ctx.workingDirectory, p.ctx.goEnv)
  const sums = collectSums(project.sums)
  const report = await verifyModuleCache(p.gomodcache, {
    sums,
    bySumDb: checkedBySumDb(p.ctx.goEnv),
    preexisting: p.preexisting,
    deferToGo: p.ctx.downloadFollows
      ? checkedByGo(project.perModule, otherGoFilesInUse(p.ctx.goEnv))
      : undefined
  })
  if (report.problems.length > 0) await purgeModules(p.gomodcache, report.problems)
  if (report.deferred.length > 0) await deferZipsToGo(p.gomodcache, report.deferred)
  await writeZiphashes(p.gomodcache, report.ziphashes)
  const bad = report.problems.filter((x) => x.kind !== 'untrusted')
  const untrusted = report.problems.filter((x) => x.kind === 'untrusted')
  core.info(
    `Module cache verification: ${report.modules} module versions checked against go.sum by content in ` +
      `${report.durationMs} ms (of them ${report.deferred.length} zips left to go, which checks them against ` +
      `go.sum as it extracts them); ${bad.length} altered or damaged, ${untrusted.length} not in any go.sum (purged).`
  )
  result.verification = {
    modules: report.modules,
    durationMs: report.durationMs,
    purged: report.problems.map(({ module, kind, problem }) => ({ module, kind, problem })),
    deferred: report.deferred
  }
  if (untrusted.length > 0)
    core.info(`Purged module versions no go.sum lists: ${untrusted.map((x) => x.module).join(', ')}`)
  if (bad.length === 0) return
  const entry = p.entry || 'the partial restore'
  const note =
    `${bad.length} of ${report.modules} restored modules failed verification against go.sum: their cached ` +
    `content was altered or damaged (${listProblems(bad)}); purged them, downloading them again`
  result.detail = result.detail ? `${result.detail}; ${note}` : note
  core.warning(`Module cache: ${note}. ${untrustedEntryAdvice(entry)}`)
}

/**
 * The restored cache could not be read to be checked (e.g. EACCES on something tar extracted): nothing of
 * it may be used or saved. The module cache is emptied (a self-hosted runner's own content with it) and
 * the job goes on as after a damaged restore. Only when it cannot be emptied does the step fail: go would
 * build from content nobody checked.
 */
async function unverifiable(
  result: CacheRestore,
  gomodcache: string,
  error: unknown,
  entry: string
): Promise<void> {
  const why = error instanceof Error ? error.message : String(error)
  let cleared = true
  try {
    await removeWritable(gomodcache)
  } catch {
    cleared = false
  }
  result.outcome = 'corrupt'
  const advice = untrustedEntryAdvice(entry || 'the restored entry')
  if (!cleared)
    throw new ClassifiedError(
      `Module cache: the restored module cache could not be checked (${why}), and ${gomodcache} could not be emptied: go would use content nobody checked. Remove ${gomodcache} on this runner (as the user that can), and run the job again. ${advice}`,
      'cache-corrupt'
    )
  result.detail = `the restored module cache could not be checked (${why}); emptied it`
  core.warning(`Module cache: ${result.detail}. ${advice}`)
}

/** What to do about a cache entry that held altered modules. */
function untrustedEntryAdvice(entry: string): string {
  return (
    `Whoever could write ${entry} could change code this job builds: treat it as untrusted and delete it ` +
    `(gh cache delete ${entry}), and check which jobs can write this repository's cache.`
  )
}

/**
 * After the download: what go found in the zips the restore left to it (CacheVerification.deferred), in
 * the cache's report for the summary, and the handed-over zips go did not touch (not in this download's
 * module list) checked here after all, so every restored module is checked by content in this job.
 */
export async function settleHandedOver(
  cache: CacheRestore,
  download: Pick<DownloadResult, 'alteredRestored'>,
  ctx: CacheContext
): Promise<CacheRestore> {
  const v = cache.verification
  if (!v || v.deferred.length === 0) return cache
  const gomodcache = ctx.goEnv.GOMODCACHE ?? ''
  const altered = new Set(download.alteredRestored)
  // go writes the .ziphash back once it has checked the zip; without one, go has not used it in this job.
  const untouched = v.deferred.filter((k) => {
    const file = ziphashFile(gomodcache, k)
    return !altered.has(k) && file !== undefined && !fs.existsSync(file)
  })
  const purged = [
    ...v.purged,
    ...[...altered].map((module) => ({
      module,
      kind: 'altered' as const,
      problem: "go's check of the restored zip against go.sum failed"
    }))
  ]
  let durationMs = v.durationMs
  const sums = collectSums((await readProjectSums(ctx.workingDirectory, ctx.goEnv)).sums)
  const bySumDb = checkedBySumDb(ctx.goEnv)
  // go leaves a zip it refused in place; the download purges it before its next attempt, but not when
  // that attempt was its last (another module failed for good) or the purge failed. Checked again here
  // (a retry may have downloaded it since) and purged if still wrong, so no save can keep it.
  if (altered.size > 0) {
    const again = await verifyModuleCache(gomodcache, {
      sums,
      bySumDb,
      only: altered
    })
    durationMs += again.durationMs
    if (again.problems.length > 0) await purgeModules(gomodcache, again.problems)
  }
  if (untouched.length > 0) {
    const report = await verifyModuleCache(gomodcache, {
      sums,
      bySumDb,
      only: new Set(untouched)
    })
    durationMs += report.durationMs
    await writeZiphashes(gomodcache, report.ziphashes)
    if (report.problems.length > 0) {
      await purgeModules(gomodcache, report.problems)
      core.warning(
        `Module cache: ${report.problems.length} restored modules this download did not use failed verification ` +
          `against go.sum (${listProblems(report.problems)}); purged them.`
      )
    }
    purged.push(...report.problems.map(({ module, kind, problem }) => ({ module, kind, problem })))
  }
  const result: CacheRestore = { ...cache, verification: { ...v, purged, durationMs } }
  // Post decides on what was purged: the state main saved at the restore learns these purges too (the
  // runner keeps the last value written for a name).
  if (savedState) {
    savedState = { ...savedState, restore: result }
    cacheState.save(savedState)
  }
  const bad = purged.length - v.purged.length
  if (bad > 0)
    core.warning(`Module cache: ${untrustedEntryAdvice(cache.matchedKey || 'the partial restore')}`)
  return result
}

function listProblems(problems: readonly ModuleProblem[]): string {
  const shown = problems.slice(0, 5).map((x) => `${x.module}: ${x.kind}, ${x.problem}`)
  if (problems.length > 5) shown.push(`and ${problems.length - 5} more`)
  return shown.join('; ')
}

function buildEntry(
  gocache: string,
  platform: { os: string; arch: string },
  goVersion: string,
  hash: string,
  suffix: string
): BuildEntry {
  const keys = cacheKey({ ...platform, goVersion, hash, suffix, prefix: BUILD_KEY_PREFIX })
  return { key: keys.key, patterns: [gocache], matchedKey: '', dir: gocache }
}

/**
 * GOCACHE in its own entry: it is large, changes on every build and is only wanted with
 * `cache-build: true`, so it must not make the module cache entry bigger or miss more often. Its
 * problems are logged and never change the module cache's outcome. Nothing can verify a build cache, so
 * on an untrusted event it is restored from its exact key only (policy.ts buildRestoreKeys).
 */
async function restoreBuildCache(build: BuildEntry, timeoutMs: number): Promise<string> {
  build.restoreKeys = buildRestoreKeys(build.key, process.env.GITHUB_EVENT_NAME)
  const restored = await restoreEntry(build.patterns, build.key, build.restoreKeys, { timeoutMs })
  build.matchedKey = restored.value ?? ''
  if (restored.refused) {
    const { key, problem } = restored.refused
    const line = `refused the entry \`${key}\` before extracting it: ${problem}`
    core.warning(`Build cache: ${line}; continuing without it. ${untrustedEntryAdvice(key)}`)
    return `not restored: ${line}`
  }
  if (restored.failure || restored.timedOut) {
    const why = restored.failure ?? `no answer within ${Math.round(timeoutMs / 1000)} s`
    core.warning(`Build cache: the cache service failed (${why}); continuing without it.`)
    return `not restored: the cache service failed (${why})`
  }
  const exactOnly = build.restoreKeys.length === 0 ? ' (exact key only on this event)' : ''
  const line = restored.value ? `restored \`${restored.value}\`` : `miss: \`${build.key}\`${exactOnly}`
  core.info(`Build cache: ${line}.`)
  return line
}

/** What main last wrote to State.cache (core.getState reads only in post). */
let savedState: CacheState | undefined

/** Saves what post needs (State.cache) and returns the restore result. */
async function remember(
  cfg: CacheConfig,
  restore: CacheRestore,
  gomodcache = '',
  modules: EntryState = { key: restore.key, patterns: [], matchedKey: '' },
  build?: BuildEntry
): Promise<CacheRestore> {
  // Only a miss or a restore-key hit can be saved (an exact hit's entry exists; entries are immutable):
  // post compares with this. One that cannot be taken leaves nothing to compare, so post does not save.
  const saveable = gomodcache !== '' && (restore.outcome === 'miss' || restore.outcome === 'partial')
  const fingerprint = saveable
    ? await fingerprintModuleCache(gomodcache).catch((error: unknown) => {
        core.warning(
          `Module cache: could not list ${gomodcache} (${error instanceof Error ? error.message : String(error)}); the post step will not save it.`
        )
        return undefined
      })
    : undefined
  savedState = {
    restore,
    mode: cfg.save,
    gomodcache: fingerprint ? gomodcache : '',
    fingerprint: fingerprint?.hash ?? '',
    files: fingerprint?.files ?? 0,
    modules,
    build
  }
  cacheState.save(savedState)
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
 * told to keep existing files instead (TAR_OPTIONS=--skip-old-files); what the archive adds is verified
 * like any restore. @actions/cache uses GNU tar on Linux, gtar on macOS when installed, and on Windows
 * GNU tar when present; where it would use BSD tar, restore is skipped instead.
 */
async function canMergeIntoPopulated(): Promise<boolean> {
  if (process.platform === 'linux') return true
  return (await toolkitGnuTar(process.platform)) !== undefined
}
