/**
 * Pure: which value each Go variable the action cares about has for this and later steps, and where it
 * came from. An input wins; where the input is empty the runner's own value stays in force (self-hosted
 * runners set GOPROXY, GOFLAGS, GONOSUMDB, GOPRIVATE, GOTOOLCHAIN or GOAUTH in their environment or with
 * `go env -w`), after the same validation an input gets, with the error naming the variable and where it
 * was set. The lists merge: `private-modules` is added to the runner's GOPRIVATE (and to a GONOPROXY /
 * GONOSUMDB the runner set, because go derives those from GOPRIVATE only when they are unset).
 *
 * Why exporting matters for `go env -w` values: an exported variable hides the GOENV file's value of the
 * same name completely (cmd/go/internal/cfg Getenv: the process environment first, the file only when
 * the variable is empty), so GOPRIVATE=<private-modules> alone would drop the runner's file entries.
 */
import type { GoEnvInputs } from '../config.js'
import { matchesEveryModule, patternCovers } from '../go/pattern.js'
import { parseList } from '../list.js'
import {
  validateGoflags,
  validateGoproxy,
  validateGosumdb,
  validatePatternList,
  type Field
} from './validate.js'

export const GO_VARIABLES = [
  'GOPROXY',
  'GOSUMDB',
  'GOPRIVATE',
  'GONOPROXY',
  'GONOSUMDB',
  'GOFLAGS',
  'GOTOOLCHAIN',
  'GOAUTH'
] as const

export type GoVariableName = (typeof GO_VARIABLES)[number]

/** Where a runner's value was set. */
export type RunnerOrigin = 'environment' | 'goenv' | 'default'

export interface RunnerValue {
  value: string
  origin: RunnerOrigin
}

export interface RunnerGoEnv {
  values: Readonly<Record<GoVariableName, RunnerValue>>
  /** The GOENV file (`go env GOENV`); '' when GOENV=off. */
  goenvFile: string
}

export interface GoVariable {
  name: GoVariableName
  /** The value in force for this and later steps ('' = unset). */
  value: string
  /** Where it came from, in words: input 'goproxy', the runner's environment, go env -w (GOENV file ...). */
  source: string
  /** True when this action exports it. */
  exported: boolean
  /** What the action did about the runner's value, when that is worth saying. */
  note?: string
}

export interface GoEnvironmentPlan {
  variables: GoVariable[]
  /** Variables to export (no secrets: these are settings). */
  exports: Record<string, string>
  /** core.warning lines: settings that switch a protection off or leak private module paths. */
  warnings: string[]
}

export interface GoEnvironmentInput {
  /** Validated inputs (inputs.ts). */
  goEnv: GoEnvInputs
  privateModules: readonly string[]
  runner: RunnerGoEnv
  /** GOTOOLCHAIN in this process after the install step (which pins `local` unless the workflow set it). */
  toolchainNow: string
}

const INPUT_OF: Partial<Record<GoVariableName, keyof GoEnvInputs>> = {
  GOPROXY: 'goproxy',
  GOSUMDB: 'gosumdb',
  GONOPROXY: 'gonoproxy',
  GONOSUMDB: 'gonosumdb',
  GOFLAGS: 'goflags'
}

export function describeOrigin(origin: RunnerOrigin, goenvFile: string): string {
  if (origin === 'environment') return "the runner's environment"
  if (origin === 'goenv') return `go env -w (GOENV file ${goenvFile})`
  return "go's default"
}

/** The Field a runner's value is validated as: named by variable and origin, with the fix on the runner. */
export function runnerField(name: GoVariableName, runner: RunnerGoEnv): Field {
  const { origin } = runner.values[name]
  const input = name === 'GOPRIVATE' ? 'private-modules' : INPUT_OF[name]
  const where =
    origin === 'goenv'
      ? `run 'go env -w ${name}=<value>' or 'go env -u ${name}' on the runner (the GOENV file ${runner.goenvFile})`
      : "fix it in the runner's environment (the runner's .env file or the machine's profile) or the workflow's env:"
  return {
    name,
    label: `${name} (set by ${describeOrigin(origin, runner.goenvFile)})`,
    fix: `To fix it, ${where}${input && name !== 'GOPRIVATE' ? `, or set input '${input}' to override it` : ''}.`
  }
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}

/** The runner's value, validated, when it is in force; go's defaults need no check. */
function checked(name: GoVariableName, runner: RunnerGoEnv): string {
  const { value, origin } = runner.values[name]
  if (origin === 'default' || value.trim() === '') return value
  const field = runnerField(name, runner)
  if (name === 'GOPROXY') validateGoproxy(field, value)
  else if (name === 'GOSUMDB') validateGosumdb(field, value)
  else if (name === 'GOFLAGS') validateGoflags(field, value)
  else if (name === 'GOPRIVATE' || name === 'GONOPROXY' || name === 'GONOSUMDB')
    validatePatternList(field, value, { everything: 'allow' })
  return value
}

/** GOPROXY, GOSUMDB, GOFLAGS: the input, else the runner's. */
function single(name: 'GOPROXY' | 'GOSUMDB' | 'GOFLAGS', p: GoEnvironmentInput): GoVariable {
  const input = INPUT_OF[name] as keyof GoEnvInputs
  const runner = p.runner.values[name]
  const where = describeOrigin(runner.origin, p.runner.goenvFile)
  if (p.goEnv[input] !== '') {
    const overrides =
      runner.origin !== 'default' && runner.value !== p.goEnv[input]
        ? `input '${input}' overrides '${runner.value}' from ${where}`
        : undefined
    return {
      name,
      value: p.goEnv[input],
      source: `input '${input}'`,
      exported: true,
      ...(overrides ? { note: overrides } : {})
    }
  }
  return { name, value: checked(name, p.runner), source: where, exported: false }
}

function privateList(p: GoEnvironmentInput): GoVariable {
  const runner = p.runner.values.GOPRIVATE
  const where = describeOrigin(runner.origin, p.runner.goenvFile)
  const own = checked('GOPRIVATE', p.runner)
  if (p.privateModules.length === 0) return { name: 'GOPRIVATE', value: own, source: where, exported: false }
  const theirs = parseList(own)
  return {
    name: 'GOPRIVATE',
    value: union(theirs, p.privateModules).join(','),
    source: theirs.length > 0 ? `${where} + input 'private-modules'` : "input 'private-modules'",
    exported: true
  }
}

/** GONOPROXY / GONOSUMDB: the input; else the runner's plus private-modules; else go derives it from GOPRIVATE. */
function derivedList(name: 'GONOPROXY' | 'GONOSUMDB', p: GoEnvironmentInput, goprivate: string): GoVariable {
  const input = INPUT_OF[name] as 'gonoproxy' | 'gonosumdb'
  const runner = p.runner.values[name]
  const where = describeOrigin(runner.origin, p.runner.goenvFile)
  if (p.goEnv[input] !== '')
    return { name, value: p.goEnv[input], source: `input '${input}'`, exported: true }
  const own = checked(name, p.runner)
  if (runner.origin === 'default' || own.trim() === '') {
    return { name, value: goprivate, source: "go's default (GOPRIVATE)", exported: false }
  }
  if (p.privateModules.length === 0) return { name, value: own, source: where, exported: false }
  return {
    name,
    value: union(parseList(own), p.privateModules).join(','),
    source: `${where} + input 'private-modules'`,
    exported: true,
    note: `${name} was set by ${where}; go derives it from GOPRIVATE only when it is unset, so the private-modules patterns were added to it`
  }
}

function toolchain(p: GoEnvironmentInput): GoVariable {
  const runner = p.runner.values.GOTOOLCHAIN
  const where = describeOrigin(runner.origin, p.runner.goenvFile)
  if (runner.origin === 'environment' && runner.value === p.toolchainNow) {
    return {
      name: 'GOTOOLCHAIN',
      value: runner.value,
      source: where,
      exported: false,
      ...(runner.value !== 'local'
        ? { note: `left as the runner set it: go may switch to another toolchain than the one installed` }
        : {})
    }
  }
  const had = runner.value === '' ? 'no GOTOOLCHAIN' : `'${runner.value}' from ${where}`
  return {
    name: 'GOTOOLCHAIN',
    value: p.toolchainNow,
    source: 'this action',
    exported: p.toolchainNow !== '',
    ...(runner.value !== p.toolchainNow
      ? {
          note: `the runner had ${had}; this action set GOTOOLCHAIN=${p.toolchainNow} so later steps run the Go it installed (a go.mod toolchain line would otherwise switch)`
        }
      : {})
  }
}

/** The runner's GOAUTH as it is; the credential step may put its own command first (withCredentialExports). */
function goauth(p: GoEnvironmentInput): GoVariable {
  const runner = p.runner.values.GOAUTH
  return {
    name: 'GOAUTH',
    value: runner.value,
    source: describeOrigin(runner.origin, p.runner.goenvFile),
    exported: false
  }
}

/**
 * The plan as later steps see it after the credential step: a GOAUTH it exported (Go >= 1.24, its
 * command for the scoped credentials first, then the runner's entries: credentials/goauth.ts) replaces
 * the runner's row. The value shown is paths only; the headers are in the private directory.
 */
export function withCredentialExports(
  plan: GoEnvironmentPlan,
  exported: Readonly<Record<string, string>>
): GoEnvironmentPlan {
  const goAuth = exported.GOAUTH
  if (goAuth === undefined) return plan
  return withVariable(plan, 'GOAUTH', (v) => ({
    ...v,
    value: goAuth,
    source: 'this action (the private-module credentials)',
    exported: true,
    note: `its command serves go's own requests for the credential scopes; ${v.value === '' ? "then go's default (netrc)" : `then the runner's ${v.value} (${v.source})`}`
  }))
}

/** Private patterns an explicit gonoproxy / gonosumdb does not cover. */
function uncovered(list: string, privateModules: readonly string[]): string[] {
  const entries = parseList(list)
  return privateModules.filter((p) => !entries.some((e) => patternCovers(e, p)))
}

function warningsFor(p: GoEnvironmentInput, byName: Record<string, GoVariable>): string[] {
  const out: string[] = []
  const sumdb = byName.GOSUMDB as GoVariable
  if (sumdb.value.trim() === 'off') {
    out.push(
      `GOSUMDB=off (${sumdb.source}) switches off checksum verification against the checksum database: a module whose content changed since go.sum was written (or one not in go.sum yet) is accepted unchecked. Prefer GONOSUMDB / private-modules for the private modules only.`
    )
  }
  const nosumdb = byName.GONOSUMDB as GoVariable
  const all = parseList(nosumdb.value).filter(matchesEveryModule)
  if (all.length > 0 && !nosumdb.source.startsWith("go's default")) {
    out.push(
      `GONOSUMDB (${nosumdb.source}) has '${all.join(',')}', which matches every module: checksum verification against the checksum database is off for all of them. Name only the private modules, e.g. 'github.com/acme/*'.`
    )
  }
  for (const [input, what] of [
    ['gonoproxy', 'the module proxy'],
    ['gonosumdb', 'the checksum database']
  ] as const) {
    if (p.goEnv[input] === '') continue
    const missing = uncovered(p.goEnv[input], p.privateModules)
    if (missing.length > 0) {
      out.push(
        `Input '${input}' ('${p.goEnv[input]}') does not cover input 'private-modules' pattern${missing.length > 1 ? 's' : ''} '${missing.join(',')}': go sends those private module paths to ${what}. Add them to '${input}', or leave '${input}' empty (go then uses GOPRIVATE).`
      )
    }
  }
  return out
}

export function planGoEnvironment(p: GoEnvironmentInput): GoEnvironmentPlan {
  const goprivate = privateList(p)
  const variables: GoVariable[] = [
    single('GOPROXY', p),
    single('GOSUMDB', p),
    goprivate,
    derivedList('GONOPROXY', p, goprivate.value),
    derivedList('GONOSUMDB', p, goprivate.value),
    single('GOFLAGS', p),
    toolchain(p),
    goauth(p)
  ]
  const byName = Object.fromEntries(variables.map((v) => [v.name, v]))
  const exports: Record<string, string> = {}
  // GOTOOLCHAIN is the install step's export; repeating it here would change nothing.
  for (const v of variables) if (v.exported && v.name !== 'GOTOOLCHAIN') exports[v.name] = v.value
  return { variables, exports, warnings: warningsFor(p, byName) }
}

/** The plan as later steps see it after `offline-after-download` exported GOPROXY=off. */
export function withOfflineProxy(plan: GoEnvironmentPlan): GoEnvironmentPlan {
  return withVariable(plan, 'GOPROXY', (v) => ({
    ...v,
    value: 'off',
    source: "input 'offline-after-download'",
    exported: true,
    note: `for later steps, after the download; the download used ${v.value || "go's default"} (${v.source})`
  }))
}

/** The plan with one variable's row replaced by what a later export made of it. */
function withVariable(
  plan: GoEnvironmentPlan,
  name: GoVariableName,
  change: (v: GoVariable) => GoVariable
): GoEnvironmentPlan {
  return { ...plan, variables: plan.variables.map((v) => (v.name === name ? change(v) : v)) }
}
