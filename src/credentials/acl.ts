/**
 * Windows has no file modes: a 0600 credential file in RUNNER_TEMP keeps the ACL it inherits from its
 * directory, which on a self-hosted runner can let other local accounts read it. As actions/checkout does
 * for its ssh key (git-auth-helper.ts), every secret file and the private directory get `icacls
 * /inheritance:r` (drop the inherited entries) and one full-control grant for the current user only.
 * Like checkout, a failure fails the step: a secret is not left readable on the chance that nobody looks.
 */
import * as exec from '@actions/exec'
import os from 'node:os'
import { childEnvironment } from '../child-env.js'
import { ClassifiedError } from '../classified-error.js'

/** The account icacls grants: DOMAIN\user as the runner's environment names it, else the OS user name. */
export function currentAccount(
  env: Readonly<Record<string, string | undefined>>,
  fallbackUser: string
): string {
  const user = env.USERNAME || fallbackUser
  return env.USERDOMAIN ? `${env.USERDOMAIN}\\${user}` : user
}

/** icacls' arguments: no inherited entries, full control for `account` only (and for what a dir holds). */
export function icaclsArgs(target: string, account: string, isDirectory: boolean): string[] {
  return [target, '/inheritance:r', '/grant:r', `${account}:${isDirectory ? '(OI)(CI)F' : 'F'}`]
}

export interface AclDeps {
  platform: NodeJS.Platform
  account: () => string
  /** Runs icacls; rejects when it cannot be started. */
  icacls: (args: string[]) => Promise<{ exitCode: number; output: string }>
}

const runnerDeps: AclDeps = {
  platform: process.platform,
  account: () => currentAccount(process.env, os.userInfo().username),
  icacls: async (args) => {
    const r = await exec.getExecOutput('icacls', args, {
      silent: true,
      ignoreReturnCode: true,
      env: childEnvironment()
    })
    return { exitCode: r.exitCode, output: r.stderr.trim() || r.stdout.trim() }
  }
}

/**
 * On Windows only: restrict `target` to the current user, or throw (class `config`) naming the path, the
 * account and icacls' answer. The caller removes what it wrote before passing the error on.
 */
export async function restrictToUser(
  target: string,
  isDirectory: boolean,
  deps: AclDeps = runnerDeps
): Promise<void> {
  if (deps.platform !== 'win32') return
  const account = deps.account()
  let why: string
  try {
    const result = await deps.icacls(icaclsArgs(target, account, isDirectory))
    if (result.exitCode === 0) return
    why = `exit code ${result.exitCode}: ${result.output || 'no output'}`
  } catch (error) {
    why = (error as Error).message
  }
  throw new ClassifiedError(
    `Could not restrict '${target}' to ${account} with icacls (${why}). The private-module credentials would keep the permissions of RUNNER_TEMP, which other accounts on this runner may be able to read, so none were left there. Make sure icacls.exe is on PATH and the runner's account may change the ACLs of files it creates in RUNNER_TEMP, or run this job without private-module credentials ('private-modules' with 'token', 'credentials', 'ssh-private-key').`,
    'config'
  )
}
