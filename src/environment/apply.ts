/**
 * Effects of the Go environment step: read the runner's own Go settings (its environment as the job
 * started, its `go env -w` file, go's defaults), plan (plan.ts), export, and say in a log group and the
 * job summary which value each variable has and where it came from.
 *
 * Where a value came from: a variable non-empty in the environment the step started with is the
 * runner's environment (cmd/go reads the process environment first and the GOENV file only for empty
 * variables); else a name in the GOENV file is `go env -w`; else it is go's default (including
 * $GOROOT/go.env). The install step exports GOTOOLCHAIN before this runs, so the runner's GOTOOLCHAIN is
 * taken from the environment snapshot and the files, not from `go env`.
 */
import { readTextIfThere } from '../read-text.js'
import * as core from '@actions/core'
import path from 'node:path'
import type { Config } from '../config.js'
import { readGoEnv } from '../go/env.js'
import { parseGoEnvFile } from '../go/envfile.js'
import type { GoInstallation } from '../types.js'
import {
  GO_VARIABLES,
  planGoEnvironment,
  type GoEnvironmentPlan,
  type GoVariableName,
  type RunnerGoEnv,
  type RunnerValue
} from './plan.js'
import { logLines, summaryMarkdown } from './report.js'
import { proxySecrets } from '../go/proxylist.js'

export type GoVariableSnapshot = Readonly<Partial<Record<GoVariableName, string>>>

/** The Go variables as the step started (before the install step exports GOTOOLCHAIN). */
export function snapshotGoVariables(env: NodeJS.ProcessEnv = process.env): GoVariableSnapshot {
  const out: Partial<Record<GoVariableName, string>> = {}
  for (const name of GO_VARIABLES) if (env[name] !== undefined) out[name] = env[name]
  return Object.freeze(out)
}

/** The runner's effective values and their origins (see the header). */
export async function readRunnerGoEnv(
  workingDirectory: string,
  go: GoInstallation,
  snapshot: GoVariableSnapshot
): Promise<RunnerGoEnv> {
  const effective = await readGoEnv(workingDirectory)
  const goenvFile = effective.GOENV === 'off' ? '' : (effective.GOENV ?? '')
  const file = goenvFile === '' ? {} : parseGoEnvFile(readTextIfThere(goenvFile) ?? '')
  const goroot = parseGoEnvFile(readTextIfThere(path.join(go.root, 'go.env')) ?? '')
  const values = {} as Record<GoVariableName, RunnerValue>
  for (const name of GO_VARIABLES) {
    const fromEnv = snapshot[name] ?? ''
    const origin = fromEnv !== '' ? 'environment' : name in file ? 'goenv' : 'default'
    let value = effective[name] ?? ''
    if (name === 'GOTOOLCHAIN') {
      // Go >= 1.21 reads it; the default is go.env's (auto) when neither the environment nor the file set it.
      value = fromEnv !== '' ? fromEnv : (file[name] ?? goroot[name] ?? '')
    }
    values[name] = { value, origin }
  }
  // A login in the runner's own GOPROXY (environment or go env -w) is masked before anything prints it.
  for (const secret of proxySecrets(values.GOPROXY.value)) core.setSecret(secret)
  return { values, goenvFile }
}

/**
 * Plan and export the Go variables; runs after the install step and before the credential step (which
 * merges GOPRIVATE / GONOPROXY / GONOSUMDB from the environment, so it sees the runner's file entries
 * through these exports). Throws an InputError for a broken runner value the inputs do not override.
 */
export async function configureGoEnvironment(
  config: Config,
  go: GoInstallation,
  snapshot: GoVariableSnapshot
): Promise<GoEnvironmentPlan> {
  const runner = await readRunnerGoEnv(config.workingDirectory, go, snapshot)
  const plan = planGoEnvironment({
    goEnv: config.goEnv,
    privateModules: config.auth.privateModules,
    runner,
    toolchainNow: process.env.GOTOOLCHAIN ?? ''
  })
  for (const [name, value] of Object.entries(plan.exports)) core.exportVariable(name, value)
  core.startGroup('Go environment')
  for (const line of logLines(plan)) core.info(line)
  core.endGroup()
  for (const warning of plan.warnings) core.warning(warning)
  return plan
}

/** The summary's Go environment table (written after the main summary). */
export async function writeGoEnvironmentSummary(plan: GoEnvironmentPlan): Promise<void> {
  try {
    await core.summary.addRaw(summaryMarkdown(plan), true).write()
  } catch {
    core.summary.emptyBuffer() // no summary file outside a runner (local runs)
  }
}
