/**
 * Effects of the credential step: mask -> read what git already has -> write the private files -> export.
 * The decisions are in plan.ts; this file only carries them out and records what it wrote (State.auth)
 * so the post step removes exactly that, even when main stopped half-way.
 *
 * Where the token lives (DESIGN.md section 7): in a git config file and a .netrc in a private directory
 * under RUNNER_TEMP (0700 dir, 0600 files), never in GITHUB_ENV, argv, the workspace or HOME. Later steps
 * reach it through variables that hold only paths:
 *   GIT_CONFIG_COUNT/KEY_n/VALUE_n = includeIf.gitdir:<GOMODCACHE>/cache/vcs/.path -> <dir>/gitconfig
 *       (git includes it only for go's module-fetch repositories; see plan.ts planGitConfigEnv)
 *   NETRC = <dir>/netrc   (only when a host needs go's own ?go-get=1 / proxy requests authenticated)
 *   GIT_SSH = ssh         (only with ssh-private-key, see configureSsh)
 * With ssh-private-key the same directory holds key-<n> (0600), known_hosts and ssh_config; the git
 * config file routes each repository to its key and sets core.sshCommand (ssh.ts). No ssh-agent: nothing
 * runs after the step, and nothing is written to HOME's .ssh.
 * Keeping the token out of GITHUB_ENV matters because the runner keeps that file on disk and injects its
 * values into the environment of every later process of the job.
 */
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Config } from '../inputs.js'
import { State } from '../state.js'
import type { AppliedEnvironment, GoInstallation } from '../types.js'
import {
  parseExistingHeaders,
  planEnvironment,
  planGitConfigEnv,
  secretForms,
  serializeGitConfig,
  serializeNetrc,
  scopeUrl,
  GITHUB_USERNAME,
  type ExistingHeader,
  type GitConfigEntry
} from './plan.js'
import {
  fingerprint,
  secretLines,
  serializeSshConfig,
  sshFiles,
  sshGitConfig,
  KEY_INPUT,
  type SshPlan
} from './ssh.js'
import { InputError } from '../inputs.js'

/** Prefix of the private directory; removeEnvironment deletes only directories that carry it. */
const DIR_PREFIX = 'setup-go-deps-auth-'

/** What main wrote, for post (paths and variable names only: never a secret). */
export interface AuthState {
  dir: string
  files: string[]
  /** Variables exported with their values before this action changed them ('' = unset). */
  previous: Record<string, string>
}

export async function configureEnvironment(config: Config, go: GoInstallation): Promise<AppliedEnvironment> {
  // 1. Mask first: every secret and every derived form, before anything could print one (an error
  //    message included).
  maskAll([
    ...secretForms({ username: GITHUB_USERNAME, token: config.auth.token }),
    ...config.auth.credentials.flatMap((c) => secretForms(c)),
    ...secretLines(config.auth.sshPrivateKey)
  ])

  const plan = planEnvironment({
    auth: config.auth,
    goEnv: config.goEnv,
    serverUrl: process.env.GITHUB_SERVER_URL,
    env: process.env,
    existingHeaders: await readExistingHeaders(config.workingDirectory),
    systemKnownHosts: config.auth.sshPrivateKey.trim() === '' ? '' : await readSystemKnownHosts()
  })
  maskAll(plan.secrets)

  const exported: Record<string, string> = { ...plan.goEnv }
  const previous: Record<string, string> = {}
  if (plan.gitConfig.length > 0 || plan.netrc.length > 0 || plan.ssh) {
    const dir = await fs.mkdtemp(path.join(privateRoot(), DIR_PREFIX)) // mkdtemp creates it 0700
    const state: AuthState = { dir, files: [], previous }
    // Saved before the first secret is written, so post cleans up even if main fails right after.
    core.saveState(State.auth, JSON.stringify(state))

    const gitConfig: GitConfigEntry[] = [...plan.gitConfig]
    if (plan.ssh) {
      try {
        gitConfig.push(...(await configureSsh(plan.ssh, dir, state, exported)))
      } catch (error) {
        // A bad key: leave no key file behind even if the post step never runs.
        await fs.rm(dir, { recursive: true, force: true })
        throw error
      }
    }
    if (gitConfig.length > 0) {
      const file = path.join(dir, 'gitconfig')
      state.files.push(file)
      core.saveState(State.auth, JSON.stringify(state))
      await writePrivate(file, serializeGitConfig(gitConfig))
      const vcs = await goVcsDirs(go, config.workingDirectory)
      const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin'
      const gitEnv = planGitConfigEnv(process.env, vcs, file, caseInsensitive)
      previous.GIT_CONFIG_COUNT = process.env.GIT_CONFIG_COUNT ?? ''
      for (const [name, value] of Object.entries(gitEnv)) core.exportVariable(name, value)
    }
    if (plan.netrc.length > 0) {
      const file = path.join(dir, 'netrc')
      state.files.push(file)
      core.saveState(State.auth, JSON.stringify(state))
      await writePrivate(file, serializeNetrc(plan.netrc, await readUserNetrc()))
      previous.NETRC = process.env.NETRC ?? ''
      exported.NETRC = file
    }
    core.saveState(State.auth, JSON.stringify(state))
  }

  for (const [name, value] of Object.entries(exported)) core.exportVariable(name, value)

  // ssh scopes were logged with their key's fingerprint by configureSsh
  for (const grant of plan.grants) core.info(`Credentials for ${scopeUrl(grant)} (go module fetches only)`)
  for (const [name, value] of Object.entries(exported)) core.info(`${name}=${value}`)
  for (const note of plan.notes) core.info(note)

  return {
    privatePatterns: plan.privatePatterns,
    credentialScopes: plan.credentialScopes,
    exported,
    notes: plan.notes
  }
}

/**
 * Post: delete what main wrote. What "removal" can mean here: variables main exported through GITHUB_ENV
 * already reached every later step and cannot be taken back from them; a post step's own exports reach
 * only the post steps after it (other actions' cleanups, which run in reverse order). So removal is:
 *   - delete the git config file and the .netrc (RUNNER_TEMP then holds no credential file). The
 *     GIT_CONFIG_* entry that still names the file is harmless: git silently skips an include whose file
 *     does not exist (measured, git 2.39);
 *   - export GIT_CONFIG_COUNT and NETRC back to their values before main, so the following post steps
 *     do not even reference the deleted files (go would otherwise ignore the user's ~/.netrc).
 */
export async function removeEnvironment(): Promise<void> {
  const raw = core.getState(State.auth)
  if (raw === '') return
  const state = JSON.parse(raw) as AuthState
  if (!isOurDir(state.dir)) {
    throw new Error(
      `refusing to delete '${state.dir}': it is not a ${DIR_PREFIX}* directory this action creates`
    )
  }
  for (const file of state.files) {
    if (path.dirname(file) === state.dir) await fs.rm(file, { force: true })
  }
  await fs.rm(state.dir, { recursive: true, force: true })
  for (const [name, value] of Object.entries(state.previous ?? {})) core.exportVariable(name, value)
  core.info(`Removed the credential files in ${state.dir}`)
}

/**
 * Write the keys, known_hosts and ssh_config (0600, in the private dir), check each key with ssh-keygen,
 * and return the git config entries that route go's fetches to them.
 *
 * GIT_SSH=ssh: cmd/go puts `GIT_SSH_COMMAND=ssh -o ControlMaster=no -o BatchMode=yes` into the
 * environment of its git commands when neither GIT_SSH nor GIT_SSH_COMMAND is set
 * (cmd/go/internal/modload/init.go; golang/go#13453, #16104), and GIT_SSH_COMMAND beats core.sshCommand,
 * so our ssh_config would never be read. GIT_SSH comes after core.sshCommand in git's order, and `ssh` is
 * what git runs anyway, so exporting it changes nothing for any other git command of the job; our
 * core.sshCommand carries go's two options itself. Not restored in post: an empty GIT_SSH would make git
 * run an empty command.
 */
async function configureSsh(
  ssh: SshPlan,
  dir: string,
  state: AuthState,
  exported: Record<string, string>
): Promise<GitConfigEntry[]> {
  const files = sshFiles(dir, path.join)
  const fingerprints: string[] = []
  for (const key of ssh.keys) {
    const file = files.key(key.number)
    state.files.push(file)
    core.saveState(State.auth, JSON.stringify(state))
    await writePrivate(file, key.pem)
    fingerprints[key.number] = await checkKey(file, key.number, key.line)
  }
  for (const file of [files.knownHosts, files.config]) state.files.push(file)
  core.saveState(State.auth, JSON.stringify(state))
  await writePrivate(files.knownHosts, ssh.knownHosts)
  await writePrivate(files.config, serializeSshConfig(ssh, files))
  if ((process.env.GIT_SSH ?? '') === '') exported.GIT_SSH = 'ssh'
  for (const a of ssh.aliases) {
    const { user, hostName, port } = a.endpoint
    core.info(
      `SSH key ${a.key} (${fingerprints[a.key] ?? 'not checked'}) for ${a.scopes.join(', ')} via ${user}@${hostName}:${port}`
    )
  }
  return sshGitConfig(ssh, files)
}

/**
 * `ssh-keygen -y -P '' -f <file>`: loads the key as ssh will (the file path in argv, never the key) and
 * prints its public half, whose fingerprint the log shows so the user can match it with the deploy key
 * GitHub lists. -P '' fails at once on a passphrase instead of prompting.
 */
async function checkKey(file: string, number: number, line: number): Promise<string> {
  let result: exec.ExecOutput
  try {
    result = await exec.getExecOutput('ssh-keygen', ['-y', '-P', '', '-f', file], {
      silent: true,
      ignoreReturnCode: true
    })
  } catch {
    core.warning(`ssh-keygen was not found, so key ${number} was not checked; go's git needs ssh on PATH.`)
    return 'not checked'
  }
  if (result.exitCode !== 0) {
    const reason = result.stderr
      .split('\n')
      .map((l) => l.replace(file, `key-${number}`).trim())
      .filter((l) => l !== '')
      .join(' ')
    throw new InputError(
      KEY_INPUT,
      `Input '${KEY_INPUT}' key ${number} (line ${line}) cannot be loaded by ssh (ssh-keygen: ${reason || `exit code ${result.exitCode}`}). Paste the private key file unchanged, e.g. the output of 'ssh-keygen -t ed25519 -N "" -f deploy_key' (deploy_key, not deploy_key.pub). (The key is not shown.)`
    )
  }
  return fingerprint(result.stdout)
}

/** The runner's global known_hosts, which ssh also reads: a GHES key placed there by the image counts. */
async function readSystemKnownHosts(): Promise<string> {
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

const masked = new Set<string>()
function maskAll(secrets: readonly string[]): void {
  for (const s of secrets) {
    if (s.trim() === '' || masked.has(s)) continue
    masked.add(s)
    core.setSecret(s)
  }
}

function privateRoot(): string {
  return process.env.RUNNER_TEMP || os.tmpdir()
}

function isOurDir(dir: string): boolean {
  return (
    path.isAbsolute(dir) && path.basename(dir).startsWith(DIR_PREFIX) && !dir.split(path.sep).includes('..')
  )
}

async function writePrivate(file: string, content: string): Promise<void> {
  // 'wx': never follow or overwrite something already there (the dir is fresh and 0700).
  await fs.writeFile(file, content, { mode: 0o600, flag: 'wx' })
}

/** Extraheaders already in effect where the user's git runs (checkout's are local). Keys only: no values. */
async function readExistingHeaders(cwd: string): Promise<ExistingHeader[]> {
  try {
    const { stdout } = await exec.getExecOutput(
      'git',
      ['config', '--show-scope', '--name-only', '--get-regexp', '^http\\..*extraheader$'],
      { cwd: await existingDir(cwd), silent: true, ignoreReturnCode: true }
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

/**
 * `<GOMODCACHE>/cache/vcs`, as given and with symlinks resolved: git's gitdir: condition compares against
 * the repository path both ways, but a pattern through a symlink (macOS /var -> /private/var) only matches
 * in its resolved form. The cache may not exist yet: resolve the nearest existing parent.
 */
async function goVcsDirs(go: GoInstallation, cwd: string): Promise<{ gitdir: string }[]> {
  const goBin = go.root ? path.join(go.root, 'bin', process.platform === 'win32' ? 'go.exe' : 'go') : 'go'
  const { stdout } = await exec.getExecOutput(goBin, ['env', 'GOMODCACHE'], {
    cwd: await existingDir(cwd),
    silent: true
  })
  const vcs = path.join(stdout.trim(), 'cache', 'vcs')
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
async function readUserNetrc(): Promise<string> {
  const file =
    process.env.NETRC || path.join(os.homedir(), process.platform === 'win32' ? '_netrc' : '.netrc')
  try {
    return await fs.readFile(file, 'utf8')
  } catch {
    return ''
  }
}
