/**
 * Pure: the Go variables the action exports beside the credentials (GOPRIVATE and the workflow's
 * GONOPROXY/GONOSUMDB merged with `private-modules`, the validated goproxy/gosumdb/goflags inputs).
 * Not a credential: it lives here until the Go environment has its own folder; it only decides names and
 * values, the inputs are validated by goenv.ts.
 */
import { parseList } from '../list.js'
import type { ValidatedGoEnv } from '../environment/validate.js'

export interface GoVariables {
  /** GOPRIVATE patterns in effect (the workflow's and the input's). */
  privatePatterns: string[]
  /** Go variables to export for this and later steps (no secrets). */
  goEnv: Record<string, string>
  notes: string[]
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}

export function planGoVariables(
  patterns: readonly string[],
  inputs: ValidatedGoEnv,
  env: Readonly<Record<string, string | undefined>>
): GoVariables {
  const notes: string[] = []
  const privatePatterns = union(parseList(env.GOPRIVATE), patterns)
  const goEnv: Record<string, string> = {}
  if (patterns.length > 0) goEnv.GOPRIVATE = privatePatterns.join(',')
  for (const [name, inputName, value] of [
    ['GONOPROXY', 'gonoproxy', inputs.gonoproxy],
    ['GONOSUMDB', 'gonosumdb', inputs.gonosumdb]
  ] as const) {
    if (value !== '') {
      goEnv[name] = value
    } else if (patterns.length > 0 && (env[name] ?? '').trim() !== '') {
      // go derives GONOPROXY/GONOSUMDB from GOPRIVATE only when they are unset; a workflow-level value would
      // otherwise send the private modules to the proxy / sum database.
      goEnv[name] = union(parseList(env[name]), patterns).join(',')
      notes.push(
        `${name} was already set by the workflow; added the private-modules patterns to it (set input '${inputName}' to choose it yourself).`
      )
    }
  }
  if (inputs.goproxy !== '') goEnv.GOPROXY = inputs.goproxy
  if (inputs.gosumdb !== '') goEnv.GOSUMDB = inputs.gosumdb
  if (inputs.goflags !== '') goEnv.GOFLAGS = inputs.goflags
  return { privatePatterns, goEnv, notes }
}
