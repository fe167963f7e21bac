/**
 * Effects (file system): whether the module cache holds a module version complete, and removing one.
 */
import fs from 'node:fs'
import path from 'node:path'
import { moduleCacheFiles, type ModuleVersion } from './modules.js'

/** Complete: go wrote the .ziphash (last, after verifying the zip) and the extracted tree is there. */
export function isCached(gomodcache: string, m: ModuleVersion): boolean {
  const f = moduleCacheFiles(gomodcache, m)
  return fs.existsSync(path.join(f.downloadDir, `${f.filePrefix}ziphash`)) && fs.existsSync(f.extracted)
}

/**
 * Remove one module version from the module cache. go extracts modules read-only (unless -modcacherw,
 * which we keep off so later steps cannot edit the cache by accident), so make the tree writable first.
 */
export function purgeModule(gomodcache: string, m: ModuleVersion): void {
  const f = moduleCacheFiles(gomodcache, m)
  const makeWritable = (p: string): void => {
    let st: fs.Stats
    try {
      st = fs.lstatSync(p)
    } catch {
      return
    }
    if (st.isSymbolicLink()) return
    fs.chmodSync(p, st.mode | 0o700)
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e))
  }
  makeWritable(f.extracted)
  fs.rmSync(f.extracted, { recursive: true, force: true })
  if (fs.existsSync(f.downloadDir)) {
    fs.chmodSync(f.downloadDir, fs.statSync(f.downloadDir).mode | 0o700)
    for (const e of fs.readdirSync(f.downloadDir)) {
      if (e.startsWith(f.filePrefix)) fs.rmSync(path.join(f.downloadDir, e), { force: true })
    }
  }
}
