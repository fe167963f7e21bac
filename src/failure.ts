/**
 * Failing the step: the `error-class` output and the one failure message (summary.ts renders them).
 * The class has one typed source: a download failure's Diagnosis, an InputError (always `config`), or a
 * ClassifiedError that a step throws with its class.
 */
import * as core from '@actions/core'
import { ClassifiedError } from './classified-error.js'
import { InputError } from './input-error.js'
import { failureMessage, writeFailureSummary } from './summary.js'
import type { CacheRestore, DownloadResult, ErrorClass, GoInstallation } from './types.js'

/**
 * The class of anything thrown before or outside the download: `unknown` when it carries none, so the
 * output is never empty on a failure.
 */
export function errorClassOf(error: unknown): ErrorClass {
  if (error instanceof InputError) return 'config'
  if (error instanceof ClassifiedError) return error.errorClass
  return 'unknown'
}

/** Fail the step for a download that could not be completed. */
export function failDownload(download: DownloadResult): void {
  const d = download.failure
  if (d) core.setOutput('error-class', d.errorClass)
  core.setFailed(d ? failureMessage(d) : 'go mod download failed; see the log above.')
}

/** Fail the step for anything thrown before or outside the download (bad input, install failure). */
export async function failMain(
  error: unknown,
  partial: { go?: GoInstallation; cache?: CacheRestore }
): Promise<void> {
  const message = error instanceof Error ? error.message : String(error)
  core.setOutput('error-class', errorClassOf(error))
  core.setFailed(message)
  await writeFailureSummary(message, partial)
}
