/**
 * The post step (runs with `post-if: always()`): remove every credential main wrote -> save the module
 * cache if it should be saved -> summary. Credentials go first, so no archive the save builds can hold
 * them (the save also refuses a path that contains their directory, in case the removal failed). Never
 * fails the job for a cache problem; the save runs even when the removal threw.
 */
import * as core from '@actions/core'
import { forgetInputs } from './child-env.js'
import { removeCredentials } from './credentials/private-dir.js'
import { saveModuleCache } from './cache/save.js'
import { writePostSummary } from './summary.js'
import type { CacheSaveReport } from './types.js'

export async function run(): Promise<void> {
  forgetInputs() // post reads no input; its children (tar, the cache client) must not see them either
  try {
    await removeCredentials()
  } catch (error) {
    core.setFailed(
      `Could not remove the credentials this action wrote: ${error instanceof Error ? error.message : String(error)}`
    )
  }
  let save: CacheSaveReport | undefined
  try {
    save = await saveModuleCache()
  } catch (error) {
    core.warning(`The module cache was not saved: ${error instanceof Error ? error.message : String(error)}`)
  }
  await writePostSummary(save)
}
