/**
 * Is a restored module cache what go.sum says? Every module a restore brought is checked by its content,
 * right after the restore and before go reads any of it, because go itself never re-hashes a cached module
 * (cmd/go/internal/modfetch, fetch.go): a zip with a .ziphash is trusted as it is, an extracted tree is
 * trusted as soon as it exists without a .partial file; only `go mod verify` hashes them again. A
 * restored cache is untrusted input: whoever could write the cache entry could have changed a module's
 * code, rebuilt its zip to match and left the .ziphash as it was.
 *
 * Per module version in the cache (cache/download/<path>/@v/<version>.* and the tree <path>@<version>):
 *  - the zip's h1 (dirhash.HashZip over its content, as go reads it) must be a go.sum hash of it;
 *  - the tree, when present, must hash (dirhash.HashDir) to the same go.sum hash;
 *  - the .mod must hash to the go.sum `/go.mod` line;
 *  - the .ziphash, which go trusts, must equal the zip's real hash.
 * Zips go will check itself in this job's download step are left to it instead (checkedByGo,
 * deferZipsToGo): without their .ziphash, go hashes each against go.sum before it extracts it, in its own
 * parallel processes; the ones it does not touch are hashed here after the download (restore.ts
 * settleHandedOver), so every restored module is still checked by content in the job that restored it.
 * A module version that no go.sum lists is not trusted either, with one exception that go makes safe
 * itself: when go will look the module up in the checksum database (GOSUMDB on and the path not matched
 * by GONOSUMDB/GOPRIVATE; always for golang.org/toolchain), go checks its .ziphash and .mod there
 * (modfetch.checkModSum), so the zip and tree only have to match their own .ziphash.
 * Modules that were on disk before the restore (a self-hosted runner's own cache) and that no go.sum
 * lists are left alone: they are not this restore's.
 *
 * What fails is purged (the tree alone when its zip is good: go extracts it again from the zip without
 * network; otherwise every file of the version), so the download step fetches exactly those again.
 */
import fs from 'node:fs'
import path from 'node:path'
import pMap from 'p-map'
import type { GoEnv } from '../go/env.js'
import {
  escapeModulePath,
  moduleCacheFiles,
  parseGoSum,
  splitModule,
  unescapeModulePath
} from '../go/modfiles.js'
import { matchesPrefixPatterns } from '../go/pattern.js'
import { parseList } from '../list.js'
import { hashDir, hashGoMod, hashZip } from './dirhash.js'
import { makeWritable, removeWritable } from './files.js'

/** `altered`: readable but not what go.sum says; `damaged`: not readable as go reads it; `untrusted`: no hash to check it against. */
export type ProblemKind = 'altered' | 'damaged' | 'untrusted'

export interface ModuleProblem {
  /** `path@version`. */
  module: string
  kind: ProblemKind
  problem: string
  /** What is purged: the extracted tree only (its zip is good), or every file of the version. */
  scope: 'tree' | 'module'
}

export interface IntegrityReport {
  /** Module versions checked by content. */
  modules: number
  problems: ModuleProblem[]
  durationMs: number
  /** Module versions whose zip is left for go to check (VerifyOptions.deferToGo); their .mod was checked. */
  deferred: string[]
  /**
   * Zips hashed here that have no .ziphash (the archive leaves them out: policy.ts ziphashesLeftOut) and
   * matched go.sum: what writeZiphashes writes, so go neither hashes them again nor extracts their trees
   * again (go treats a tree without its .ziphash as half-extracted).
   */
  ziphashes: Array<{ module: string; hash: string }>
}

/** `path@version` -> the go.sum hashes of its zip and of its go.mod (several go.sum files may list it). */
export type GoSums = Map<string, { zip: Set<string>; mod: Set<string> }>

/** A module version found in the module cache. */
export interface CachedModule {
  path: string
  version: string
  /** The @v directory. */
  downloadDir: string
  /** Its files in the @v directory (`v1.2.0.zip`, `.ziphash`, `.mod`, `.info`, `.partial`, `.lock`). */
  files: string[]
  /** The extracted tree, when it exists. */
  tree?: string
}

// ---------------------------------------------------------------------------------------------------------
// Pure parts

/** go.sum texts -> GoSums (h1 lines only: go has written no other hash since modules began). */
export function collectSums(texts: readonly string[]): GoSums {
  const sums: GoSums = new Map()
  for (const text of texts) {
    for (const e of parseGoSum(text)) {
      if (!e.hash.startsWith('h1:')) continue
      const k = `${e.path}@${e.version}`
      const s = sums.get(k) ?? { zip: new Set<string>(), mod: new Set<string>() }
      ;(e.isGoMod ? s.mod : s.zip).add(e.hash)
      sums.set(k, s)
    }
  }
  return sums
}

/**
 * Which module versions go checks against go.sum itself in the download step, so that their zips can be
 * left to it (deferZipsToGo): those whose zip hash is in the go.sum of every module the download may run in
 * (`perModule`: each go.mod's go.sum text, undefined without one). go compares a zip with the go.sum of the
 * module it runs in; a hash that file lacks it adds instead of checking (and with the checksum database off
 * or exempted, nothing else checks it), so a module missing from any of them is hashed by the action. Not
 * when go reads other files (`otherFiles`: a go.work workspace, or GOFLAGS=-modfile; go/env.ts
 * otherGoFilesInUse): those zips are hashed here too.
 */
export function checkedByGo(
  perModule: readonly (string | undefined)[],
  otherFiles: boolean
): (module: string) => boolean {
  if (otherFiles || perModule.length === 0 || perModule.some((t) => t === undefined)) return () => false
  const each = perModule.map((t) => collectSums([t as string]))
  return (module) => each.every((s) => (s.get(module)?.zip.size ?? 0) > 0)
}

/**
 * Whether go itself vouches for a module that go.sum does not list (cmd/go/internal/modfetch useSumDB):
 * GOSUMDB not off, and the path not matched by GONOSUMDB (which defaults to GOPRIVATE). Toolchain modules
 * (golang.org/toolchain, which go.sum never lists) go looks up in the checksum database even with
 * GOSUMDB=off or a matching GONOSUMDB; its one exception is a lone `file://` GOPROXY, a local directory the
 * user serves toolchains from on purpose. Either way go decides, so the cache keeps them.
 */
export function checkedBySumDb(goEnv: GoEnv): (modulePath: string) => boolean {
  const sumdb = (goEnv.GOSUMDB ?? '').trim()
  const exempt = parseList(goEnv.GONOSUMDB || goEnv.GOPRIVATE)
  return (modulePath) =>
    modulePath === 'golang.org/toolchain' || (sumdb !== 'off' && !matchesPrefixPatterns(modulePath, exempt))
}

/**
 * What a module version's content must hash to, or why nothing vouches for it. `zip` covers the zip and
 * the tree: go.sum's hashes, or `ziphash` when only the module's own .ziphash vouches (go checks that in the
 * checksum database). `mod`: go.sum's `/go.mod` hashes, `sumdb` when go checks the .mod there itself,
 * `none` when nothing does.
 */
export type Expected =
  | { zip: ReadonlySet<string> | 'ziphash'; mod: ReadonlySet<string> | 'sumdb' | 'none' }
  | { untrusted: string }

export function expectedHashes(module: string, sums: GoSums, bySumDb: boolean): Expected {
  const s = sums.get(module)
  if (!s && !bySumDb)
    return { untrusted: 'no go.sum lists it (and GOSUMDB, off or exempted, cannot vouch for it)' }
  return {
    zip: s && s.zip.size > 0 ? s.zip : bySumDb ? 'ziphash' : new Set(),
    mod: s && s.mod.size > 0 ? s.mod : bySumDb ? 'sumdb' : 'none'
  }
}

// ---------------------------------------------------------------------------------------------------------
// Effects

/** Every module version in `<gomodcache>/cache/download` and every extracted tree. */
export async function inventory(gomodcache: string): Promise<Map<string, CachedModule>> {
  const found = new Map<string, CachedModule>()
  const downloadRoot = path.join(gomodcache, 'cache', 'download')
  for (const vdir of await findVersionDirs(downloadRoot)) {
    const modPath = unescapeModulePath(toSlash(path.relative(downloadRoot, path.dirname(vdir))))
    for (const name of await fs.promises.readdir(vdir)) {
      const m = /^(.+)\.(zip|ziphash|mod|info|partial|lock)$/.exec(name)
      if (!m || name === 'list.lock') continue
      const version = unescapeModulePath(m[1] as string)
      const k = `${modPath}@${version}`
      const entry = found.get(k) ?? { path: modPath, version, downloadDir: vdir, files: [] }
      entry.files.push(name)
      found.set(k, entry)
    }
  }
  for (const tree of await findTrees(gomodcache)) {
    const rel = toSlash(path.relative(gomodcache, tree))
    const at = rel.lastIndexOf('@')
    const modPath = unescapeModulePath(rel.slice(0, at))
    const version = unescapeModulePath(rel.slice(at + 1))
    const k = `${modPath}@${version}`
    const downloadDir = path.join(downloadRoot, ...escapeModulePath(modPath).split('/'), '@v')
    const entry = found.get(k) ?? { path: modPath, version, downloadDir, files: [] }
    entry.tree = tree
    found.set(k, entry)
  }
  return found
}

export interface VerifyOptions {
  sums: GoSums
  /** See checkedBySumDb. */
  bySumDb: (modulePath: string) => boolean
  /** Module versions that were in the cache before the restore (left alone unless a go.sum lists them). */
  preexisting?: ReadonlySet<string>
  /**
   * Module versions whose zip go itself will check against go.sum in this job (see deferZipsToGo): their
   * zip is not hashed here. Their .mod and any extracted tree are checked as for every other module.
   */
  deferToGo?: (module: string) => boolean
  /** Check only these module versions (the deferred ones go did not touch, after the download). */
  only?: ReadonlySet<string>
}

/** Checks every module version of the cache by content (see the top of this file); purges nothing. */
export async function verifyModuleCache(gomodcache: string, opts: VerifyOptions): Promise<IntegrityReport> {
  const start = performance.now()
  const modules = [...(await inventory(gomodcache)).entries()].filter(
    ([k]) => (opts.sums.has(k) || !opts.preexisting?.has(k)) && (!opts.only || opts.only.has(k))
  )
  const deferred: string[] = []
  const ziphashes: Array<{ module: string; hash: string }> = []
  // Module versions at once: inflation runs on libuv's thread pool, hashing and reads overlap with it.
  const found = await pMap(
    modules,
    ([k, m]) => {
      const want = expectedHashes(k, opts.sums, opts.bySumDb(m.path))
      // Not when a tree is there already: without the .ziphash go would extract that tree again (a
      // self-hosted runner's populated cache), so that zip is hashed here.
      const byGo =
        opts.deferToGo?.(k) === true &&
        m.tree === undefined &&
        'zip' in want &&
        want.zip !== 'ziphash' &&
        want.zip.size > 0 &&
        m.files.includes(`${escapeModulePath(m.version)}.zip`)
      if (byGo) deferred.push(k)
      return checkModule(k, m, want, byGo)
    },
    { concurrency: 8 }
  )
  const problems: ModuleProblem[] = []
  for (const [i, c] of found.entries()) {
    if ('problem' in c) problems.push(c.problem)
    else if (c.missingZiphash) ziphashes.push({ module: modules[i]![0], hash: c.missingZiphash })
  }
  const purgedWhole = new Set(problems.filter((p) => p.scope === 'module').map((p) => p.module))
  return {
    modules: modules.length,
    problems,
    durationMs: Math.round(performance.now() - start),
    deferred: deferred.filter((k) => !purgedWhole.has(k)),
    ziphashes
  }
}

/** A module's check: its problem, or the hash of a good zip that has no .ziphash yet. */
type Checked = { problem: ModuleProblem } | { missingZiphash?: string }

async function checkModule(
  module: string,
  m: CachedModule,
  want: Expected,
  zipByGo = false
): Promise<Checked> {
  const fail = (kind: ProblemKind, problem: string, scope: 'tree' | 'module' = 'module'): Checked => ({
    problem: { module, kind, problem, scope }
  })
  if ('untrusted' in want) return fail('untrusted', want.untrusted)
  const file = (ext: string) =>
    m.files.includes(`${escapeModulePath(m.version)}.${ext}`)
      ? path.join(m.downloadDir, `${escapeModulePath(m.version)}.${ext}`)
      : undefined
  const zipFile = file('zip')
  const ziphashFile = file('ziphash')
  const ziphash = ziphashFile ? (await fs.promises.readFile(ziphashFile, 'utf8')).trim() : undefined
  const allowed = want.zip === 'ziphash' ? new Set(ziphash ? [ziphash] : []) : want.zip
  // No go.sum lists it and no .ziphash says what the checksum database is asked about: go hashes the zip
  // and looks that up itself before it uses it (modfetch.hashZip, checkModSum), and extracts a tree that
  // has no .ziphash again from that zip. Nothing here can check more.
  const leftToSumDb = want.zip === 'ziphash' && !ziphash

  const modFile = file('mod')
  if (modFile && want.mod === 'none') return fail('untrusted', 'no go.sum lists its go.mod')
  if (modFile && typeof want.mod !== 'string') {
    const h = hashGoMod(await fs.promises.readFile(modFile))
    if (!want.mod.has(h)) return fail('altered', `its go.mod hashes to ${h}, go.sum says ${first(want.mod)}`)
  }
  let missingZiphash: string | undefined
  if (zipFile && !zipByGo && !leftToSumDb) {
    if (allowed.size === 0) return fail('untrusted', 'go.sum lists its go.mod only, not its zip')
    const z = await hashZip(zipFile)
    if ('damage' in z) return fail('damaged', `the zip is damaged: ${z.damage}`)
    if (!allowed.has(z.hash))
      return fail('altered', `the zip hashes to ${z.hash}, ${source(want)} says ${first(allowed)}`)
    if (ziphash !== undefined && ziphash !== z.hash)
      return fail('damaged', `the .ziphash (${ziphash}) differs from the zip's hash (${z.hash})`)
    if (ziphash === undefined) missingZiphash = z.hash
  }
  if (m.tree && !leftToSumDb) {
    const scope = zipFile ? 'tree' : 'module'
    // go was interrupted while extracting: it removes and extracts that tree again itself.
    if (file('partial')) return fail('damaged', 'the extracted tree is incomplete (.partial)', scope)
    if (allowed.size === 0) return fail('untrusted', 'go.sum lists its go.mod only, not its content', scope)
    const t = await hashDir(m.tree, `${m.path}@${m.version}`)
    if ('damage' in t) return fail('altered', `the extracted tree has ${t.damage}`, scope)
    if (!allowed.has(t.hash))
      return fail(
        'altered',
        `the extracted tree hashes to ${t.hash}, ${source(want)} says ${first(allowed)}`,
        scope
      )
  }
  return { missingZiphash }
}

const first = (s: ReadonlySet<string>): string => [...s][0] ?? '(nothing)'
const source = (want: { zip: ReadonlySet<string> | 'ziphash' }): string =>
  want.zip === 'ziphash' ? 'its .ziphash' : 'go.sum'

/**
 * Leaves the zips of `modules` for go to check: removes their `.ziphash`. go trusts a cached zip that has
 * a .ziphash; without one it hashes the zip (dirhash.HashZip) and compares it with go.sum before it uses
 * or extracts it, and writes the .ziphash only when they match (cmd/go/internal/modfetch, DownloadZip and
 * hashZip). So the download step's go processes, which extract every module of the download anyway, do
 * the check in parallel and natively, instead of this action hashing every restored zip first (on the
 * real-world fixture: 6.1 s of a 10.9 s warm step, 201 zips inflating to 1.16 GiB). A mismatch is go's
 * `checksum mismatch ... SECURITY ERROR` for that module, which the download treats as an altered cached
 * copy (download/policy.ts): purged and downloaded again once.
 */
export async function deferZipsToGo(gomodcache: string, modules: readonly string[]): Promise<void> {
  await pMap(
    modules,
    async (k) => {
      const file = ziphashFile(gomodcache, k)
      if (!file || !fs.existsSync(file)) return
      await makeWritable(path.dirname(file))
      await fs.promises.rm(file, { force: true })
    },
    { concurrency: 8 }
  )
}

/**
 * Writes the .ziphash of zips the restore checked here (IntegrityReport.ziphashes), as go writes it after
 * its own check (the hash, no newline). A write that fails only costs go a second hash of that zip.
 */
export async function writeZiphashes(
  gomodcache: string,
  ziphashes: ReadonlyArray<{ module: string; hash: string }>
): Promise<void> {
  await pMap(
    ziphashes,
    async ({ module, hash }) => {
      const file = ziphashFile(gomodcache, module)
      if (file) await fs.promises.writeFile(file, hash).catch(() => undefined)
    },
    { concurrency: 8 }
  )
}

/** Where go keeps a module version's `.ziphash` (undefined for a key that is not `path@version`). */
export function ziphashFile(gomodcache: string, module: string): string | undefined {
  const m = splitModule(module)
  if (!m) return undefined
  const f = moduleCacheFiles(gomodcache, m)
  return path.join(f.downloadDir, `${f.filePrefix}ziphash`)
}

/** Removes what each problem covers: the tree, or every file of the version and its tree. */
export async function purgeModules(gomodcache: string, problems: readonly ModuleProblem[]): Promise<void> {
  const found = await inventory(gomodcache)
  await pMap(
    problems,
    async (p) => {
      const m = found.get(p.module)
      if (!m) return
      if (m.tree) await removeWritable(m.tree)
      if (p.scope === 'tree') return
      if (m.files.length > 0) await makeWritable(m.downloadDir)
      await Promise.all(m.files.map((f) => fs.promises.rm(path.join(m.downloadDir, f), { force: true })))
    },
    { concurrency: 8 }
  )
}

/** Every `.../@v` directory under cache/download, not descending into sumdb/ (lookups, not modules). */
async function findVersionDirs(root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    const entries = await readDirs(dir)
    await Promise.all(
      entries.map((e) => {
        const full = path.join(dir, e)
        if (e === '@v') return out.push(full)
        if (dir === root && e === 'sumdb') return undefined
        return walk(full)
      })
    )
  }
  await walk(root)
  return out.sort()
}

/** Every extracted module tree (`<path>@<version>` directories), not descending into them or into cache/. */
async function findTrees(gomodcache: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    const entries = await readDirs(dir)
    await Promise.all(
      entries.map((e) => {
        const full = path.join(dir, e)
        if (e.includes('@')) return out.push(full)
        if (dir === gomodcache && e === 'cache') return undefined
        return walk(full)
      })
    )
  }
  await walk(gomodcache)
  return out.sort()
}

async function readDirs(dir: string): Promise<string[]> {
  try {
    const entries = await fs.promises.readdir(dir, { withFileTypes: true })
    return entries.filter((e) => e.isDirectory()).map((e) => e.name)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}

function toSlash(p: string): string {
  return p.split(path.sep).join('/')
}
