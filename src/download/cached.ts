/**
 * Effects (file system): whether the module cache holds a module version complete, and removing one.
 */
import fs from 'node:fs'
import path from 'node:path'
import { makeWritable, removeWritable } from '../cache/files.js'
import { moduleCacheFiles } from '../go/modfiles.js'
import type { ModuleVersion } from './modules.js'

/** Complete: go wrote the .ziphash (last, after verifying the zip) and the extracted tree is there. */
export function isCached(gomodcache: string, m: ModuleVersion): boolean {
  const f = moduleCacheFiles(gomodcache, m)
  return fs.existsSync(path.join(f.downloadDir, `${f.filePrefix}ziphash`)) && fs.existsSync(f.extracted)
}

/** Its zip is in cache/download (a restore brought it, or an earlier attempt): no network needed. */
export function hasZip(gomodcache: string, m: ModuleVersion): boolean {
  const f = moduleCacheFiles(gomodcache, m)
  return fs.existsSync(path.join(f.downloadDir, `${f.filePrefix}zip`))
}

/**
 * Remove one module version from the module cache. go extracts modules read-only (unless -modcacherw,
 * which we keep off so later steps cannot edit the cache by accident): cache/files.ts makes the
 * directories writable first.
 */
export async function purgeModule(gomodcache: string, m: ModuleVersion): Promise<void> {
  const f = moduleCacheFiles(gomodcache, m)
  await removeWritable(f.extracted)
  if (!fs.existsSync(f.downloadDir)) return
  await makeWritable(f.downloadDir)
  for (const e of await fs.promises.readdir(f.downloadDir)) {
    if (e.startsWith(f.filePrefix)) await fs.promises.rm(path.join(f.downloadDir, e), { force: true })
  }
}
