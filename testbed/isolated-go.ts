/**
 * An isolated environment for running the real `go` (and the git it starts) in tests and benchmarks:
 * its own GOPATH / GOMODCACHE / GOCACHE / HOME under a root directory, no user go env file (GOENV=off),
 * no user or system git config, GOFLAGS=-modcacherw (so the cache can be removed), and GOPROXY / GOSUMDB
 * pointing where the test says. Nothing of the developer's environment leaks in except PATH's system dirs.
 */
import fs from 'node:fs'
import path from 'node:path'
import { runProcess, type ProcessResult } from './proc.ts'

export const SYSTEM_PATH = '/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export interface GoEnvOptions {
  /** Directory holding gopath/, gocache/ and home/ (created). */
  root: string
  /** GOPROXY (default off: nothing is fetched unless the test says where from). */
  goproxy?: string
  /** GOSUMDB (default off). */
  gosumdb?: string
  /** GOFLAGS (default -modcacherw). */
  goflags?: string
  goprivate?: string
  gonosumdb?: string
  gonoproxy?: string
  /** PATH (default SYSTEM_PATH). */
  path?: string
  /** Extra variables (win over the above). */
  extra?: Record<string, string>
}

export interface GoEnv {
  env: Record<string, string>
  gopath: string
  gomodcache: string
  gocache: string
  home: string
}

export function isolatedGoEnv(opts: GoEnvOptions): GoEnv {
  const gopath = path.join(opts.root, 'gopath')
  const gomodcache = path.join(gopath, 'pkg', 'mod')
  const gocache = path.join(opts.root, 'gocache')
  const home = path.join(opts.root, 'home')
  for (const d of [gopath, gocache, home]) fs.mkdirSync(d, { recursive: true })
  const env: Record<string, string> = {
    PATH: opts.path ?? SYSTEM_PATH,
    LANG: 'C.UTF-8',
    HOME: home,
    GOENV: 'off',
    GOPATH: gopath,
    GOMODCACHE: gomodcache,
    GOCACHE: gocache,
    GOFLAGS: opts.goflags ?? '-modcacherw',
    GOPROXY: opts.goproxy ?? 'off',
    GOSUMDB: opts.gosumdb ?? 'off',
    GO111MODULE: 'on',
    GOTOOLCHAIN: 'local',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'),
    GIT_TERMINAL_PROMPT: '0'
  }
  if (opts.goprivate !== undefined) env.GOPRIVATE = opts.goprivate
  if (opts.gonosumdb !== undefined) env.GONOSUMDB = opts.gonosumdb
  if (opts.gonoproxy !== undefined) env.GONOPROXY = opts.gonoproxy
  Object.assign(env, opts.extra)
  return { env, gopath, gomodcache, gocache, home }
}

/** Run `go <args>` in `cwd` with `env`; the process group is killed after timeoutMs (default 60 s). */
export function runGo(
  args: string[],
  opts: { cwd: string; env: Record<string, string>; timeoutMs?: number }
): Promise<ProcessResult> {
  return runProcess('go', args, { cwd: opts.cwd, env: opts.env, timeoutMs: opts.timeoutMs ?? 60_000 })
}

/** Remove a directory tree even when it holds read-only module cache files. */
export function removeTree(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
  } catch {
    const makeWritable = (p: string) => {
      try {
        const st = fs.lstatSync(p)
        if (st.isSymbolicLink()) return
        fs.chmodSync(p, st.mode | 0o700)
        if (st.isDirectory()) for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e))
      } catch {
        // ignore
      }
    }
    makeWritable(dir)
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
  }
}
