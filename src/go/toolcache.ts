/**
 * A downloaded Go archive into the runner's tool cache, in the layout @actions/tool-cache's find() reads
 * (`<RUNNER_TOOL_CACHE>/go/<version>/<arch>` beside an `<arch>.complete` marker).
 *
 * tc.cacheDir() would do it by copying the extracted tree file by file: a Go release is ~15,000 files and
 * ~270 MB, and the copy took 13.6 s of a 17.8 s extract-and-cache here (extraction 4.2 s). So the archive
 * is extracted into a staging directory beside its destination, on the same filesystem, and renamed into
 * place: one call. When the rename keeps failing (a file held open by a virus scanner on Windows, say) it
 * falls back to cacheDir(), which is what setup-go does every time, and says so.
 */
import * as core from '@actions/core'
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import pRetry from 'p-retry'
import semver from 'semver'

export interface ToolCacheInstall {
  /** The Go root in the tool cache. */
  root: string
  /**
   * renamed: from the staging directory; copied: by tc.cacheDir() after the rename failed; concurrent:
   * another job on this runner finished installing the same version meanwhile, and its copy is used.
   */
  placed: 'renamed' | 'copied' | 'concurrent'
}

const STAGING_PREFIX = '.staging-'
/** A staging directory this old belongs to a step that was killed mid-install (SIGKILL skips `finally`). */
const STALE_STAGING_MS = 60 * 60 * 1000
/** Errors a rename on Windows gives while a scanner or indexer still holds a file just extracted. */
const BUSY = new Set(['EPERM', 'EACCES', 'EBUSY'])
const RENAME_TRIES = 4

/** Where tc.find('go', version, arch) looks (its _createToolPath, without the side effects). */
export function toolCachePath(cacheRoot: string, version: string, arch: string): string {
  return path.join(cacheRoot, 'go', semver.clean(version) ?? version, arch)
}

export async function extractIntoToolCache(
  archive: string,
  format: 'tar' | 'zip',
  version: string,
  arch: string,
  rename: (from: string, to: string) => Promise<void> = fs.promises.rename
): Promise<ToolCacheInstall> {
  const cacheRoot = process.env.RUNNER_TOOL_CACHE ?? ''
  if (cacheRoot === '')
    throw new Error('RUNNER_TOOL_CACHE is not set: this action runs on a GitHub Actions runner.')
  const dest = toolCachePath(cacheRoot, version, arch)
  const goCache = path.join(cacheRoot, 'go')
  await removeStaleStaging(goCache)
  // tc.findAllVersions() never lists it: not a version, and no `<arch>.complete` marker beside it.
  const staging = path.join(goCache, `${STAGING_PREFIX}${randomUUID()}`)
  try {
    fs.mkdirSync(staging, { recursive: true })
    const extracted =
      format === 'zip' ? await tc.extractZip(archive, staging) : await tc.extractTar(archive, staging)
    // go.dev archives hold the tree under go/; the manifest's (actions/go-versions) at the top level.
    const goDir = fs.existsSync(path.join(extracted, 'go', 'bin')) ? path.join(extracted, 'go') : extracted
    // This step found no such Go before it downloaded; one now is another job's on a self-hosted runner,
    // and replacing it would pull it from under that job.
    if (isComplete(dest)) return { root: dest, placed: 'concurrent' }
    await io.rmRF(dest)
    await io.rmRF(`${dest}.complete`)
    fs.mkdirSync(path.dirname(dest), { recursive: true })
    try {
      await movable(goDir, dest, () => renameRetrying(rename, goDir, dest))
    } catch (error) {
      if (isComplete(dest)) return { root: dest, placed: 'concurrent' }
      core.info(
        `Could not move the extracted Go into the tool cache (${errorCode(error)}); copying it there instead.`
      )
      return { root: await tc.cacheDir(goDir, 'go', version, arch), placed: 'copied' }
    }
    fs.writeFileSync(`${dest}.complete`, '')
    return { root: dest, placed: 'renamed' }
  } finally {
    await io.rmRF(staging)
  }
}

function isComplete(dest: string): boolean {
  return fs.existsSync(dest) && fs.existsSync(`${dest}.complete`)
}

async function removeStaleStaging(goCache: string): Promise<void> {
  let entries: string[]
  try {
    entries = fs.readdirSync(goCache).filter((e) => e.startsWith(STAGING_PREFIX))
  } catch {
    return
  }
  for (const entry of entries) {
    const dir = path.join(goCache, entry)
    try {
      if (Date.now() - fs.statSync(dir).mtimeMs > STALE_STAGING_MS) await io.rmRF(dir)
    } catch {
      // Another job removed it first, or it cannot be removed: it is in nobody's way.
    }
  }
}

/**
 * Moving a directory to another parent rewrites its `..` entry, which needs write permission on it; an
 * archive may ship its top directory read-only (a non-root runner then gets EACCES). It is ours, just
 * extracted: made writable for the move, its mode put back after.
 */
async function movable(dir: string, to: string, move: () => Promise<void>): Promise<void> {
  const mode = fs.statSync(dir).mode & 0o7777
  if ((mode & 0o200) !== 0 || process.platform === 'win32') return move()
  fs.chmodSync(dir, mode | 0o200)
  let moved = false
  try {
    await move()
    moved = true
  } finally {
    fs.chmodSync(moved ? to : dir, mode)
  }
}

/** A rename a scanner or indexer holds up (EPERM/EACCES/EBUSY on Windows) is tried again, briefly. */
async function renameRetrying(
  rename: (from: string, to: string) => Promise<void>,
  from: string,
  to: string
): Promise<void> {
  await pRetry(() => rename(from, to), {
    retries: RENAME_TRIES - 1,
    minTimeout: 250,
    factor: 2,
    shouldRetry: ({ error }) => BUSY.has(errorCode(error))
  })
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' ? code : String(error)
}
