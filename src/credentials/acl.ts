/**
 * Windows has no file modes: a 0600 credential file in RUNNER_TEMP keeps the ACL it inherits from its
 * directory, which on a self-hosted runner can let other local accounts read it. As actions/checkout does
 * for its ssh key (git-auth-helper.ts), every secret file and the private directory get `icacls
 * /inheritance:r` (drop the inherited entries) and one full-control grant for the current user only.
 */
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import os from 'node:os'
import { childEnvironment } from '../child-env.js'

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

/** On Windows only: restrict `target` to the current user. A failure is a warning (the file stays 0600-like). */
export async function restrictToUser(target: string, isDirectory: boolean): Promise<void> {
  if (process.platform !== 'win32') return
  const account = currentAccount(process.env, os.userInfo().username)
  const result = await exec.getExecOutput('icacls', icaclsArgs(target, account, isDirectory), {
    silent: true,
    ignoreReturnCode: true,
    env: childEnvironment()
  })
  if (result.exitCode !== 0) {
    core.warning(
      `Could not restrict '${target}' to ${account} with icacls (exit code ${result.exitCode}: ${result.stderr.trim() || result.stdout.trim()}); it keeps the permissions of RUNNER_TEMP.`
    )
  }
}
