/**
 * Run go as a process-group leader, so the watchdog can kill go together with the git (and ssh,
 * git-remote-https) processes it started: killing go alone would orphan a git stuck on a stalled server.
 * Not @actions/exec: its ToolRunner neither starts a detached process group nor exposes the child to
 * kill it, and it treats stderr output as failure unless told otherwise.
 */
import { spawn, spawnSync } from 'node:child_process'

/**
 * How to kill a process with everything it started. POSIX: the process group (go was started as its
 * leader). Windows has no process groups for this: `taskkill /T` walks the tree of child processes.
 */
export function treeKillPlan(
  pid: number,
  platform: NodeJS.Platform
): { group: number } | { command: string; args: string[] } {
  return platform === 'win32'
    ? { command: 'taskkill', args: ['/pid', String(pid), '/T', '/F'] }
    : { group: -pid }
}

function killTree(pid: number): void {
  const plan = treeKillPlan(pid, process.platform)
  try {
    if ('group' in plan) process.kill(plan.group, 'SIGKILL')
    else spawnSync(plan.command, plan.args, { windowsHide: true, stdio: 'ignore' })
  } catch {
    // Already gone.
  }
}

export interface GoRun {
  exitCode: number
  stdout: string
  stderr: string
  /** Set when we killed the group (watchdog). */
  killed: boolean
}

export interface GoProcess {
  done: Promise<GoRun>
  kill: () => void
}

export function startGo(
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; onStderrLine: (line: string) => void }
): GoProcess {
  const child = spawn('go', args, {
    cwd: opts.cwd,
    env: opts.env,
    // A new process group on POSIX; on Windows `detached` would open a console instead (see treeKillPlan).
    detached: process.platform !== 'win32',
    windowsHide: true,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  let partial = ''
  let killed = false
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
    const lines = (partial + d).split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) opts.onStderrLine(l)
  })
  const kill = (): void => {
    if (child.pid === undefined) return
    killed = true
    killTree(child.pid)
  }
  const done = new Promise<GoRun>((resolve) => {
    child.on('error', (error) =>
      resolve({ exitCode: 127, stdout, stderr: `${stderr}${error.message}\n`, killed })
    )
    child.on('close', (code, signal) => {
      if (partial) opts.onStderrLine(partial)
      // go's children may outlive go when go itself died; make sure nothing of the group is left.
      if (signal && child.pid !== undefined) killTree(child.pid)
      resolve({ exitCode: code ?? 1, stdout, stderr, killed })
    })
  })
  return { done, kill }
}
