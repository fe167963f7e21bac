/**
 * The real-world fixture (bench/real/fixture: a main package importing widely used modules, go.mod and
 * go.sum made by `go mod tidy`) and its bump (bench/real/bump: the same go.mod/go.sum with one module a
 * version newer), plus what the benchmark reads from a module cache: the zips it holds, by module.
 */
import fs from 'node:fs'
import path from 'node:path'
import { escapePath } from '../../testbed/module-gen.ts'
import { REPO_ROOT } from '../../testbed/runner.ts'

export const FIXTURE_DIR = path.join(REPO_ROOT, 'bench', 'real', 'fixture')
export const BUMP_DIR = path.join(REPO_ROOT, 'bench', 'real', 'bump')

export type Variant = 'base' | 'bump'

/** Write the fixture (main.go, go.mod, go.sum; the bump's go.mod/go.sum for 'bump') into `dir`. */
export function writeFixture(dir: string, variant: Variant): void {
  fs.mkdirSync(dir, { recursive: true })
  fs.copyFileSync(path.join(FIXTURE_DIR, 'main.go'), path.join(dir, 'main.go'))
  const from = variant === 'bump' ? BUMP_DIR : FIXTURE_DIR
  for (const f of ['go.mod', 'go.sum']) fs.copyFileSync(path.join(from, f), path.join(dir, f))
}

/** `<escaped module path>@<version>` of every zip line (not /go.mod) of a go.sum text. */
export function zipLines(goSum: string): Set<string> {
  const out = new Set<string>()
  for (const line of goSum.split('\n')) {
    const [mod, version] = line.trim().split(/\s+/)
    if (!mod || !version || version.endsWith('/go.mod')) continue
    out.add(`${escapePath(mod)}@${version}`)
  }
  return out
}

/** The zips the bump removes and adds, from the two go.sum files. */
export function bumpDelta(): { removed: string[]; added: string[] } {
  const base = zipLines(fs.readFileSync(path.join(FIXTURE_DIR, 'go.sum'), 'utf8'))
  const bump = zipLines(fs.readFileSync(path.join(BUMP_DIR, 'go.sum'), 'utf8'))
  return { removed: [...base].filter((z) => !bump.has(z)), added: [...bump].filter((z) => !base.has(z)) }
}

/** The zips plain go fetched for the base fixture, turned into what it would fetch for the bump. */
export function expectedAfterBump(baseZips: ReadonlySet<string>): Set<string> {
  const { removed, added } = bumpDelta()
  const out = new Set(baseZips)
  for (const z of removed) out.delete(z)
  for (const z of added) out.add(z)
  return out
}

export interface CacheZips {
  /** `<escaped module path>@<version>` of every zip. */
  zips: Set<string>
  bytes: number
  /** Zips over 10 MB. */
  large: number
}

/** Every `cache/download/<module>/@v/<version>.zip` under a GOMODCACHE. */
export function cacheZips(gomodcache: string): CacheZips {
  const root = path.join(gomodcache, 'cache', 'download')
  const zips = new Set<string>()
  let bytes = 0
  let large = 0
  const walk = (dir: string) => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) {
        if (!(dir === root && e.name === 'sumdb')) walk(p)
      } else if (e.name.endsWith('.zip') && path.basename(dir) === '@v') {
        const mod = path.relative(root, path.dirname(dir)).split(path.sep).join('/')
        zips.add(`${mod}@${e.name.slice(0, -'.zip'.length)}`)
        const size = fs.statSync(p).size
        bytes += size
        if (size > 10_000_000) large++
      }
    }
  }
  walk(root)
  return { zips, bytes, large }
}

/** Size and file count of a directory tree (symlinks not followed). */
export function treeSize(dir: string): { bytes: number; files: number } {
  let bytes = 0
  let files = 0
  const walk = (d: string) => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(d, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) {
        files++
        bytes += fs.lstatSync(p).size
      }
    }
  }
  walk(dir)
  return { bytes, files }
}
