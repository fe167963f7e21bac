/**
 * The benchmark's world and its two contestants.
 *
 * World: a Go download mirror, one module proxy serving every generated module set (one set per size,
 * ~32 KB modules, a light dependency graph) with the upstream latency docs/ARCHITECTURE.md measures with (40 ms per
 * request), and a shared runner tool cache holding Go (so scenarios that exclude the Go install do not
 * pay it; the install itself is measured on its own). Module sets and the Go archive are generated once
 * and reused by every run.
 *
 * A (`runA`): the action under test, dist/main/index.js then dist/post/index.js through the runner
 * emulation (testbed/runner.ts `runAction`), with a probe preloaded into its node (bench/scenarios/probe.mjs:
 * peak RSS, child process intervals) and its log groups timed as they arrive.
 * B (`runB`): the setup-go style baseline, bench/baseline.ts as a step, then the user's plain
 * `go mod download` as a later step, then the baseline's post (setup-go's `post-if: success()`).
 * Both get the same job: GOPROXY = the bench proxy, GOSUMDB=off (the generated modules are not in any
 * checksum database), the cache service's variables, a fresh workspace/HOME/RUNNER_TEMP per run.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { startGoMirror, type GoMirror } from '../../testbed/go-mirror.ts'
import {
  generateModules,
  writeConsumerProject,
  type ModuleSet,
  type ModuleVersion
} from '../../testbed/module-gen.ts'
import { startModuleProxy, type ModuleProxy } from '../../testbed/proxy.ts'
import { runProcess } from '../../testbed/proc.ts'
import { SYSTEM_PATH, removeTree } from '../../testbed/isolated-go.ts'
import {
  REPO_ROOT,
  applyStep,
  endJob,
  jobEnvironment,
  newJob,
  runAction,
  runStep,
  type JobDirs,
  type StepResult
} from '../../testbed/runner.ts'
import type { BenchCache } from './cache.ts'
import { bundleBaseline } from './bundle.ts'
import { segments, unionLength, type Interval, timedLines } from './stats.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
export const PROBE = path.join(here, 'probe.mjs')

export interface WorldOptions {
  /** Per-request upstream latency of the proxy and the mirror (40 ms, typical from a hosted runner to proxy.golang.org). */
  latencyMs: number
  /** Module counts to generate a set for. */
  sizes: number[]
  /** Approximate size of each module's files (default 32 KB, as in docs/ARCHITECTURE.md's measurements). */
  moduleBytes?: number
  log?: (line: string) => void
  /** Where the bundled baseline is kept between bench runs (default .bench-out/baseline/index.mjs). */
  baselineBundle?: string
}

export interface World {
  latencyMs: number
  goVersion: string
  mirror: GoMirror
  proxy: ModuleProxy
  /** RUNNER_TOOL_CACHE shared by the runs that exclude the Go install (Go already in it). */
  toolCache: string
  /**
   * The job directories every run uses, wiped before each run: the same absolute paths in every job, as
   * on a hosted runner (/home/runner/work/<repo>/<repo>). @actions/cache hashes the absolute cache paths
   * into the entry's version, so a cache saved by one job is found by the next only when they match.
   */
  runnerRoot: string
  /** The bundled baseline script (bench/scenarios/bundle.ts). */
  baselineScript: string
  /** The generated set for a module count. */
  set(count: number): ModuleSet
  /** Version 1.0.0 of every module of a set (what a project first depends on; bumps add versions). */
  base(count: number): ModuleVersion[]
  close(): Promise<void>
}

/** A light graph: every tenth module requires the next one (indirect requirements exist, no deep chains). */
const lightGraph = (i: number, n: number): number[] => (i % 10 === 0 && i + 1 < n ? [i + 1] : [])

export async function startWorld(opts: WorldOptions): Promise<World> {
  const log = opts.log ?? (() => {})
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-world-'))
  const sets = new Map<number, ModuleSet>()
  const bases = new Map<number, ModuleVersion[]>()
  for (const n of [...new Set(opts.sizes)].sort((a, b) => a - b)) {
    const t = Date.now()
    const set = generateModules({
      dir: path.join(root, `mods-${n}`),
      count: n,
      prefix: `example.com/s${n}`,
      sizeBytes: opts.moduleBytes ?? 32 * 1024,
      deps: lightGraph,
      write: false
    })
    sets.set(n, set)
    bases.set(
      n,
      set.modules.map((m) => m.versions[0] as ModuleVersion)
    )
    log(`generated ${n} modules in ${Date.now() - t} ms`)
  }
  const mirror = await startGoMirror({ latencyMs: opts.latencyMs })
  const proxy = await startModuleProxy({ modules: [...sets.values()], latencyMs: opts.latencyMs })
  const toolCache = path.join(root, 'toolcache')
  fs.mkdirSync(toolCache, { recursive: true })
  const t = Date.now()
  const baselineScript = await bundleBaseline(
    opts.baselineBundle ?? path.join(REPO_ROOT, '.bench-out', 'baseline', 'index.mjs')
  )
  log(`baseline bundle ready in ${Date.now() - t} ms`)
  const world: World = {
    latencyMs: opts.latencyMs,
    goVersion: mirror.goVersion,
    mirror,
    proxy,
    toolCache,
    runnerRoot: path.join(root, 'runner'),
    baselineScript,
    set(count) {
      const s = sets.get(count)
      if (!s) throw new Error(`bench: no module set of ${count}`)
      return s
    },
    base(count) {
      const b = bases.get(count)
      if (!b) throw new Error(`bench: no module set of ${count}`)
      return b
    },
    async close() {
      await Promise.allSettled([mirror.close(), proxy.close()])
      removeTree(root)
    }
  }
  return world
}

// ---------------------------------------------------------------------------------------------------------
// Probe records

export interface ChildRun extends Interval {
  script: string
  file: string
  args: string[]
  code: number | null
}

interface ExitRecord extends Interval {
  script: string
  maxRssKb: number
}

function readProbe(file: string): { children: ChildRun[]; exits: ExitRecord[] } {
  const children: ChildRun[] = []
  const exits: ExitRecord[] = []
  if (!fs.existsSync(file)) return { children, exits }
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue
    const r = JSON.parse(line) as { kind: string } & ChildRun & ExitRecord
    if (r.kind === 'child') children.push(r)
    else if (r.kind === 'exit') exits.push(r)
  }
  return { children, exits }
}

const isGo = (c: ChildRun) => path.basename(c.file) === 'go'
const isModDownload = (c: ChildRun) => isGo(c) && c.args[0] === 'mod' && c.args[1] === 'download'

/**
 * How long a step's node ran, from its own exit record. testbed/proc.ts reports a process's duration only
 * after a 100 ms grace period for orphans, which would add 100 ms per step (and B has one step more than
 * A); the probe's lifetime does not include it. Falls back to the runner's figure minus the grace.
 */
function stepMs(exits: ExitRecord[], script: string, step: StepResult | undefined): number {
  if (!step) return 0
  const exit = exits.find((e) => e.script === script)
  return exit ? exit.end - exit.start : Math.max(0, step.durationMs - ORPHAN_GRACE_MS)
}

/** testbed/proc.ts's default orphanGraceMs. */
const ORPHAN_GRACE_MS = 100

function probeEnv(probeLog: string): Record<string, string> {
  let options = `--import=${pathToFileURL(PROBE).href}`
  // `npm run bench -- --profile`: a V8 CPU profile of every step's node (open in Chrome DevTools).
  const profiles = process.env.BENCH_CPU_PROF_DIR
  if (profiles) options += ` --cpu-prof --cpu-prof-dir=${profiles}`
  return { NODE_OPTIONS: options, BENCH_PROBE_LOG: probeLog }
}

// ---------------------------------------------------------------------------------------------------------
// A: the action

export interface RunOptions {
  cache: BenchCache
  /** The project's requirements. */
  requires: ModuleVersion[]
  /** Inputs beyond go-version / go-download-base-url. */
  inputs?: Record<string, string>
  /** Run the post step: 'always' (the action's post-if) or 'never'. */
  post?: 'always' | 'never'
  /** Use a fresh, empty tool cache (measures the Go install) instead of the shared one. */
  freshToolCache?: boolean
  /** Keep the job's directories (the caller cleans up). */
  keep?: boolean
  timeoutMs?: number
}

export interface ActionRun {
  ok: boolean
  mainMs: number
  postMs: number
  /** main + post. */
  totalMs: number
  /** The "Install Go" log group. */
  installMs: number
  /** CacheRestore.durationMs as the action measured it (State.cache), NaN when absent. */
  restoreMs: number
  restoreOutcome: string
  /** The `tar` the cache restore ran (extraction alone). */
  restoreTarMs: number
  /** Wall time while at least one `go mod download` ran. */
  goDownloadMs: number
  /** Wall time while at least one child process (go, git, tar) ran, in main. */
  childMs: number
  /** main minus every child process time: the action's own cost (node start, JS, HTTP to the cache). */
  overheadMs: number
  attempts: number
  errorClass: string
  maxRssKb: number
  postMaxRssKb: number
  outputs: Record<string, string>
  cacheKey: string
  groups: Array<{ name: string; ms: number }>
  /** Every stdout line of main and post with the time it arrived (ms since main started). */
  log: Array<{ ms: number; line: string }>
  main: StepResult
  post?: StepResult
  dirs: JobDirs
}

export function actionScripts(): { main: string; post: string } {
  return {
    main: path.join(REPO_ROOT, 'dist', 'main', 'index.js'),
    post: path.join(REPO_ROOT, 'dist', 'post', 'index.js')
  }
}

function jobEnv(world: World, cache: BenchCache): Record<string, string> {
  return { GOPROXY: world.proxy.goproxy, GOSUMDB: 'off', ...cache.env }
}

/** The runner's directories, emptied: a fresh machine with the same paths as the previous job. */
export function freshJobDirs(world: World, freshToolCache: boolean): JobDirs {
  const root = world.runnerRoot
  removeTree(root)
  const dirs: JobDirs = {
    root,
    workspace: path.join(root, 'work', 'app', 'app'),
    home: path.join(root, 'home'),
    temp: path.join(root, 'temp'),
    toolCache: freshToolCache ? path.join(root, 'toolcache') : world.toolCache,
    cleanup: () => removeTree(root)
  }
  for (const d of [dirs.workspace, dirs.home, dirs.temp, dirs.toolCache]) fs.mkdirSync(d, { recursive: true })
  return dirs
}

export async function runA(world: World, opts: RunOptions): Promise<ActionRun> {
  const dirs = freshJobDirs(world, opts.freshToolCache ?? false)
  writeConsumerProject(dirs.workspace, { requires: opts.requires })
  const probeLog = path.join(dirs.root, 'probe.jsonl')
  const { lines, onStdout } = timedLines()
  const scripts = actionScripts()
  const result = await runAction({
    dirs,
    env: jobEnv(world, opts.cache),
    inputs: { 'go-version': world.goVersion, 'go-download-base-url': world.mirror.baseUrl, ...opts.inputs },
    stepEnv: probeEnv(probeLog),
    main: scripts.main,
    post: scripts.post,
    postIf: opts.post === 'never' ? 'never' : undefined,
    recordChildren: false,
    timeoutMs: opts.timeoutMs ?? 300_000,
    onStdout
  })
  const { children, exits } = readProbe(probeLog)
  const inMain = children.filter((c) => c.script === scripts.main)
  const mainExit = exits.find((e) => e.script === scripts.main)
  const postExit = exits.find((e) => e.script === scripts.post)
  let restoreMs = Number.NaN
  let restoreOutcome = ''
  try {
    const state = JSON.parse(result.main.state.cache ?? '{}') as {
      restore?: { durationMs?: number; outcome?: string }
    }
    restoreMs = state.restore?.durationMs ?? Number.NaN
    restoreOutcome = state.restore?.outcome ?? ''
  } catch {
    // no cache state: restoreMs stays NaN
  }
  const mainStart = mainExit?.start ?? lines[0]?.time ?? 0
  const groups = segments(lines, mainStart, mainExit?.end ?? Date.now())
  const childMs = unionLength(inMain)
  const mainMs = stepMs(exits, scripts.main, result.main)
  const postMs = stepMs(exits, scripts.post, result.post)
  const run: ActionRun = {
    ok: result.main.conclusion === 'success',
    mainMs,
    postMs,
    totalMs: mainMs + postMs,
    installMs: groups.find((g) => /install go/i.test(g.name))?.ms ?? Number.NaN,
    restoreMs,
    restoreOutcome,
    restoreTarMs: unionLength(
      inMain.filter((c) => path.basename(c.file) === 'tar' || /\btar\b/.test(c.args.join(' ')))
    ),
    goDownloadMs: unionLength(inMain.filter(isModDownload)),
    childMs,
    overheadMs: mainMs - childMs,
    attempts: Number(result.main.outputs['download-attempts'] ?? Number.NaN),
    errorClass: result.main.outputs['error-class'] ?? '',
    maxRssKb: mainExit?.maxRssKb ?? Number.NaN,
    postMaxRssKb: postExit?.maxRssKb ?? Number.NaN,
    outputs: result.main.outputs,
    cacheKey: result.main.outputs['cache-key'] ?? '',
    groups,
    log: lines.map((l) => ({ ms: l.time - mainStart, line: l.line })),
    main: result.main,
    post: result.post,
    dirs
  }
  if (!opts.keep) dirs.cleanup()
  return run
}

// ---------------------------------------------------------------------------------------------------------
// B: the setup-go style baseline

export interface BaselineRun {
  ok: boolean
  mainMs: number
  /** The plain `go mod download` step. */
  downloadMs: number
  postMs: number
  totalMs: number
  installMs: number
  restoreMs: number
  cacheHit: boolean
  /** Peak RSS of the baseline's main node. */
  maxRssKb: number
  main: StepResult
  /** The plain `go mod download` step's result. */
  download?: { exitCode: number | null; stdout: string; stderr: string; durationMs: number }
  post?: StepResult
}

export async function runB(world: World, opts: RunOptions): Promise<BaselineRun> {
  const dirs = freshJobDirs(world, opts.freshToolCache ?? false)
  const BASELINE = world.baselineScript
  writeConsumerProject(dirs.workspace, { requires: opts.requires })
  const job = newJob({ dirs, env: jobEnv(world, opts.cache) })
  const inputs: Record<string, string> = {
    'go-version': world.goVersion,
    'go-download-base-url': world.mirror.baseUrl,
    cache: 'true',
    ...opts.inputs
  }
  const timeoutMs = opts.timeoutMs ?? 300_000
  const probeLog = path.join(dirs.root, 'probe.jsonl')
  const stepEnv = probeEnv(probeLog)
  let download: BaselineRun['download']
  let post: StepResult | undefined
  let main: StepResult
  try {
    main = await runStep({
      job,
      script: BASELINE,
      inputs,
      stepEnv,
      recordChildren: false,
      keepOrphans: true,
      timeoutMs
    })
    applyStep(job, main)
    if (main.conclusion === 'success' && inputs.download !== 'false') {
      // The user's `run: go mod download` step, in the job's environment (PATH and exports of main).
      // Run here rather than with runLaterStep to time the process itself (no orphan grace period).
      download = await runProcess('go', ['mod', 'download'], {
        cwd: dirs.workspace,
        env: jobEnvironment(job),
        timeoutMs,
        orphanGraceMs: 0
      })
    }
    const success = main.conclusion === 'success' && (download?.exitCode ?? 0) === 0
    if (opts.post !== 'never' && success) {
      // The post step's node is a new process: a second probe log keeps main's exit record apart.
      post = await runStep({
        job,
        script: BASELINE,
        inputs,
        state: main.state,
        stepEnv: probeEnv(`${probeLog}.post`),
        recordChildren: false,
        timeoutMs
      })
      applyStep(job, post)
    }
  } finally {
    endJob(job)
  }
  const ok = main.conclusion === 'success' && (download?.exitCode ?? 0) === 0
  const mainExits = readProbe(probeLog).exits
  const mainMs = stepMs(mainExits, BASELINE, main)
  const postMs = stepMs(readProbe(`${probeLog}.post`).exits, BASELINE, post)
  const downloadMs = download?.durationMs ?? Number.NaN
  const run: BaselineRun = {
    ok,
    mainMs,
    downloadMs,
    postMs,
    totalMs: mainMs + (download?.durationMs ?? 0) + postMs,
    installMs: Number(main.outputs['install-ms'] ?? Number.NaN),
    restoreMs: Number(main.outputs['restore-ms'] ?? Number.NaN),
    cacheHit: main.outputs['cache-hit'] === 'true',
    maxRssKb: mainExits[0]?.maxRssKb ?? Number.NaN,
    main,
    download,
    post
  }
  if (!opts.keep) dirs.cleanup()
  return run
}

// ---------------------------------------------------------------------------------------------------------
// Raw tar extraction of a cache archive

/**
 * Extract an archive the way @actions/cache does on Linux (`tar -xf <archive> -P -C <workspace>` with
 * `--use-compress-program "unzstd --long=30"` for zstd, `-z` for gzip), and time it: where A's and B's
 * restores extract and after what they do, i.e. into the runner's paths right after the previous job's
 * tree was deleted (freshJobDirs). On a file system where creating files right after deleting many is
 * slow (this project's ext4: README, Performance), that history costs as much as the archive, so raw
 * `tar` in a quiet scratch directory would be measured on easier terms than the action. The tree is left
 * for the next job's freshJobDirs to delete, as a job's is.
 */
export async function rawTarExtractMs(world: World, archiveFile: string): Promise<number> {
  const head = Buffer.alloc(4)
  const fd = fs.openSync(archiveFile, 'r')
  fs.readSync(fd, head, 0, 4, 0)
  fs.closeSync(fd)
  const zstd = head.readUInt32LE(0) === 0xfd2fb528
  const { workspace } = freshJobDirs(world, false)
  const compress = zstd ? ['--use-compress-program', 'unzstd --long=30'] : ['-z']
  const r = await runProcess('tar', ['-xf', archiveFile, '-P', '-C', workspace, ...compress], {
    env: { PATH: SYSTEM_PATH },
    timeoutMs: 120_000,
    orphanGraceMs: 0
  })
  if (r.exitCode !== 0) throw new Error(`tar failed: ${r.stderr}`)
  return r.durationMs
}
