/**
 * Effects of the credential step: mask -> read what the runner already has -> plan -> write the private
 * files through the ledger -> export. The decisions are in plan.ts; private-dir.ts records every file and
 * variable so the post step (removeCredentials) undoes exactly that.
 *
 * Where the token lives: in a git config file and a .netrc in a private directory under RUNNER_TEMP
 * (0700 dir, 0600 files), never in GITHUB_ENV, argv, the workspace or HOME. Later steps reach it through
 * variables that hold only paths:
 *   GIT_CONFIG_PARAMETERS = 'includeIf.gitdir:<GOMODCACHE>/cache/vcs/.path'='<dir>/gitconfig'
 *       (git includes it only for go's module-fetch repositories; see gitconfig.ts planGitConfigEnv)
 *   GOAUTH = "<node>" "<dir>/goauth.mjs";<the user's GOAUTH>   (Go >= 1.24: go's own ?go-get=1 / proxy
 *       requests, scoped by URL prefix; see goauth.ts)
 *   NETRC = <dir>/netrc   (Go < 1.24, for the same requests; per host)
 *   GIT_SSH = ssh         (only with ssh-private-key, see writeSsh)
 * With ssh-private-key the same directory holds key-<n> (0600), known_hosts and ssh_config; the git
 * config file routes each repository to its key and sets core.sshCommand (ssh.ts). No ssh-agent: nothing
 * runs after the step, and nothing is written to HOME's .ssh.
 * Keeping the token out of GITHUB_ENV matters because the runner keeps that file on disk and injects its
 * values into the environment of every later process of the job.
 */
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import path from 'node:path'
import { childEnvironment } from '../child-env.js'
import type { Config } from '../config.js'
import { InputError } from '../input-error.js'
import type { AppliedEnvironment, GoInstallation } from '../types.js'
import { planGitConfigEnv, serializeGitConfig, type GitConfigEntry } from './gitconfig.js'
import { secretForms } from './http.js'
import { composeGoAuth, goAuthCommand, GOAUTH_SCRIPT } from './goauth.js'
import { netrcEntries, serializeNetrc, type NetrcEntry } from './netrc.js'
import { planEnvironment, type EnvironmentPlan, type GoAuthPlan } from './plan.js'
import { CredentialLedger } from './private-dir.js'
import { readExistingHeaders, readGoSettings, readSystemKnownHosts, readUserNetrc } from './probe.js'
import { scopeName, scopeUrl } from './scope.js'
import { serializeSshConfig, sshFiles, sshGitConfig, type SshPlan } from './ssh.js'
import { fingerprint, secretLines, KEY_INPUT } from './ssh-keys.js'
import { GITHUB_USERNAME } from './token.js'

const GOAUTH_SCRIPT_NAME = 'goauth.mjs'

/**
 * Mask every secret input and every derived form (base64 header values, URL-encoded tokens) before
 * anything could print one. main calls it right after the inputs are parsed, before Go is installed or the
 * Go environment is logged; configureEnvironment calls it again (each value is masked once).
 */
export function maskSecrets(config: Config): void {
  maskAll([
    ...secretForms({ username: GITHUB_USERNAME, token: config.auth.token }),
    ...config.auth.credentials.flatMap((c) => secretForms(c)),
    ...secretLines(config.auth.sshPrivateKey)
  ])
}

export async function configureEnvironment(config: Config, go: GoInstallation): Promise<AppliedEnvironment> {
  // 1. Mask first (a no-op when main already did): nothing below may print a secret unmasked.
  maskSecrets(config)

  const { auth } = config
  const needsGo =
    auth.privateModules.length > 0 || auth.credentials.length > 0 || auth.sshPrivateKey.trim() !== ''
  const goSettings = needsGo ? await readGoSettings(go, config.workingDirectory) : undefined
  const plan = planEnvironment({
    auth,
    serverUrl: process.env.GITHUB_SERVER_URL,
    env: process.env,
    existingHeaders: await readExistingHeaders(config.workingDirectory),
    systemKnownHosts: auth.sshPrivateKey.trim() === '' ? '' : await readSystemKnownHosts(),
    ...(goSettings?.goAuth ? { goRequests: { goVersion: go.version, goAuth: goSettings.goAuth } } : {})
  })
  maskAll(plan.secrets)

  const exported: Record<string, string> = {}
  if (plan.gitConfig.length > 0 || plan.netrc.length > 0 || plan.goAuth || plan.ssh) {
    const ledger = await CredentialLedger.create()
    const vcs = goSettings?.vcs ?? []
    await writeCredentials(plan, ledger, { vcs, exported })
  }

  for (const [name, value] of Object.entries(exported)) core.exportVariable(name, value)

  // ssh scopes were logged with their key's fingerprint by writeSsh
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

interface WriteContext {
  /** go's module repositories (the gitdir: of the include). */
  vcs: readonly { gitdir: string }[]
  /** Variables to export at the end (shown in the log and summary: paths only). */
  exported: Record<string, string>
}

/** Every credential kind's files, in the private directory, each recorded before it is written. */
async function writeCredentials(plan: EnvironmentPlan, ledger: CredentialLedger, ctx: WriteContext) {
  const gitConfig: GitConfigEntry[] = [...plan.gitConfig]
  if (plan.ssh) {
    try {
      gitConfig.push(...(await writeSsh(plan.ssh, ledger, ctx.exported)))
    } catch (error) {
      // A bad key: leave no key file behind even if the post step never runs.
      await ledger.discard()
      throw error
    }
  }
  if (gitConfig.length > 0) {
    const file = await ledger.write('gitconfig', serializeGitConfig(gitConfig))
    const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin'
    const gitEnv = planGitConfigEnv(process.env, ctx.vcs, file, caseInsensitive)
    for (const [name, value] of Object.entries(gitEnv)) ledger.exportVariable(name, value, true)
  }
  const netrc = plan.goAuth ? await writeGoAuth(plan.goAuth, ledger, ctx, plan.notes) : plan.netrc
  if (netrc.length > 0) {
    const file = await ledger.write('netrc', serializeNetrc(netrc, await readUserNetrc()))
    ledger.remember('NETRC')
    ctx.exported.NETRC = file
  }
}

/**
 * go's own requests on Go >= 1.24: the headers file and the command that prints it (goauth.ts), composed
 * with the user's GOAUTH. Returns netrc entries instead when GOAUTH cannot name the command.
 */
async function writeGoAuth(
  goAuth: GoAuthPlan,
  ledger: CredentialLedger,
  ctx: WriteContext,
  notes: string[]
): Promise<NetrcEntry[]> {
  const command = goAuthCommand(process.execPath, ledger.path(GOAUTH_SCRIPT_NAME))
  if (command === undefined) {
    notes.push(
      `The path of node or of ${ledger.dir} holds a ';' or a quote, which GOAUTH cannot carry: go's own requests use a .netrc instead, which is per host.`
    )
    return netrcEntries(goAuth.grants, notes)
  }
  await ledger.write('goauth-headers', goAuth.headers)
  await ledger.write(GOAUTH_SCRIPT_NAME, GOAUTH_SCRIPT)
  const scopes = goAuth.grants.map(scopeName)
  const { value, warning } = composeGoAuth(command, goAuth.user, scopes)
  if (warning !== undefined) {
    core.warning(warning)
    notes.push(warning)
  }
  if (value !== undefined) {
    ledger.remember('GOAUTH')
    ctx.exported.GOAUTH = value
  }
  return []
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
async function writeSsh(
  ssh: SshPlan,
  ledger: CredentialLedger,
  exported: Record<string, string>
): Promise<GitConfigEntry[]> {
  const files = sshFiles(ledger.dir, path.join)
  const fingerprints: string[] = []
  for (const key of ssh.keys) {
    const file = await ledger.write(`key-${key.number}`, key.pem)
    fingerprints[key.number] = await checkKey(file, key.number, key.line)
  }
  await ledger.write('known_hosts', ssh.knownHosts)
  await ledger.write('ssh_config', serializeSshConfig(ssh, files))
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
      ignoreReturnCode: true,
      env: childEnvironment()
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

const masked = new Set<string>()
function maskAll(secrets: readonly string[]): void {
  for (const s of secrets) {
    if (s.trim() === '' || masked.has(s)) continue
    masked.add(s)
    core.setSecret(s)
  }
}
