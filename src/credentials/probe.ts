/**
 * Effects that only read: what the runner already has that the credential plan must take into account
 * (git's extraheaders, the system known_hosts, the user's .netrc, where go keeps its module repositories).
 */
import * as exec from '@actions/exec'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { GoInstallation } from '../types.js'
import { childEnvironment } from '../child-env.js'
import { queryInstalledGoEnv } from '../go/env.js'
import { goAuthSupported, type UserGoAuth } from './goauth.js'
import { parseExistingHeaders, type ExistingHeader } from './http.js'

/** The runner's global known_hosts, which ssh also reads: a GHES key placed there by the image counts. */
export async function readSystemKnownHosts(): Promise<string> {
  const parts: string[] = []
  for (const file of ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']) {
    try {
      parts.push(await fs.readFile(file, 'utf8'))
    } catch {
      // absent on most runners
    }
  }
  return parts.join('\n')
}

/** Extraheaders already in effect where the user's git runs (checkout's are local). Keys only: no values. */
export async function readExistingHeaders(cwd: string): Promise<ExistingHeader[]> {
  try {
    const { stdout } = await exec.getExecOutput(
      'git',
      ['config', '--show-scope', '--name-only', '--get-regexp', '^http\\..*extraheader$'],
      { cwd: await existingDir(cwd), silent: true, ignoreReturnCode: true, env: childEnvironment() }
    )
    return parseExistingHeaders(stdout)
  } catch {
    return [] // no git: go cannot fetch over git either, and there is nothing to conflict with
  }
}

async function existingDir(dir: string): Promise<string> {
  try {
    return (await fs.stat(dir)).isDirectory() ? dir : os.tmpdir()
  } catch {
    return os.tmpdir()
  }
}

export interface GoSettings {
  /** `<GOMODCACHE>/cache/vcs`, as given and with symlinks resolved (see vcsDirs). */
  vcs: { gitdir: string }[]
  /** The user's GOAUTH (Go >= 1.24 only). */
  goAuth?: UserGoAuth
}

/**
 * What go itself says (`go env`, the runner's environment and `go env -w` included) about where it keeps
 * module repositories and, from Go 1.24, how it authenticates its own requests. Asked of the installed
 * Go only (go/env.ts): a go.mod toolchain line must not make this question download another Go.
 */
export async function readGoSettings(go: GoInstallation, cwd: string): Promise<GoSettings> {
  const withAuth = goAuthSupported(go.version)
  const env = await queryInstalledGoEnv(
    go,
    ['GOMODCACHE', ...(withAuth ? ['GOAUTH'] : [])],
    await existingDir(cwd)
  )
  const settings: GoSettings = { vcs: await vcsDirs(env.GOMODCACHE ?? '') }
  if (withAuth) settings.goAuth = { value: env.GOAUTH ?? '', source: goAuthSource(env.GOAUTH ?? '') }
  return settings
}

function goAuthSource(value: string): UserGoAuth['source'] {
  if ((process.env.GOAUTH ?? '') !== '') return 'the environment'
  return value === 'netrc' || value === '' ? "go's default" : "'go env -w'"
}

/**
 * `<GOMODCACHE>/cache/vcs`, as given and with symlinks resolved: git's gitdir: condition compares against
 * the repository path both ways, but a pattern through a symlink (macOS /var -> /private/var) only matches
 * in its resolved form. The cache may not exist yet: resolve the nearest existing parent.
 */
async function vcsDirs(gomodcache: string): Promise<{ gitdir: string }[]> {
  const vcs = path.join(gomodcache, 'cache', 'vcs')
  return [{ gitdir: vcs }, { gitdir: await realpathOfNearest(vcs) }]
}

async function realpathOfNearest(p: string): Promise<string> {
  const rest: string[] = []
  let cur = p
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...rest)
    } catch {
      const parent = path.dirname(cur)
      if (parent === cur) return p
      rest.unshift(path.basename(cur))
      cur = parent
    }
  }
}

/** The user's own .netrc, kept in ours because NETRC hides it from go. */
export async function readUserNetrc(): Promise<string> {
  const file =
    process.env.NETRC || path.join(os.homedir(), process.platform === 'win32' ? '_netrc' : '.netrc')
  try {
    return await fs.readFile(file, 'utf8')
  } catch {
    return ''
  }
}
