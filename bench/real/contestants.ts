/**
 * The two contestants of the real-world benchmark, each from an empty module cache in fresh job
 * directories:
 *
 *  plain   `go mod download` in the fixture, what a setup-go user runs (GOPROXY = the logging proxy in
 *          front of the machine's proxy, GOSUMDB as the machine has it, an empty GOMODCACHE);
 *  action  dist/main then dist/post through the runner emulation (testbed/runner.ts runAction), with
 *          `goproxy:` the same logging proxy and `go-version` found in a tool cache that holds the local Go
 *          (so nothing is downloaded from go.dev), against the bench's cache service. Between main and post,
 *          as later steps of the job: the module cache must hold every zip plain go fetched, `go mod verify`
 *          must pass, and `go build ./...` with GOPROXY=off and -mod=readonly must succeed.
 */
import fs from 'node:fs'
import path from 'node:path'
import { isolatedGoEnv, removeTree } from '../../testbed/isolated-go.ts'
import { runProcess } from '../../testbed/proc.ts'
import { REPO_ROOT, runAction, runLaterStep, type JobDirs, type JobEnv } from '../../testbed/runner.ts'
import type { BenchCache } from '../scenarios/cache.ts'
import { restoreBreakdown, segments, timedLines } from '../scenarios/stats.ts'
import { cacheZips, writeFixture, type Variant } from './fixture.ts'
import { countsBetween, type Counts, type LogProxy } from './log-proxy.ts'

export interface RealWorld {
  /** The temp root of this bench run (removed at the end). */
  root: string
  proxy: LogProxy
  /** GOSUMDB as the machine's go reports it (plain go gets it; the action reads its own default). */
  gosumdb: string
  /** The local Go's version without `go` (1.26.8) and its GOROOT. */
  goVersion: string
  goroot: string
  /** The build cache of the `go build` check, kept across bench runs (compiling the graph takes minutes). */
  gocache: string
  stepTimeoutMs: number
  /** The module cache layout the action archives (`--layout`; the default is cache/download only). */
  layout?: 'download' | 'full'
}

export interface PlainRun {
  ok: boolean
  ms: number
  requests: Counts
  zips: Set<string>
  zipBytes: number
  /** Zips over 10 MB. */
  largeZips: number
  stderrTail: string
}

/** Plain `go mod download` of the base fixture into an empty module cache. */
export async function runPlain(world: RealWorld): Promise<PlainRun> {
  const root = path.join(world.root, 'plain')
  removeTree(root)
  const work = path.join(root, 'work')
  writeFixture(work, 'base')
  const go = isolatedGoEnv({ root, goproxy: world.proxy.url, gosumdb: world.gosumdb })
  const before = world.proxy.counts()
  const r = await runProcess('go', ['mod', 'download'], {
    cwd: work,
    env: go.env,
    timeoutMs: world.stepTimeoutMs,
    orphanGraceMs: 0
  })
  const requests = countsBetween(before, world.proxy.counts())
  const { zips, bytes, large } = cacheZips(go.gomodcache)
  removeTree(root)
  return {
    ok: r.exitCode === 0,
    ms: r.durationMs,
    requests,
    zips,
    zipBytes: bytes,
    largeZips: large,
    stderrTail: tail(r.stderr)
  }
}

export interface Check {
  name: string
  ok: boolean
  ms: number
  detail: string
}

export interface ActionRealRun {
  ok: boolean
  mainMs: number
  postMs: number
  outputs: Record<string, string>
  /** Requests during main, during the checks (should be none), and during post. */
  mainRequests: Counts
  checkRequests: Counts
  postRequests: Counts
  zips: number
  zipBytes: number
  checks: Check[]
  /** Size of the cache entry post saved (0 when it saved none). */
  savedArchiveBytes: number
  /** ::warning:: and ::error:: lines, and the tail of the log when main failed. */
  problems: string[]
  /** Main's time split at its log groups (bench/scenarios/stats.ts segments). */
  groups: Array<{ name: string; ms: number }>
  /** Where the cache restore's time went (lookup, archive download, tar, integrity check). */
  restore: ReturnType<typeof restoreBreakdown>
}

/** A tool cache holding the local Go as the action's installer looks it up (`go/<ver>/x64` + `.complete`). */
export function seedToolCache(toolCache: string, world: RealWorld): void {
  const dir = path.join(toolCache, 'go', world.goVersion)
  fs.mkdirSync(dir, { recursive: true })
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64'
  if (!fs.existsSync(path.join(dir, arch))) fs.symlinkSync(world.goroot, path.join(dir, arch))
  fs.writeFileSync(path.join(dir, `${arch}.complete`), '')
}

/** The job directories, emptied: the same absolute paths in every job (the cache version hashes them). */
function freshJob(world: RealWorld): JobDirs {
  const root = path.join(world.root, 'runner')
  removeTree(root)
  const dirs: JobDirs = {
    root,
    workspace: path.join(root, 'work', 'app', 'app'),
    home: path.join(root, 'home'),
    temp: path.join(root, 'temp'),
    toolCache: path.join(root, 'toolcache'),
    cleanup: () => removeTree(root)
  }
  for (const d of [dirs.workspace, dirs.home, dirs.temp, dirs.toolCache]) fs.mkdirSync(d, { recursive: true })
  seedToolCache(dirs.toolCache, world)
  return dirs
}

export async function runActionReal(
  world: RealWorld,
  cache: BenchCache,
  variant: Variant,
  expectedZips: ReadonlySet<string>
): Promise<ActionRealRun> {
  const dirs = freshJob(world)
  writeFixture(dirs.workspace, variant)
  const marks: Counts[] = [world.proxy.counts()]
  let checks: Check[] = []
  let zips = { zips: new Set<string>(), bytes: 0, large: 0 }
  const entriesBefore = new Set(cache.service.entries().map((e) => e.id))
  const { lines, onStdout } = timedLines()
  const mainStart = Date.now()
  let mainEnd = Number.NaN
  const result = await runAction({
    dirs,
    env: { ...cache.env, ...(world.layout === 'full' ? { SETUP_GO_DEPS_CACHE_LAYOUT: 'full' } : {}) },
    inputs: { 'go-version': world.goVersion, goproxy: world.proxy.url },
    main: path.join(REPO_ROOT, 'dist', 'main', 'index.js'),
    post: path.join(REPO_ROOT, 'dist', 'post', 'index.js'),
    recordChildren: false,
    timeoutMs: world.stepTimeoutMs,
    onStdout,
    between: async (job, main) => {
      mainEnd = Date.now()
      marks.push(world.proxy.counts())
      if (main.conclusion !== 'success') return
      const gomodcache = main.outputs.gomodcache ?? path.join(dirs.home, 'go', 'pkg', 'mod')
      zips = cacheZips(gomodcache)
      checks = await laterSteps(world, job, zips.zips, expectedZips)
      marks.push(world.proxy.counts())
    }
  })
  if (marks.length === 2) marks.push(marks[1] as Counts)
  marks.push(world.proxy.counts())
  const [m0, m1, m2, m3] = marks as [Counts, Counts, Counts, Counts]
  const saved = cache.service
    .entries()
    .filter((e) => !entriesBefore.has(e.id) && e.committed && fs.existsSync(e.file))
  const problems = result.main.commands
    .concat(result.post?.commands ?? [])
    .filter((c) => c.command === 'warning' || c.command === 'error')
    .map((c) => `${c.command}: ${c.message}`)
  if (result.main.conclusion !== 'success') problems.push(...tail(result.main.stdout, 40).split('\n'))
  const run: ActionRealRun = {
    ok: result.conclusion === 'success' && checks.length > 0 && checks.every((c) => c.ok),
    mainMs: result.main.durationMs,
    postMs: result.post?.durationMs ?? 0,
    outputs: result.main.outputs,
    mainRequests: countsBetween(m0, m1),
    checkRequests: countsBetween(m1, m2),
    postRequests: countsBetween(m2, m3),
    zips: zips.zips.size,
    zipBytes: zips.bytes,
    checks,
    savedArchiveBytes: saved.reduce((n, e) => n + fs.statSync(e.file).size, 0),
    problems,
    groups: segments(lines, mainStart, Number.isFinite(mainEnd) ? mainEnd : Date.now()),
    restore: restoreBreakdown(
      lines.filter((l) => !(l.time > mainEnd)).map((l) => ({ ms: l.time - mainStart, line: l.line }))
    )
  }
  dirs.cleanup()
  return run
}

/** The checks, as later steps of the job (in its environment: PATH, GOFLAGS and GOPROXY the action exported). */
async function laterSteps(
  world: RealWorld,
  job: JobEnv,
  have: ReadonlySet<string>,
  expected: ReadonlySet<string>
): Promise<Check[]> {
  const missing = [...expected].filter((z) => !have.has(z))
  const extra = [...have].filter((z) => !expected.has(z)).length
  const checks: Check[] = [
    {
      name: 'zips',
      ok: missing.length === 0,
      ms: 0,
      detail: missing.length
        ? `missing ${missing.length} of ${expected.size}: ${missing.slice(0, 10).join(', ')}`
        : `${have.size} zips: all ${expected.size} plain go fetched, and ${extra} more`
    }
  ]
  const verify = await runLaterStep('go', ['mod', 'verify'], job, { timeoutMs: world.stepTimeoutMs })
  checks.push({
    name: 'go mod verify',
    ok: verify.conclusion === 'success',
    ms: verify.durationMs,
    detail: tail(verify.stdout + verify.stderr, 5)
  })
  const goflags = `${job.exported.GOFLAGS ?? job.env.GOFLAGS ?? ''} -mod=readonly`.trim()
  // -trimpath keeps the build cache independent of where the job's GOMODCACHE is, so the kept build cache
  // is reused by every run (without it each new module cache path recompiles the graph, ~7 min on 2 cores).
  const build = await runLaterStep('go', ['build', '-trimpath', './...'], job, {
    stepEnv: { GOPROXY: 'off', GOFLAGS: goflags, GOCACHE: world.gocache },
    timeoutMs: Math.max(world.stepTimeoutMs, 20 * 60_000)
  })
  checks.push({
    name: 'go build (GOPROXY=off, -mod=readonly)',
    ok: build.conclusion === 'success',
    ms: build.durationMs,
    detail: tail(build.stdout + build.stderr, 10)
  })
  return checks
}

function tail(text: string, lines = 10): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}
