/**
 * A downloaded Go archive into the runner's tool cache, in the layout @actions/tool-cache's find() reads
 * (`<RUNNER_TOOL_CACHE>/go/<version>/<arch>` beside an `<arch>.complete` marker).
 *
 * tc.cacheDir() would do it by copying the extracted tree file by file: a Go release is ~15,000 files and
 * ~270 MB, and the copy took 13.6 s of a 17.8 s extract-and-cache here (extraction 4.2 s). So the archive
 * is extracted into a staging directory beside its destination, on the same filesystem, and renamed into
 * place: one call. When the rename fails (a file held open on Windows, say) it falls back to cacheDir(),
 * which is what setup-go does every time.
 */
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import semver from 'semver'

export interface ToolCacheInstall {
  /** The Go root in the tool cache. */
  root: string
  /** How it got there: renamed from the staging directory, or copied by tc.cacheDir() after a failed rename. */
  placed: 'renamed' | 'copied'
}

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
  // A dot name: tc.findAllVersions() lists only directories with a `.complete` marker, so never this one.
  const staging = path.join(cacheRoot, 'go', `.staging-${randomUUID()}`)
  try {
    fs.mkdirSync(staging, { recursive: true })
    const extracted =
      format === 'zip' ? await tc.extractZip(archive, staging) : await tc.extractTar(archive, staging)
    // go.dev archives hold the tree under go/; the manifest's (actions/go-versions) at the top level.
    const goDir = fs.existsSync(path.join(extracted, 'go', 'bin')) ? path.join(extracted, 'go') : extracted
    await io.rmRF(dest)
    await io.rmRF(`${dest}.complete`)
    fs.mkdirSync(path.dirname(dest), { recursive: true })
    try {
      await rename(goDir, dest)
    } catch {
      return { root: await tc.cacheDir(goDir, 'go', version, arch), placed: 'copied' }
    }
    fs.writeFileSync(`${dest}.complete`, '')
    return { root: dest, placed: 'renamed' }
  } finally {
    await io.rmRF(staging)
  }
}
