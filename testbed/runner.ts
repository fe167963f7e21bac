/**
 * GitHub Actions runner emulation: run a JavaScript action's main and post scripts (`node <script>`) the
 * way actions/runner does on a hosted Linux runner, so the action's real code paths (@actions/core file
 * commands, state, tool cache, temp dirs) run unchanged in tests, the demo and the benchmark.
 *
 * What is emulated (a step = one `node <script>` or one later command):
 *  - inputs as `INPUT_<NAME>`: the name upper-cased with spaces replaced by `_` (hyphens kept:
 *    `INPUT_GO-VERSION`); for `runAction` every input declared in action.yml gets its default
 *    (`${{ github.token }}` evaluates to the job token, which is masked);
 *  - fresh GITHUB_ENV / GITHUB_PATH / GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files per step
 *    under `$RUNNER_TEMP/_runner_file_commands/`, parsed afterwards with the runner's rules (`NAME=value`
 *    and the `NAME<<DELIMITER` heredoc that @actions/core writes; a malformed file fails the step;
 *    NODE_OPTIONS cannot be set through GITHUB_ENV);
 *  - between steps: exported variables and added paths apply to every later step (paths prepended, the
 *    most recent first); the post step gets `STATE_<name>` from the main step's saved state;
 *  - stdout workflow commands (`::add-mask::`, `::error::`, `::warning::`, `::debug::`, `::group::`,
 *    `::stop-commands::`, the deprecated `::set-output::`/`::save-state::`) are parsed;
 *  - the runner's variables: GITHUB_WORKSPACE, RUNNER_TEMP, RUNNER_TOOL_CACHE, RUNNER_OS=Linux,
 *    RUNNER_ARCH=X64, GITHUB_ACTION, GITHUB_RUN_ID, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, CI, ...;
 *    an isolated HOME; PATH = the system dirs (nothing else of the developer's environment leaks in);
 *  - the job end: processes a step left running are killed ("Cleaning up orphan processes").
 * Each step's node runs with a preload (`--import`) that records the argv of every child process it
 * spawns (child_process.spawn/execFile/exec/fork and their sync forms) and the names of the variables in
 * its environment: `result.children`.
 *
 * Node: `process.execPath` when it is Node >= 24 (jest started by `npm test` is), else the repository's
 * node@24 devDependency; override with `node:`.
 */
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { runProcess, processGroupAlive, type ProcessResult } from './proc.ts'
import { SYSTEM_PATH, removeTree } from './isolated-go.ts'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

// ---------------------------------------------------------------------------------------------------------
// Job directories and environment

export interface JobDirs {
  root: string
  /** GITHUB_WORKSPACE (the checkout). */
  workspace: string
  /** The isolated HOME. */
  home: string
  /** RUNNER_TEMP. */
  temp: string
  /** RUNNER_TOOL_CACHE. */
  toolCache: string
  /** Remove everything (read-only module cache files included). */
  cleanup(): void
}

/** A fresh temp root with workspace/, home/, temp/ and toolcache/. */
export function newJobDirs(prefix = 'bench-job-'): JobDirs {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const dirs = {
    root,
    workspace: path.join(root, 'work', 'app', 'app'),
    home: path.join(root, 'home'),
    temp: path.join(root, 'temp'),
    toolCache: path.join(root, 'toolcache'),
    cleanup: () => removeTree(root)
  }
  for (const d of [dirs.workspace, dirs.home, dirs.temp, dirs.toolCache]) fs.mkdirSync(d, { recursive: true })
  return dirs
}

export interface JobOptions {
  /** The job's directories (default: `newJobDirs()`; then `job.dirs.cleanup()` is yours to call). */
  dirs?: JobDirsLike
  /** Workflow/job-level `env:` (applies to every step, below GITHUB_ENV exports). */
  env?: Record<string, string>
  /** PATH before any GITHUB_PATH addition (default: the system dirs). */
  basePath?: string
  /** The job's token (`${{ github.token }}`); masked. */
  githubToken?: string
  /** RUNNER_DEBUG=1 (core.isDebug()). */
  debug?: boolean
  repository?: string
  /** GITHUB_ACTION (a `uses:` step's id, `__owner_repo` when it has none). */
  actionName?: string
  runId?: string
}

/** The state of a job between steps: what the runner carries from one step to the next. */
export type JobDirsLike = Pick<JobDirs, 'workspace' | 'home' | 'temp' | 'toolCache'> & Partial<JobDirs>

export interface JobEnv {
  dirs: JobDirsLike
  /** Variables the runner sets for every step. */
  base: Record<string, string>
  /** Workflow/job `env:`. */
  env: Record<string, string>
  /** GITHUB_ENV exports of the steps so far. */
  exported: Record<string, string>
  /** GITHUB_PATH additions of the steps so far, in the order added (the last one comes first in PATH). */
  prependPath: string[]
  basePath: string
  githubToken: string
  /** Masks registered so far (::add-mask:: and the token). */
  masks: string[]
  /** Process groups left running by steps (killed by `endJob`). */
  orphanGroups: number[]
}

export const DEFAULT_TOKEN = 'ghs_benchJobToken0000000000000000000000'

export function newJob(opts: JobOptions = {}): JobEnv {
  const dirs = opts.dirs ?? newJobDirs()
  for (const d of [dirs.workspace, dirs.home, dirs.temp, dirs.toolCache]) fs.mkdirSync(d, { recursive: true })
  const repository = opts.repository ?? 'acme/app'
  const [owner, name] = repository.split('/') as [string, string]
  const eventPath = path.join(dirs.temp, '_github_workflow', 'event.json')
  fs.mkdirSync(path.dirname(eventPath), { recursive: true })
  fs.writeFileSync(
    eventPath,
    JSON.stringify({
      ref: 'refs/heads/main',
      repository: { full_name: repository, name, owner: { login: owner }, default_branch: 'main' }
    })
  )
  const githubToken = opts.githubToken ?? DEFAULT_TOKEN
  const base: Record<string, string> = {
    LANG: process.env.LANG ?? 'C.UTF-8',
    HOME: dirs.home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
    AGENT_TOOLSDIRECTORY: dirs.toolCache,
    RUNNER_WORKSPACE: path.dirname(dirs.workspace),
    ImageOS: 'ubuntu24',
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_REPOSITORY_ID: '100000001',
    GITHUB_REPOSITORY_OWNER_ID: '100000002',
    GITHUB_RUN_ID: opts.runId ?? '4242424242',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'build',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/ci.yml@refs/heads/main`,
    GITHUB_WORKFLOW_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_HEAD_REF: '',
    GITHUB_BASE_REF: '',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_ACTOR: 'octocat',
    GITHUB_ACTOR_ID: '583231',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_ACTION: opts.actionName ?? '__acme_setup-go-deps',
    GITHUB_ACTION_REPOSITORY: 'acme/setup-go-deps',
    GITHUB_ACTION_REF: 'v1'
  }
  if (opts.debug) base.RUNNER_DEBUG = '1'
  return {
    dirs: { ...dirs },
    base,
    env: { ...opts.env },
    exported: {},
    prependPath: [],
    basePath: opts.basePath ?? SYSTEM_PATH,
    githubToken,
    masks: githubToken ? [githubToken] : [],
    orphanGroups: []
  }
}

/** The environment a step of this job runs with: runner vars < job env < GITHUB_ENV exports < step env; PATH with GITHUB_PATH additions. */
export function jobEnvironment(job: JobEnv, stepEnv: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { ...job.base, ...job.env, ...job.exported, ...stepEnv }
  const basePath = stepEnv.PATH ?? job.exported.PATH ?? job.env.PATH ?? job.basePath
  env.PATH = [...[...job.prependPath].reverse(), basePath].filter(Boolean).join(path.delimiter)
  return env
}

/** Apply a finished step's exports and path additions to the job (the runner does this between steps). */
export function applyStep(job: JobEnv, step: StepResult): void {
  Object.assign(job.exported, step.env)
  for (const p of step.path) {
    job.prependPath = job.prependPath.filter((x) => x !== p)
    job.prependPath.push(p)
  }
  for (const m of step.masks) if (!job.masks.includes(m)) job.masks.push(m)
  if (step.orphanGroup !== undefined) job.orphanGroups.push(step.orphanGroup)
}

/** The job's end: kill processes steps left running. Returns how many groups were still alive. */
export function endJob(job: JobEnv): number {
  let n = 0
  const liveGroups = job.orphanGroups.filter(processGroupAlive)
  for (const g of liveGroups) {
    n++
    try {
      process.kill(-g, 'SIGKILL')
    } catch {
      // gone
    }
  }
  job.orphanGroups = []
  // Wait (up to 2 s) until they are really gone, so a leak check right after this holds.
  const deadline = Date.now() + 2000
  const tick = new Int32Array(new SharedArrayBuffer(4))
  while (Date.now() < deadline && liveGroups.some(processGroupAlive)) Atomics.wait(tick, 0, 0, 10)
  return n
}

// ---------------------------------------------------------------------------------------------------------
// Steps

export type InputValue = string | number | boolean | undefined

export interface StepOptions extends JobOptions {
  /** The job this step belongs to (else a one-step job is made from the other options). */
  job?: JobEnv
  /** The script `node` runs (a `uses:` step's main or post). */
  script: string
  /** The step's `with:` (undefined values are left out). */
  inputs?: Record<string, InputValue>
  /** Declared inputs' defaults (as from action.yml) for inputs not given. */
  inputDefaults?: Record<string, string>
  /** The step's `env:`. */
  stepEnv?: Record<string, string>
  /** Saved state of the main step (for the post step): becomes STATE_<name>. */
  state?: Record<string, string>
  /** Individual directories (when neither job nor dirs is given). */
  workspace?: string
  home?: string
  runnerTemp?: string
  toolCache?: string
  /** The node binary (default: Node 24, see the header). */
  node?: string
  /** Working directory (default GITHUB_WORKSPACE). */
  cwd?: string
  /** Kill the step after this long. */
  timeoutMs?: number
  /** Record the argv of child processes (default true). */
  recordChildren?: boolean
  /** Leave processes the step left running until endJob (default false: kill them after the step). */
  keepOrphans?: boolean
  onStdout?: (chunk: string) => void
  onStderr?: (chunk: string) => void
}

export interface WorkflowCommand {
  command: string
  properties: Record<string, string>
  message: string
}

export interface ChildRecord {
  method: string
  file: string
  args: string[]
  cwd?: string
  /** Names of the variables in the child's environment (its `env` option, else the parent's). */
  envNames: string[]
  time: number
}

export interface StepResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  /** success: exit code 0, file commands valid, no timeout. */
  conclusion: 'success' | 'failure'
  stdout: string
  stderr: string
  /** GITHUB_OUTPUT (and deprecated ::set-output::). */
  outputs: Record<string, string>
  /** GITHUB_ENV exports of this step. */
  env: Record<string, string>
  /** GITHUB_PATH additions of this step, in file order. */
  path: string[]
  /** GITHUB_STATE (and deprecated ::save-state::). */
  state: Record<string, string>
  /** GITHUB_STEP_SUMMARY content. */
  summary: string
  commands: WorkflowCommand[]
  /** Values registered with ::add-mask:: by this step. */
  masks: string[]
  /** Errors processing the file commands (each fails the step, as on the runner). */
  fileCommandErrors: string[]
  /** Child processes the step's node started (argv as given). */
  children: ChildRecord[]
  /** True when the step left processes running. */
  orphans: boolean
  /** The process group left running (keepOrphans). */
  orphanGroup?: number
  /** The exact environment the step ran with. */
  environment: Record<string, string>
  durationMs: number
}

/** `INPUT_<NAME>` as the runner names it: upper case, spaces to `_`, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** Node >= 24 for the steps: this process's node when it is one, else the node@24 devDependency. */
export function defaultNode(): string {
  const major = Number(process.versions.node.split('.')[0])
  if (major >= 24) return process.execPath
  const local = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node')
  if (fs.existsSync(local)) return local
  throw new Error(`bench: Node >= 24 is needed to run the action (this is ${process.version}); pass node:`)
}

function jobFrom(opts: StepOptions): JobEnv {
  if (opts.job) return opts.job
  let dirs = opts.dirs
  if (!dirs && opts.workspace && opts.home && opts.runnerTemp && opts.toolCache)
    dirs = { workspace: opts.workspace, home: opts.home, temp: opts.runnerTemp, toolCache: opts.toolCache }
  // A job made here is not returned, so it must not create temp dirs nobody removes.
  if (!dirs)
    throw new Error('bench: runStep needs job, dirs (newJobDirs()) or workspace/home/runnerTemp/toolCache')
  return newJob({ ...opts, dirs })
}

/** Run `node <script>` as one action step. The job (if given) is NOT updated: call applyStep. */
export async function runStep(opts: StepOptions): Promise<StepResult> {
  const job = jobFrom(opts)
  const node = opts.node ?? defaultNode()
  const inputs: Record<string, string> = {}
  for (const [k, v] of Object.entries(opts.inputDefaults ?? {})) inputs[inputEnvName(k)] = v
  for (const [k, v] of Object.entries(opts.inputs ?? {}))
    if (v !== undefined) inputs[inputEnvName(k)] = String(v)
  const state: Record<string, string> = {}
  for (const [k, v] of Object.entries(opts.state ?? {})) state[`STATE_${k}`] = v
  const args: string[] = []
  let childLog: string | undefined
  if (opts.recordChildren ?? true) {
    childLog = path.join(job.dirs.temp, '_bench', `children-${randomUUID()}.jsonl`)
    args.push('--import', pathToFileURL(writePreload(job.dirs.temp, childLog)).href)
  }
  args.push(opts.script)
  return executeStep(job, node, args, { ...opts, extraEnv: { ...inputs, ...state } }, childLog)
}

/**
 * Run a later step's command (e.g. `go build ./...`) in the job's environment, as a `run:` step would
 * (fresh file-command files included). Its exports and path additions are applied to the job.
 */
export async function runLaterStep(
  command: string,
  args: string[],
  job: JobEnv,
  opts: { cwd?: string; stepEnv?: Record<string, string>; timeoutMs?: number } = {}
): Promise<StepResult> {
  const result = await executeStep(job, command, args, { ...opts, extraEnv: {} }, undefined)
  applyStep(job, result)
  return result
}

interface ExecOptions {
  stepEnv?: Record<string, string>
  extraEnv: Record<string, string>
  cwd?: string
  timeoutMs?: number
  keepOrphans?: boolean
  onStdout?: (chunk: string) => void
  onStderr?: (chunk: string) => void
}

async function executeStep(
  job: JobEnv,
  file: string,
  args: string[],
  opts: ExecOptions,
  childLog: string | undefined
): Promise<StepResult> {
  const cmdDir = path.join(job.dirs.temp, '_runner_file_commands')
  fs.mkdirSync(cmdDir, { recursive: true })
  const id = randomUUID()
  const files = {
    GITHUB_ENV: path.join(cmdDir, `set_env_${id}`),
    GITHUB_PATH: path.join(cmdDir, `add_path_${id}`),
    GITHUB_OUTPUT: path.join(cmdDir, `set_output_${id}`),
    GITHUB_STATE: path.join(cmdDir, `save_state_${id}`),
    GITHUB_STEP_SUMMARY: path.join(cmdDir, `step_summary_${id}`)
  }
  for (const f of Object.values(files)) fs.writeFileSync(f, '')
  const environment = { ...jobEnvironment(job, opts.stepEnv), ...opts.extraEnv, ...files }
  const proc: ProcessResult = await runProcess(file, args, {
    cwd: opts.cwd ?? job.dirs.workspace,
    env: environment,
    timeoutMs: opts.timeoutMs,
    keepOrphans: opts.keepOrphans,
    onStdout: opts.onStdout,
    onStderr: opts.onStderr
  })
  const errors: string[] = []
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '')
  const envPairs = parseFileCommand(read(files.GITHUB_ENV), 'env', errors)
  const env: Record<string, string> = {}
  for (const [k, v] of envPairs) {
    if (k === 'NODE_OPTIONS') {
      errors.push("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.")
      continue
    }
    env[k] = v
  }
  const outputs = Object.fromEntries(parseFileCommand(read(files.GITHUB_OUTPUT), 'output', errors))
  const state = Object.fromEntries(parseFileCommand(read(files.GITHUB_STATE), 'state', errors))
  const addedPath = read(files.GITHUB_PATH)
    .split(/\r?\n/)
    .filter((l) => l !== '')
  const summary = read(files.GITHUB_STEP_SUMMARY)
  if (Buffer.byteLength(summary) > 1024 * 1024)
    errors.push('$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k')
  const commands = parseWorkflowCommands(proc.stdout)
  const masks: string[] = []
  for (const c of commands) {
    if (c.command === 'add-mask' && c.message) masks.push(c.message)
    if (c.command === 'set-output' && c.properties.name) outputs[c.properties.name] = c.message
    if (c.command === 'save-state' && c.properties.name) state[c.properties.name] = c.message
  }
  const children: ChildRecord[] = []
  if (childLog && fs.existsSync(childLog)) {
    for (const line of fs.readFileSync(childLog, 'utf8').split('\n'))
      if (line) children.push(JSON.parse(line) as ChildRecord)
    fs.rmSync(childLog, { force: true })
  }
  const ok = proc.exitCode === 0 && !proc.timedOut && errors.length === 0
  return {
    exitCode: proc.exitCode,
    signal: proc.signal,
    timedOut: proc.timedOut,
    conclusion: ok ? 'success' : 'failure',
    stdout: proc.stdout,
    stderr: proc.stderr,
    outputs,
    env,
    path: addedPath,
    state,
    summary,
    commands,
    masks,
    fileCommandErrors: errors,
    children,
    orphans: proc.orphans,
    orphanGroup: proc.orphans && opts.keepOrphans ? proc.pid : undefined,
    environment,
    durationMs: proc.durationMs
  }
}

// ---------------------------------------------------------------------------------------------------------
// The whole action: main, (later steps), post

export interface ActionOptions extends JobOptions {
  /** Directory holding action.yml (default: the repository root). */
  actionDir?: string
  /** Override runs.main / runs.post (paths relative to actionDir or absolute). */
  main?: string
  post?: string
  /** When post runs: 'always' (default: action.yml's post-if, always() when absent), 'success', 'never'. */
  postIf?: 'always' | 'success' | 'never'
  job?: JobEnv
  inputs?: Record<string, InputValue>
  stepEnv?: Record<string, string>
  node?: string
  timeoutMs?: number
  /** Later steps of the job, run between main and post (e.g. `runLaterStep('go', ['build'], job)`). */
  between?: (job: JobEnv, main: StepResult) => Promise<void>
  recordChildren?: boolean
  onStdout?: (chunk: string) => void
  onStderr?: (chunk: string) => void
}

export interface ActionResult {
  main: StepResult
  /** Undefined when post-if skipped it. */
  post?: StepResult
  job: JobEnv
  /** The environment a step after the action would run with. */
  env: Record<string, string>
  /** success when main succeeded (and post, when it ran). */
  conclusion: 'success' | 'failure'
  /** Process groups still alive at the job end (then killed). */
  orphansKilled: number
}

/** Run the action's main step, then its post step (with main's state and the job's env changes), as the runner does. */
export async function runAction(opts: ActionOptions = {}): Promise<ActionResult> {
  const actionDir = opts.actionDir ?? REPO_ROOT
  const yml = readActionYml(path.join(actionDir, 'action.yml'))
  const job = opts.job ?? newJob(opts)
  const inputDefaults: Record<string, string> = {}
  for (const [name, spec] of Object.entries(yml.inputs))
    if (spec.default !== undefined) inputDefaults[name] = evaluateDefault(spec.default, job)
  const resolve = (p: string | undefined, what: string) => {
    if (!p) throw new Error(`bench: action.yml declares no runs.${what}`)
    return path.isAbsolute(p) ? p : path.join(actionDir, p)
  }
  const step = {
    job,
    inputs: opts.inputs,
    inputDefaults,
    stepEnv: opts.stepEnv,
    node: opts.node,
    timeoutMs: opts.timeoutMs,
    recordChildren: opts.recordChildren,
    keepOrphans: true, // the runner cleans up orphans at the job end, not after each step
    onStdout: opts.onStdout,
    onStderr: opts.onStderr
  }
  let main: StepResult | undefined
  let post: StepResult | undefined
  let orphansKilled = 0
  try {
    main = await runStep({ ...step, script: resolve(opts.main ?? yml.main, 'main') })
    applyStep(job, main)
    if (opts.between) await opts.between(job, main)
    const postScript = opts.post ?? yml.post
    const postIf = opts.postIf ?? (yml.postIf && /success\(\)/.test(yml.postIf) ? 'success' : 'always')
    if (postScript && (postIf === 'always' || (postIf === 'success' && main.conclusion === 'success'))) {
      post = await runStep({ ...step, script: resolve(postScript, 'post'), state: main.state })
      applyStep(job, post)
    }
  } finally {
    orphansKilled = endJob(job)
  }
  if (!main) throw new Error('bench: the main step did not run')
  const conclusion =
    main.conclusion === 'success' && (!post || post.conclusion === 'success') ? 'success' : 'failure'
  return { main, post, job, env: jobEnvironment(job), conclusion, orphansKilled }
}

function evaluateDefault(value: string, job: JobEnv): string {
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (whole, expr: string) => {
    switch (expr) {
      case 'github.token':
        return job.githubToken
      case 'github.workspace':
        return job.dirs.workspace
      case 'runner.temp':
        return job.dirs.temp
      case 'runner.os':
        return 'Linux'
      case 'runner.arch':
        return 'X64'
      default:
        return whole
    }
  })
}

// ---------------------------------------------------------------------------------------------------------
// Parsing: file commands, workflow commands, action.yml

/**
 * Parse a GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE file with the runner's rules: `NAME=value` (when `=`
 * comes before any `<<`) or `NAME<<DELIMITER`, lines, then a line equal to DELIMITER. Errors are pushed
 * (the runner fails the step on them).
 */
export function parseFileCommand(
  content: string,
  what: string,
  errors: string[] = []
): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const lines = content.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (line === '') continue
    const eq = line.indexOf('=')
    const hd = line.indexOf('<<')
    if (eq >= 0 && (hd < 0 || eq < hd)) {
      const key = line.slice(0, eq)
      if (!key) {
        errors.push(`Invalid format '${line}' in ${what} file: the name must not be empty`)
        continue
      }
      out.push([key, line.slice(eq + 1)])
    } else if (hd >= 0) {
      const key = line.slice(0, hd)
      const delimiter = line.slice(hd + 2)
      if (!key || !delimiter) {
        errors.push(`Invalid format '${line}' in ${what} file: name and delimiter must not be empty`)
        continue
      }
      const value: string[] = []
      let found = false
      for (i = i + 1; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          found = true
          break
        }
        value.push(lines[i] as string)
      }
      if (!found) {
        errors.push(`Invalid value in ${what} file: matching delimiter not found '${delimiter}'`)
        break
      }
      out.push([key, value.join('\n')])
    } else {
      errors.push(`Invalid format '${line}' in ${what} file`)
    }
  }
  return out
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(s: string): string {
  return s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%')
}

/** The `::command k=v,...::message` lines of a step's stdout (honouring ::stop-commands::). */
export function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = []
  let stopToken: string | undefined
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trimStart()
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined
      continue
    }
    const m = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!m) continue
    const properties: Record<string, string> = {}
    for (const kv of (m[2] ?? '').split(',')) {
      const eq = kv.indexOf('=')
      if (eq > 0) properties[kv.slice(0, eq).trim()] = unescapeProperty(kv.slice(eq + 1))
    }
    const cmd = { command: m[1] as string, properties, message: unescapeData(m[3] ?? '') }
    if (cmd.command === 'stop-commands') {
      stopToken = cmd.message
      continue
    }
    out.push(cmd)
  }
  return out
}

/** Replace every mask with `***`, as the runner does in the log. */
export function applyMasks(text: string, masks: string[]): string {
  let out = text
  for (const m of [...masks].sort((a, b) => b.length - a.length)) if (m) out = out.split(m).join('***')
  return out
}

export interface ActionYml {
  inputs: Record<string, { default?: string; required?: string; description?: string }>
  outputs: string[]
  using?: string
  main?: string
  post?: string
  postIf?: string
}

/** Read what the runner uses from action.yml (inputs and their defaults, runs.*). A small YAML subset parser. */
export function readActionYml(file: string): ActionYml {
  const doc = parseYamlSubset(fs.readFileSync(file, 'utf8'))
  const inputs: ActionYml['inputs'] = {}
  const rawInputs = (doc.inputs ?? {}) as YamlMap
  for (const [name, spec] of Object.entries(rawInputs)) {
    const s = (typeof spec === 'object' ? spec : {}) as YamlMap
    inputs[name] = {
      default: typeof s.default === 'string' ? s.default : undefined,
      required: typeof s.required === 'string' ? s.required : undefined,
      description: typeof s.description === 'string' ? s.description : undefined
    }
  }
  const runs = (doc.runs ?? {}) as YamlMap
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
  return {
    inputs,
    outputs: Object.keys((doc.outputs ?? {}) as YamlMap),
    using: str(runs.using),
    main: str(runs.main),
    post: str(runs.post),
    postIf: str(runs['post-if'])
  }
}

interface YamlMap {
  [key: string]: string | YamlMap
}

/** Nested maps of scalars (plain, quoted, `|`/`>` blocks); lists and flow collections are skipped. */
export function parseYamlSubset(text: string): YamlMap {
  const root: YamlMap = {}
  const stack: Array<{ indent: number; obj: YamlMap }> = [{ indent: -1, obj: root }]
  const lines = text.split(/\r?\n/)
  const indentOf = (l: string) => (/^ */.exec(l) as RegExpExecArray)[0].length
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (/^\s*(#.*)?$/.test(line)) continue
    const indent = indentOf(line)
    const m = /^\s*([^\s:#'"-][^:#]*?|'[^']*'|"[^"]*")\s*:(?:\s+(.*?))?\s*$/.exec(line)
    if (!m) continue
    while ((stack[stack.length - 1] as { indent: number }).indent >= indent) stack.pop()
    const parent = (stack[stack.length - 1] as { obj: YamlMap }).obj
    const key = (m[1] as string).replace(/^(['"])(.*)\1$/, '$2')
    const value = m[2]
    if (value === undefined || value === '') {
      const child: YamlMap = {}
      parent[key] = child
      stack.push({ indent, obj: child })
    } else if (/^[|>][+-]?$/.test(value)) {
      const block: string[] = []
      let blockIndent = -1
      while (i + 1 < lines.length) {
        const next = lines[i + 1] as string
        if (next.trim() !== '' && indentOf(next) <= indent) break
        i++
        if (next.trim() !== '' && blockIndent < 0) blockIndent = indentOf(next)
        block.push(next.slice(Math.max(0, blockIndent)))
      }
      while (block.length && block[block.length - 1]?.trim() === '') block.pop()
      const body = value.startsWith('|') ? block.join('\n') : block.join(' ').replace(/ {2,}/g, ' ')
      parent[key] = value.endsWith('-') ? body : body + '\n'
    } else {
      parent[key] = parseScalar(value)
    }
  }
  return root
}

function parseScalar(v: string): string {
  if (v.startsWith("'")) return v.slice(1, v.lastIndexOf("'")).replace(/''/g, "'")
  if (v.startsWith('"')) {
    const end = v.lastIndexOf('"')
    try {
      return JSON.parse(v.slice(0, end + 1)) as string
    } catch {
      return v.slice(1, end)
    }
  }
  return v.replace(/\s+#.*$/, '')
}

// ---------------------------------------------------------------------------------------------------------
// Child process recording

/** The preload module (written once per temp dir and log file) that logs child process argv. */
function writePreload(tempDir: string, logFile: string): string {
  const dir = path.join(tempDir, '_bench')
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `record-children-${path.basename(logFile, '.jsonl')}.mjs`)
  const src = `// Written by testbed/runner.ts: logs the argv of every child process this node starts.
import { createRequire, syncBuiltinESMExports } from 'node:module'
const require = createRequire(import.meta.url)
const cp = require('node:child_process')
const fs = require('node:fs')
const LOG = ${JSON.stringify(logFile)}
function record(method, file, args, options) {
  try {
    const entry = { method, file: String(file), args: Array.isArray(args) ? args.map(String) : [], time: Date.now() }
    if (options && typeof options === 'object' && options.cwd) entry.cwd = String(options.cwd)
    const env = options && typeof options === 'object' && options.env ? options.env : process.env
    entry.envNames = Object.keys(env)
    fs.appendFileSync(LOG, JSON.stringify(entry) + '\\n')
  } catch {}
}
function wrap(name, toRecord) {
  const orig = cp[name]
  const wrapped = function (...a) {
    toRecord(a)
    return orig.apply(this, a)
  }
  // Keep util.promisify.custom (exec/execFile resolve { stdout, stderr } through it).
  for (const k of Reflect.ownKeys(orig)) if (typeof k === 'symbol') wrapped[k] = orig[k]
  cp[name] = wrapped
}
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync']) {
  wrap(name, (a) => (Array.isArray(a[1]) ? record(name, a[0], a[1], a[2]) : record(name, a[0], [], a[1])))
}
for (const name of ['exec', 'execSync']) wrap(name, (a) => record(name, '/bin/sh', ['-c', a[0]], a[1]))
wrap('fork', (a) => record('fork', process.execPath, [a[0], ...(Array.isArray(a[1]) ? a[1] : [])], Array.isArray(a[1]) ? a[2] : a[1]))
syncBuiltinESMExports()
`
  fs.writeFileSync(file, src)
  return file
}
