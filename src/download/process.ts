/**
 * Run go as a process-group leader, so the watchdog can kill go together with the git (and ssh,
 * git-remote-https) processes it started: killing go alone would orphan a git stuck on a stalled server.
 * Not @actions/exec: its ToolRunner neither starts a detached process group nor exposes the child to
 * kill it, and it treats stderr output as failure unless told otherwise.
 */
import { spawn } from 'node:child_process'

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
    detached: true,
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
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  const done = new Promise<GoRun>((resolve) => {
    child.on('error', (error) =>
      resolve({ exitCode: 127, stdout, stderr: `${stderr}${error.message}\n`, killed })
    )
    child.on('close', (code, signal) => {
      if (partial) opts.onStderrLine(partial)
      // go's children may outlive go when go itself died; make sure nothing of the group is left.
      if (signal && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {
          // Nothing left.
        }
      }
      resolve({ exitCode: code ?? 1, stdout, stderr, killed })
    })
  })
  return { done, kill }
}
