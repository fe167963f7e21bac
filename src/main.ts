/**
 * The main step: install Go -> configure the Go environment and credentials -> restore the module cache
 * -> download modules with classified retry -> outputs and job summary. Everything the post step needs
 * (what to save, what to remove) goes through GITHUB_STATE.
 */
import * as core from '@actions/core'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { annotateFailures } from './annotate.js'
import { forgetInputs } from './child-env.js'
import { configureEnvironment, maskSecrets } from './credentials/configure.js'
import { restoreModuleCache, settleHandedOver } from './cache/restore.js'
import { checkRootsBeforeInstall } from './download/roots.js'
import { downloadModules, exportOffline } from './download/run.js'
import {
  configureGoEnvironment,
  snapshotGoVariables,
  writeGoEnvironmentSummary
} from './environment/apply.js'
import { withCredentialExports, withOfflineProxy } from './environment/plan.js'
import { readGoEnv } from './go/env.js'
import { installGo } from './go/install.js'
import { parseInputs, secretInputValues } from './inputs.js'
import { downloadState } from './state.js'
import { failDownload, failMain } from './failure.js'
import { writeMainSummary } from './summary.js'
import type { CacheRestore, DownloadResult, GoInstallation } from './types.js'

export async function run(): Promise<void> {
  let go: GoInstallation | undefined
  let cache: CacheRestore | undefined
  try {
    registerProblemMatcher()
    const input = (name: string): string => core.getInput(name)
    for (const secret of secretInputValues(input)) core.setSecret(secret)
    const config = parseInputs(input, process.env)
    maskSecrets(config)
    forgetInputs()
    await checkRootsBeforeInstall(config.download, config.workingDirectory, process.env)
    const runnerGoVariables = snapshotGoVariables(process.env)
    go = await installGo(config.go)
    // Set as soon as each is known: a later failure still leaves a step what was done.
    core.setOutput('go-version', go.version)
    core.setOutput('go-root', go.root)
    const goVariables = await configureGoEnvironment(config, go, runnerGoVariables)
    const environment = await configureEnvironment(config, go)
    const goEnv = await readGoEnv(config.workingDirectory)
    core.setOutput('gomodcache', goEnv.GOMODCACHE)
    const cacheContext = {
      workingDirectory: config.workingDirectory,
      go,
      goEnv,
      downloadFollows: config.download.enabled
    }
    cache = await restoreModuleCache(config.cache, cacheContext)
    writeCacheOutputs(cache)
    const download = await downloadModules(config.download, {
      workingDirectory: config.workingDirectory,
      goEnv,
      environment,
      handedToGo: new Set(cache.verification?.deferred)
    })
    cache = await settleHandedOver(cache, download, cacheContext)
    writeCacheOutputs(cache)
    downloadState.save({
      ok: download.ok,
      cacheCorrupt: download.cacheCorrupt,
      repaired: download.ok ? download.alteredRestored.length : 0
    })
    const offline = exportOffline(config.download, download)
    writeDownloadOutputs(download)
    await writeMainSummary({ go, cache, download, environment })
    const laterGoVariables = withCredentialExports(goVariables, environment.exported)
    await writeGoEnvironmentSummary(offline ? withOfflineProxy(laterGoVariables) : laterGoVariables)
    if (!download.ok) {
      annotateFailures(download, config.workingDirectory)
      failDownload(download)
    }
  } catch (error) {
    await failMain(error, { go, cache })
  }
}

function writeCacheOutputs(cache: CacheRestore): void {
  core.setOutput('cache-hit', String(cache.outcome === 'exact'))
  core.setOutput('cache-key', cache.key)
  core.setOutput('cache-matched-key', cache.matchedKey)
}

function writeDownloadOutputs(download: DownloadResult): void {
  core.setOutput('download-attempts', String(download.attempts.length))
  core.setOutput('modules', String(download.modules))
}

/** go's `file:line:col: message` lines in later steps become annotations (dist/main/index.js -> matchers/). */
function registerProblemMatcher(): void {
  const matcher = fileURLToPath(new URL('../../matchers/go.json', import.meta.url))
  if (fs.existsSync(matcher)) core.info(`::add-matcher::${matcher}`)
}
