/**
 * The check of a downloaded cache archive before @actions/cache extracts it (members.ts decides), listed
 * by the same GNU tar that will extract it, with the same TAR_OPTIONS, so the names checked are the names
 * tar will write.
 */
import * as io from '@actions/io'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { memberProblem, type MemberRoot } from './members.js'

/**
 * The tar @actions/cache extracts with, when it is GNU tar; undefined where it would use BSD tar (Windows
 * without a GNU tar, macOS without gtar), whose listing this check does not read. Written out because the
 * toolkit does not export its choice (internal/tar.ts getTarPath, cacheUtils getGnuTarPathOnWindows);
 * same order of preference: on Windows Git's tar, else a `tar` on PATH whose version says GNU tar.
 */
export async function toolkitGnuTar(
  platform: NodeJS.Platform = process.platform
): Promise<string | undefined> {
  if (platform === 'win32') {
    const git = `${process.env.PROGRAMFILES}\\Git\\usr\\bin\\tar.exe`
    if (fs.existsSync(git)) return git
    const onPath = await io.which('tar', false)
    if (!onPath) return undefined
    const version = spawnSync(onPath, ['--version'], { encoding: 'utf8', windowsHide: true, timeout: 10_000 })
    return /gnu tar/i.test(version.stdout ?? '') ? onPath : undefined
  }
  return (await io.which(platform === 'darwin' ? 'gtar' : 'tar', false)) || undefined
}

export interface Inspection {
  /** Why the archive must not be extracted; undefined when it may. */
  problem?: string
  /** Not listed: the toolkit extracts with BSD tar here (toolkitGnuTar). */
  skipped?: boolean
  /** Time the listing took. */
  durationMs: number
}

/**
 * Lists `archive` (the toolkit's cache.tzst or cache.tgz) and checks its members against `roots`
 * (members.ts memberRoots). Synchronous: it runs between the toolkit's download and its tar (service.ts).
 */
export function inspectArchive(
  tar: string,
  archive: string,
  roots: readonly MemberRoot[],
  timeoutMs: number
): Inspection {
  const started = performance.now()
  const windows = process.platform === 'win32'
  const decompress = archive.endsWith('.tgz')
    ? ['-z']
    : ['--use-compress-program', windows ? 'zstd -d --long=30' : 'unzstd --long=30']
  const args = ['-tv', '--quoting-style=c', '--numeric-owner', '-P', '-f', archive.replace(/\\/g, '/')]
  const listed = spawnSync(tar, [...args, ...decompress, ...(windows ? ['--force-local'] : [])], {
    env: { ...process.env, LC_ALL: 'C' },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: timeoutMs,
    windowsHide: true
  })
  const durationMs = Math.round(performance.now() - started)
  if (listed.error || listed.status !== 0) {
    const why =
      listed.error?.message ||
      listed.stderr.trim().split('\n').pop()?.slice(0, 300) ||
      `exit code ${listed.status ?? listed.signal}`
    return { problem: `tar could not list its archive (${why})`, durationMs }
  }
  return { problem: memberProblem(listed.stdout, roots), durationMs }
}
