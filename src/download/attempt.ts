/**
 * Effects: one attempt of the download. First the modules not yet downloaded, as explicit
 * `path@version` arguments split round-robin over concurrent `go mod download -x -json` processes
 * (`parallel`; `auto`: modules.ts processCount) sharing one GOMODCACHE (go locks the cache per module, so
 * this is safe; on the bench, 8 processes took 2.0 s where one plain go took 9.2 s at 40 ms latency). Then, once nothing is missing, a
 * plain `go mod download -json` per root (a go.work: once at its root) as the completeness check: it
 * normally needs no network, and it is the whole download when there is no go.sum or go prints no JSON
 * (golang/go#35380, #69510). A watchdog stops the attempt when nothing progressed for `attempt-timeout`.
 * What the processes printed is read by outcome.ts; the next step is decided by state.ts.
 */
import * as core from '@actions/core'
import os from 'node:os'
import pMap from 'p-map'
import type { DownloadConfig } from '../config.js'
import type { AttemptRecord, Diagnosis } from '../types.js'
import { hasZip, isCached } from './cached.js'
import { limitCommandLine, modKey, processCount, splitRoundRobin, type ModuleVersion } from './modules.js'
import { batchOutcome, checkOutcome, dedupe, type ProcessResult } from './outcome.js'
import { startGo, type GoProcess } from './process.js'
import type { ModuleRoot } from './roots.js'
import {
  pendingModules,
  readyForCheck,
  type AttemptOutcome,
  type DownloadState,
  type WorkItem
} from './state.js'
import { Watchdog } from './watchdog.js'
import { redactUserinfo } from '../go/proxylist.js'

export interface AttemptContext {
  cfg: DownloadConfig
  roots: readonly ModuleRoot[]
  gomodcache: string
  /** The go processes' environment, GOPROXY included (go/proxylist.ts withRequestRetries). */
  env: NodeJS.ProcessEnv
  /** GOPROXY as configured, for the log and the attempt's record. */
  proxy: string
  deadlineAt: number
}

export interface AttemptResult {
  outcome: AttemptOutcome
  record: AttemptRecord
  /** Everything go printed on stderr, and its JSON errors (for Retry-After). */
  text: string
}

/** `# get https://...: 200 OK (0.003s)` and the matching start lines: progress, not worth a log line. */
const QUIET = /^# get \S+(?:: 2\d\d [^(]*\([\d.]+s\))?$/

/**
 * go's flag parsing stops at `--`, so nothing read from a go.sum can be taken as a flag (a path
 * `-modfile=x` is refused up front too: go/sumcheck.ts).
 */
export const downloadArgs = (modules: readonly ModuleVersion[]): string[] => [
  'mod',
  'download',
  '-x',
  '-json',
  '--',
  ...modules.map(modKey)
]

/** The module arguments' budget per go process: Windows' 32,767-character command line less go's path and flags. */
const MAX_MODULE_ARGS_CHARS = process.platform === 'win32' ? 30_000 : Infinity

/** Starts go processes under one watchdog and kills what is left when the attempt ends. */
class Processes {
  private readonly running = new Set<GoProcess>()
  readonly watchdog: Watchdog
  private readonly env: NodeJS.ProcessEnv
  constructor(ctx: AttemptContext) {
    this.env = ctx.env
    this.watchdog = new Watchdog(ctx.cfg.attemptTimeoutMs, ctx.deadlineAt, () => this.killAll())
  }
  async run(args: string[], cwd: string, label: string): Promise<ProcessResult> {
    // Once the watchdog fired (a stall, or the budget spent), a batch still queued behind the killed ones
    // must not start: the watchdog is done, and nothing would stop it if it stalled too.
    const fired = this.watchdog.reason
    if (fired) return { exitCode: 1, stdout: '', stderr: '', stopped: fired }
    const p = startGo(args, {
      cwd,
      env: this.env,
      onStderrLine: (line) => {
        this.watchdog.progress()
        if (line.trim() !== '' && !QUIET.test(line)) core.info(`${label}${line}`)
      }
    })
    this.running.add(p)
    const res = await p.done.finally(() => {
      this.running.delete(p)
      this.watchdog.progress()
    })
    const stopped = res.killed ? this.watchdog.reason : undefined
    return { exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr, ...(stopped ? { stopped } : {}) }
  }
  killAll(): void {
    for (const p of this.running) p.kill()
  }
  stop(): void {
    this.watchdog.stop()
    this.killAll()
  }
}

/** The attempt's pending modules, which of them need the network, and how many processes they get. */
interface Plan {
  pending: WorkItem[]
  /** modKeys of the pending modules whose zip is not in the cache yet. */
  toFetch: ReadonlySet<string>
  processes: number
}

function planAttempt(ctx: AttemptContext, state: DownloadState): Plan {
  const pending = pendingModules(state)
  const toFetch = new Set(
    pending.filter((w) => !hasZip(ctx.gomodcache, w.module)).map((w) => modKey(w.module))
  )
  return {
    pending,
    toFetch,
    processes: processesFor(
      ctx,
      pending.map((w) => w.module),
      toFetch
    )
  }
}

function processesFor(
  ctx: AttemptContext,
  modules: readonly ModuleVersion[],
  toFetch: ReadonlySet<string>
): number {
  return processCount(ctx.cfg.parallel, {
    pending: modules.length,
    toFetch: modules.filter((m) => toFetch.has(modKey(m))).length,
    cores: os.availableParallelism()
  })
}

interface Collected extends AttemptOutcome {
  text: string
}

async function downloadPhase(
  ctx: AttemptContext,
  procs: Processes,
  plan: Plan,
  state: DownloadState,
  into: Collected
): Promise<void> {
  const tasks = ctx.roots.flatMap((root) => {
    const modules = plan.pending.filter((w) => w.root === root.dir).map((w) => w.module)
    const batches = splitRoundRobin(modules, processesFor(ctx, modules, plan.toFetch))
    return limitCommandLine(batches, (m) => modKey(m).length, MAX_MODULE_ARGS_CHARS).map((batch) => ({
      root,
      modules: batch
    }))
  })
  await pMap(
    tasks,
    async (task, i) => {
      const label = tasks.length > 1 ? `[${i + 1}/${tasks.length}] ` : ''
      const run = await procs.run(downloadArgs(task.modules), task.root.dir, label)
      const res = batchOutcome({
        modules: task.modules,
        dir: task.root.dir,
        run,
        isCached: (m) => isCached(ctx.gomodcache, m),
        timeouts: ctx.cfg
      })
      // go's own words for each failure, also when a retry later succeeds (the summary keeps the class).
      for (const e of res.errors) core.info(`${label}${e}`)
      into.text += run.stderr + res.errors.map((e) => `${e}\n`).join('')
      into.finished.push(...res.finished)
      for (const d of res.diagnoses) {
        if (d.errorClass === 'not-found' && d.module && !state.required.has(d.module)) {
          core.info(
            `${label}${d.module}: not found, and no go.mod requires it (only a go.sum line lists it): left to the completeness check, which fails only if go needs it.`
          )
          into.unneeded.push(d.module)
        } else into.diagnoses.push(d)
      }
    },
    { concurrency: plan.processes }
  )
}

async function checkPhase(
  ctx: AttemptContext,
  procs: Processes,
  state: DownloadState,
  into: Collected
): Promise<void> {
  for (const root of ctx.roots) {
    if (state.checked.has(root.dir)) continue
    const label = ctx.roots.length > 1 ? `[${root.rel}] ` : ''
    const run = await procs.run(['mod', 'download', '-x', '-json'], root.dir, label)
    into.text += run.stderr
    const res = checkOutcome({ root, run, timeouts: ctx.cfg })
    into.listed.push(...res.listed)
    into.diagnoses.push(...res.diagnoses)
    into.discovered.push(...res.discovered)
    if (res.passed) into.checkedRoots.push(root.dir)
    if (res.stop) break
  }
}

export async function runAttempt(
  number: number,
  state: DownloadState,
  ctx: AttemptContext
): Promise<AttemptResult> {
  const plan = planAttempt(ctx, state)
  const pending = plan.pending.length
  // As configured, its user info hidden (a runner's own GOPROXY may carry a login).
  const proxy = redactUserinfo(ctx.proxy)
  const record: AttemptRecord = {
    number,
    durationMs: 0,
    requested: pending,
    failed: 0,
    proxy,
    roots: [...new Set(ctx.roots.map((r) => r.rel))]
  }
  const into: Collected = {
    diagnoses: [],
    finished: [],
    checkedRoots: [],
    listed: [],
    discovered: [],
    unneeded: [],
    text: ''
  }
  const title =
    pending > 0
      ? `Attempt ${number}: go mod download ${pending} module(s), ${plan.toFetch.size} not in the cache, in up to ${plan.processes} processes (GOPROXY=${proxy || 'default'})`
      : `Attempt ${number}: go mod download check in ${ctx.roots.filter((r) => !state.checked.has(r.dir)).length} root(s) (GOPROXY=${proxy || 'default'})`
  const procs = new Processes(ctx)
  const t0 = Date.now()
  try {
    await core.group(title, async () => {
      if (pending > 0) await downloadPhase(ctx, procs, plan, state, into)
      if (readyForCheck(state, into)) await checkPhase(ctx, procs, state, into)
    })
  } finally {
    procs.stop()
    record.durationMs = Date.now() - t0
  }
  const diagnoses: Diagnosis[] = dedupe(into.diagnoses)
  record.failed = new Set(diagnoses.map((d) => d.module ?? '?')).size
  const { text, ...outcome } = into
  return { outcome: { ...outcome, diagnoses }, record, text }
}
