/**
 * The post step (runs with `post-if: always()`): save the module cache if it should be saved -> remove
 * every credential main wrote -> summary. Never fails the job for a cache problem; credential removal
 * runs even when saving threw.
 */
import * as core from '@actions/core'
import { forgetInputs } from './child-env.js'
import { removeCredentials } from './credentials/private-dir.js'
import { saveModuleCache } from './cache/modcache.js'
import { writePostSummary } from './summary.js'
import type { CacheSaveReport } from './types.js'

export async function run(): Promise<void> {
  forgetInputs() // post reads no input; its children (tar, the cache client) must not see them either
  let save: CacheSaveReport | undefined
  try {
    save = await saveModuleCache()
  } catch (error) {
    core.warning(`The module cache was not saved: ${error instanceof Error ? error.message : String(error)}`)
  }
  try {
    await removeCredentials()
  } catch (error) {
    core.setFailed(
      `Could not remove the credentials this action wrote: ${error instanceof Error ? error.message : String(error)}`
    )
  }
  await writePostSummary(save)
}
