/**
 * Small helpers shared by the git-, mitm- and cache- bench tests: run a real client asynchronously (the
 * servers live in the test process, so a synchronous exec would deadlock), an isolated go/git environment,
 * and leak checks (port refused, no process left whose environment names a directory).
 */
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export function run(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        env: opts.env,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 30000,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : -1
          : 0
        resolve({ code, stdout, stderr })
      }
    )
  })
}

/** PATH/LANG only, HOME isolated, no user or system git config, no prompts. */
export function baseEnv(root: string, extra: Record<string, string> = {}): Record<string, string> {
  const gitconfig = path.join(root, 'gitconfig')
  writeFileSync(gitconfig, '')
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: path.join(root, 'home'),
    GIT_CONFIG_GLOBAL: gitconfig,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    ...extra
  }
}

/** go in a sandbox: own GOPATH/GOMODCACHE/GOCACHE, GOENV off, -modcacherw (so the tree can be removed). */
export function goEnv(root: string, extra: Record<string, string> = {}): Record<string, string> {
  return baseEnv(root, {
    GOPATH: path.join(root, 'gopath'),
    GOMODCACHE: path.join(root, 'gopath', 'pkg', 'mod'),
    GOCACHE: path.join(root, 'gocache'),
    GOENV: 'off',
    GOFLAGS: '-modcacherw',
    GOTOOLCHAIN: 'local',
    GO111MODULE: 'on',
    ...extra
  })
}

export function portRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(false)
    })
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'))
  })
}

/** Pids of this user's processes whose environment contains `needle` (e.g. `GIT_PROJECT_ROOT=<root>`). */
export function processesWithEnv(needle: string): number[] {
  const pids: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'latin1')
      if (env.split('\0').includes(needle)) pids.push(Number(name))
    } catch {
      // gone, or not ours
    }
  }
  return pids
}
