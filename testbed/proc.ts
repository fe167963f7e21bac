/**
 * Child processes for the bench, without leaks: every process runs in its own process group, a timeout
 * kills the whole group (go and the git/ssh it started), and processes left behind by a finished process
 * ("orphans", as the runner calls them) are detected and killed unless asked to keep them. Every group
 * still alive is killed when the Node process exits, and `killAllProcesses()` does it on demand (afterAll).
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'

export interface ProcessOptions {
  cwd?: string
  /** The complete environment (nothing is inherited). */
  env?: Record<string, string | undefined>
  /** Kill the process group after this long (timedOut is then true). */
  timeoutMs?: number
  /** Data written to stdin (stdin is closed at once otherwise). */
  input?: string
  /** Leave processes the child left behind running (default false: kill them). */
  keepOrphans?: boolean
  /** How long to wait, after the child exits, for its output pipes to close before looking for orphans. */
  orphanGraceMs?: number
  /** Called with each chunk of output as it arrives. */
  onStdout?: (chunk: string) => void
  onStderr?: (chunk: string) => void
}

export interface ProcessResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
  durationMs: number
  /** Process id = process group id. */
  pid: number
  /** True when processes of the group were still alive after the child exited. */
  orphans: boolean
}

const liveGroups = new Set<number>()
let exitHookInstalled = false

/** The state letter of a process from /proc (Linux), or undefined when it does not exist. */
function procState(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: rest[0] as string, pgrp: Number(rest[2]) }
  } catch {
    return undefined
  }
}

const HAVE_PROC = fs.existsSync('/proc/self/stat')

/** True while the process exists and is not a zombie (a killed orphan waits for init to reap it). */
export function pidAlive(pid: number): boolean {
  if (HAVE_PROC) {
    const st = procState(pid)
    return st !== undefined && st.state !== 'Z' && st.state !== 'X'
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** True while any (non-zombie) process of the group exists. */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  if (!HAVE_PROC) return true
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const st = procState(Number(entry))
    if (st && st.pgrp === pgid && st.state !== 'Z' && st.state !== 'X') return true
  }
  return false
}

/**
 * Resolve once no process of the group is left (SIGKILL is asynchronous: the kernel may not have torn a
 * process down when kill(2) returns), or after timeoutMs. Resolves with whether the group is gone.
 */
export async function waitGroupGone(pgid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (processGroupAlive(pgid)) {
    if (Date.now() >= deadline) return false
    await new Promise((r) => setTimeout(r, 10))
  }
  return true
}

function killGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // already gone
  }
}

/** Kill every process group started by runProcess that is still alive. */
export function killAllProcesses(): void {
  for (const g of liveGroups) killGroup(g)
  liveGroups.clear()
}

/** Process groups started here that are still alive (for leak assertions). */
export function liveProcessGroups(): number[] {
  return [...liveGroups].filter(processGroupAlive)
}

export function runProcess(file: string, args: string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.on('exit', killAllProcesses)
  }
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env as NodeJS.ProcessEnv | undefined,
      detached: true, // own process group, so the whole tree can be killed
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (b: Buffer) => {
      out.push(b)
      opts.onStdout?.(b.toString())
    })
    child.stderr?.on('data', (b: Buffer) => {
      err.push(b)
      opts.onStderr?.(b.toString())
    })
    if (opts.input !== undefined) child.stdin?.end(opts.input)
    const pid = child.pid
    if (pid !== undefined) liveGroups.add(pid)
    let timedOut = false
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
    let closed = false
    let checked = false
    let orphans = false
    let settled = false
    const timer =
      opts.timeoutMs !== undefined && pid !== undefined
        ? setTimeout(() => {
            timedOut = true
            killGroup(pid)
          }, opts.timeoutMs)
        : undefined
    const finish = () => {
      if (settled || !exit || !checked) return
      settled = true
      if (timer) clearTimeout(timer)
      if (pid !== undefined && !processGroupAlive(pid)) liveGroups.delete(pid)
      resolve({
        exitCode: exit.code,
        signal: exit.signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        timedOut,
        durationMs: Date.now() - started,
        pid: pid ?? -1,
        orphans
      })
    }
    child.on('error', (e) => {
      if (timer) clearTimeout(timer)
      if (pid !== undefined) liveGroups.delete(pid)
      if (!settled) {
        settled = true
        reject(e)
      }
    })
    child.on('close', () => {
      closed = true
      finish()
    })
    child.on('exit', (code, signal) => {
      exit = { code, signal }
      // Give the pipes a moment to drain; a process holding them open past that is an orphan.
      setTimeout(() => {
        if (pid !== undefined && processGroupAlive(pid)) {
          orphans = true
          if (opts.keepOrphans) {
            checked = true
            child.stdout?.destroy()
            child.stderr?.destroy()
            finish()
            return
          }
          killGroup(pid)
          // Report the step only once its leftovers are really gone (bounded), so a caller that checks
          // at once does not see a process that is still being torn down.
          void waitGroupGone(pid).then(() => {
            checked = true
            if (closed) finish()
          })
          return
        }
        checked = true
        if (closed) finish()
      }, opts.orphanGraceMs ?? 100)
    })
  })
}
