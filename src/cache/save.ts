/**
 * The post step's half of the caches (restore.ts is main's): decide from what main saved in State.cache
 * and how the download went (policy.ts decideSave / buildSaveBlocker), refuse a path that holds the
 * credentials, then save through @actions/cache (service.ts: bounded, once more under the service's
 * limits). A cache problem here is a notice or a warning, never a failed job.
 */
import * as core from '@actions/core'
import path from 'node:path'
import { cacheState, downloadState, loadCredentialsDir, type CacheState, type EntryState } from '../state.js'
import type { CacheSaveReport } from '../types.js'
import { directorySize, fingerprintModuleCache, isPopulated, withZiphashesLeftOut } from './files.js'
import {
  buildSaveBlocker,
  buildSizeBlocker,
  credentialsInside,
  decideSave,
  ziphashesLeftOut
} from './policy.js'
import { saveEntry, serviceAvailable } from './service.js'

type BuildEntry = EntryState & { dir: string }

const none = (reason: string, key = ''): CacheSaveReport => ({
  saved: false,
  key,
  reason,
  sizeBytes: 0,
  durationMs: 0
})

export async function saveModuleCache(): Promise<CacheSaveReport> {
  const state = cacheState.load()
  if (!state) return none('the main step did not reach the cache restore')
  const download = downloadState.load()
  const gomodcache = state.gomodcache
  const fingerprint = gomodcache
    ? await fingerprintModuleCache(gomodcache)
    : { hash: state.fingerprint, files: 0, names: [] }
  const event = process.env.GITHUB_EVENT_NAME
  const decision = decideSave({
    mode: state.mode,
    outcome: state.restore.outcome,
    download,
    changed: addedModules(state, fingerprint, download),
    hasContent: fingerprint.files > 0,
    event
  })
  core.info(
    `Module cache: ${decision.save ? 'saving' : 'not saving'} ${state.restore.key}: ${decision.reason}.`
  )
  // The module cache first: the build cache is a bonus (and the larger upload, the likelier to stall:
  // after a stalled save no other is tried), and whatever goes wrong with it cannot cost the module cache.
  const report = await saveModuleEntry(state, decision, gomodcache, fingerprint.names)
  const build = state.build
    ? await saveBuildCache(state, state.build, download, event).catch(
        (error: unknown) => `not saved: ${error instanceof Error ? error.message : String(error)}`
      )
    : undefined
  return build ? { ...report, build } : report
}

/**
 * Whether the module cache is worth saving as changed: the download added to what main restored and
 * fingerprinted (go only adds files, so more archived names than main counted), or, after a download
 * that succeeded, what was restored was repaired (modules purged by the verification, restored zips go
 * refused and that were downloaded again): saved under the job's key, later runs hit a clean entry
 * instead of repairing the old one each time. After a failed download only what it added counts: a
 * pruned cache saved under this key would be an exact hit that later runs never complete.
 */
function addedModules(
  state: CacheState,
  now: { hash: string; files: number },
  download: { ok: boolean; repaired: number } | undefined
): boolean {
  const added = now.hash !== state.fingerprint && now.files > state.files
  const repaired = (state.restore.verification?.purged.length ?? 0) > 0 || (download?.repaired ?? 0) > 0
  return added || (download?.ok === true && repaired)
}

/** The credentials' directory (from State.auth) and RUNNER_TEMP, where it is created. */
function credentialDirs(): string[] {
  return [loadCredentialsDir() ?? '', process.env.RUNNER_TEMP ?? ''].filter(Boolean)
}

async function saveModuleEntry(
  state: CacheState,
  decision: { save: boolean; reason: string },
  gomodcache: string,
  names: readonly string[]
): Promise<CacheSaveReport> {
  const key = state.restore.key
  if (!decision.save) return none(decision.reason, key)
  const refused = credentialsInside(state.modules.patterns, credentialDirs())
  if (refused) {
    core.warning(`Module cache: not saved: ${refused}. Set GOMODCACHE outside RUNNER_TEMP.`)
    return none(`refused: ${refused}`, key)
  }
  if (!(await serviceAvailable())) return none('the Actions cache service is not available to this job', key)

  const started = performance.now()
  const saved = await withZiphashesLeftOut(ziphashesLeftOut(names), (env) =>
    saveEntry(state.modules.patterns, key, 'Module cache', env)
  )
  const durationMs = Math.round(performance.now() - started)
  const o = saved.outcome
  if (o.kind === 'saved') {
    const sizeBytes = saved.archiveBytes ?? (await directorySize(path.join(gomodcache, 'cache', 'download')))
    return { saved: true, key, reason: decision.reason, sizeBytes, durationMs }
  }
  const retried = saved.calls > 1 ? ' (also on its one retry)' : ''
  const next = 'The next run restores the previous entry and downloads the difference.'
  switch (o.kind) {
    case 'exists':
      core.notice(`Module cache: ${key} was saved by another job first (${o.message}); nothing to do.`)
      return { ...none(`another job saved ${key} first`, key), durationMs }
    case 'rate-limited':
      core.notice(
        `Module cache: not saved: the cache service is rate-limiting uploads (HTTP 429)${retried}. ${next}`
      )
      return { ...none('the cache service rate-limited the upload (HTTP 429)', key), durationMs }
    case 'unavailable':
      core.notice(`Module cache: not saved: the cache service failed (${o.message})${retried}. ${next}`)
      return { ...none(`the cache service failed: ${o.message}`, key), durationMs }
    case 'denied':
      core.notice(
        `Module cache: not saved: the cache service does not let this run write caches (${o.message}); the repository's settings treat this run's event as untrusted. Nothing to do.`
      )
      return { ...none('the cache service denied writes for this run', key), durationMs }
    case 'failed':
      core.warning(`Module cache: not saved: ${o.message}. ${next}`)
      return { ...none(`the cache service failed: ${o.message}`, key), durationMs }
  }
}

/** The build cache (policy.ts buildSaveBlocker / buildSizeBlocker decide), saved after the module cache. */
async function saveBuildCache(
  state: CacheState,
  build: BuildEntry,
  download: { ok: boolean; cacheCorrupt: boolean } | undefined,
  event: string | undefined
): Promise<string> {
  const blocked = buildSaveBlocker({
    mode: state.mode,
    key: build.key,
    matchedKey: build.matchedKey,
    outcome: state.restore.outcome,
    download,
    event
  })
  if (blocked) return blocked
  const refused = credentialsInside(build.patterns, credentialDirs())
  if (refused) {
    core.warning(`Build cache: not saved: ${refused}. Set GOCACHE outside RUNNER_TEMP.`)
    return `not saved: refused: ${refused}`
  }
  if (!(await serviceAvailable())) return 'not saved: no cache service'
  if (!(await isPopulated(build.dir))) return 'not saved: nothing was built'
  const tooLarge = buildSizeBlocker(await directorySize(build.dir), build.dir)
  if (tooLarge) {
    core.notice(tooLarge.notice)
    return tooLarge.line
  }
  const saved = await saveEntry(build.patterns, build.key, 'Build cache')
  const o = saved.outcome
  const line = o.kind === 'saved' ? `saved \`${build.key}\`` : `not saved (${o.message})`
  if (o.kind === 'failed') core.warning(`Build cache: ${line}.`)
  else if (o.kind === 'saved') core.info(`Build cache: ${line}.`)
  else core.notice(`Build cache: ${line}.`)
  return line
}
