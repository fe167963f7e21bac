/**
 * Effects: the one configure/remove lifecycle every credential kind goes through (as actions/checkout's
 * git-auth-helper does). Configure writes each secret file into one private directory under RUNNER_TEMP
 * (0700 dir, 0600 files; on Windows an ACL for the current user only, acl.ts) and exports each variable through this ledger, which saves to the post state,
 * before each write, exactly what is about to be written: so `removeCredentials` undoes exactly that,
 * even after a main step that failed half-way.
 */
import * as core from '@actions/core'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { authState, type AuthState } from '../state.js'
import { restrictToUser } from './acl.js'
import { DIR_PREFIX } from './gitconfig.js'

// Removal deletes only directories that carry DIR_PREFIX.

export class CredentialLedger {
  readonly state: AuthState

  private constructor(state: AuthState) {
    this.state = state
  }

  /** A fresh private directory (mkdtemp creates it 0700), recorded before anything is written to it. */
  static async create(): Promise<CredentialLedger> {
    const root = process.env.RUNNER_TEMP || os.tmpdir()
    const dir = await fs.mkdtemp(path.join(root, DIR_PREFIX))
    const ledger = new CredentialLedger({ dir, files: [], previous: {} })
    ledger.save()
    await ledger.restrictOrDiscard(dir, true)
    return ledger
  }

  get dir(): string {
    return this.state.dir
  }

  path(name: string): string {
    return path.join(this.state.dir, name)
  }

  /** Record, then write one private file (0600). Returns its path. */
  async write(name: string, content: string): Promise<string> {
    const file = this.path(name)
    this.state.files.push(file)
    this.save()
    // 'wx': never follow or overwrite something already there (the dir is fresh and 0700).
    await fs.writeFile(file, content, { mode: 0o600, flag: 'wx' })
    await this.restrictOrDiscard(file, false)
    return file
  }

  /** Windows: the current user only (acl.ts); when that fails, nothing of ours stays behind. */
  private async restrictOrDiscard(target: string, isDirectory: boolean): Promise<void> {
    try {
      await restrictToUser(target, isDirectory)
    } catch (error) {
      await this.discard()
      throw error
    }
  }

  /** Record a variable's value from before this step, so post exports it again for the post steps after ours. */
  remember(name: string): void {
    if (name in this.state.previous) return
    this.state.previous[name] = process.env[name] ?? ''
    this.save()
  }

  /** Export a variable for later steps; with `restore`, post puts its previous value back (remember). */
  exportVariable(name: string, value: string, restore: boolean): void {
    if (restore) this.remember(name)
    core.exportVariable(name, value)
  }

  /** Delete everything now (a failed configure that must not leave a key behind). */
  async discard(): Promise<void> {
    await fs.rm(this.state.dir, { recursive: true, force: true })
  }

  private save(): void {
    authState.save(this.state)
  }
}

function isOurDir(dir: string): boolean {
  return (
    path.isAbsolute(dir) && path.basename(dir).startsWith(DIR_PREFIX) && !dir.split(path.sep).includes('..')
  )
}

/**
 * Post: undo what main recorded. What "removal" can mean here: variables main exported through GITHUB_ENV
 * already reached every later step and cannot be taken back from them; a post step's own exports reach
 * only the post steps after it (other actions' cleanups, which run in reverse order). So removal is:
 *   - delete every recorded file and the directory (RUNNER_TEMP then holds no credential file). A variable
 *     that still names a deleted file is harmless: git silently skips an include whose file does not exist
 *     (measured, git 2.39);
 *   - export the recorded variables back to their values before main, so the following post steps do not
 *     even reference the deleted files (go would otherwise ignore the user's ~/.netrc).
 */
export async function removeCredentials(): Promise<void> {
  const state = authState.load()
  if (!state) return
  if (!isOurDir(state.dir)) {
    throw new Error(
      `refusing to delete '${state.dir}': it is not a ${DIR_PREFIX}* directory this action creates`
    )
  }
  // Every file and then the directory get their try, and the variables are put back, whatever fails
  // first (a file held open on Windows, say); then what could not be removed fails the step by name.
  const files = state.files.filter((file) => path.dirname(file) === state.dir)
  const removals = [
    ...(await Promise.allSettled(files.map((file) => fs.rm(file, { force: true, maxRetries: 3 })))),
    ...(await Promise.allSettled([fs.rm(state.dir, { recursive: true, force: true, maxRetries: 3 })]))
  ]
  const targets = [...files, state.dir]
  for (const [name, value] of Object.entries(state.previous ?? {})) core.exportVariable(name, value)
  const failed = removals.flatMap((r, i) =>
    r.status === 'rejected'
      ? [`${targets[i]}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`]
      : []
  )
  if (failed.length > 0) throw new Error(`could not remove ${failed.join('; ')}`)
  core.info(`Removed the credential files in ${state.dir}`)
}
