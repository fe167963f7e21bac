/**
 * File effects of the cache: find the key files (@actions/glob), hash them (@actions/glob hashFiles),
 * fingerprint a module cache so post can tell whether the download changed it, read the go.sum files the
 * restore is verified against, and remove go's read-only module trees.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as glob from '@actions/glob'
import {
  commonDirectory,
  defaultKeyPatterns,
  escapeGlob,
  exclusionBase,
  inExcludedDir,
  resolvePatterns,
  selectKeyFiles
} from './key.js'
import { saveTarOptions, ziphashesLeftOut } from './policy.js'
import type { GoEnv } from '../go/env.js'
import { goModuleFiles, goModules } from '../go/workspace.js'

export interface KeyFiles {
  /** Absolute, sorted. */
  files: string[]
  /** Set when custom globs matched nothing and the default was used instead (for a warning). */
  fallback?: string
}

/**
 * The files that key the cache: the custom `cache-dependency-path` globs when given and matching, else
 * the project's go.sum / go.work.sum files (go.mod for a module without go.sum): projectFiles.
 */
export async function findKeyFiles(
  dependencyPath: readonly string[],
  workingDirectory: string,
  goEnv: GoEnv
): Promise<KeyFiles> {
  if (dependencyPath.length > 0) {
    const files = selectKeyFiles(
      await globFiles(resolvePatterns(dependencyPath, workingDirectory)),
      exclusionBase(workingDirectory, process.env.GITHUB_WORKSPACE)
    )
    if (files.length > 0) return { files }
    const fallback =
      `Input 'cache-dependency-path' matched no file (${dependencyPath.map((p) => `'${p}'`).join(', ')}, ` +
      `relative to ${workingDirectory}); keying the cache on the go.sum/go.mod files under the working ` +
      `directory instead. Fix the globs, or remove the input to use that default.`
    return { files: selectKeyFiles(await projectFiles(workingDirectory, goEnv)), fallback }
  }
  // projectFiles has left out vendor/ and testdata/ already (and its paths are real paths).
  return { files: selectKeyFiles(await projectFiles(workingDirectory, goEnv)) }
}

/**
 * Every go.mod, go.sum and go.work.sum of the project: those under the working directory (vendor/ and
 * testdata/ left out) and those of the modules go uses from elsewhere (a go.mod above the working
 * directory, a workspace's `use ../x` members: go/workspace.ts).
 */
async function projectFiles(workingDirectory: string, goEnv: GoEnv): Promise<string[]> {
  const base = exclusionBase(workingDirectory, process.env.GITHUB_WORKSPACE)
  const under = (await globFiles(defaultKeyPatterns(workingDirectory))).filter((f) => !inExcludedDir(f, base))
  const used = goModuleFiles(goModules(goEnv))
  // go names its files by their real path (a runner's work directory behind a symlink): one name each.
  return [...new Set([...under, ...used].map(realPath))]
}

function realPath(file: string): string {
  try {
    return fs.realpathSync.native(file)
  } catch {
    return path.normalize(file)
  }
}

async function globFiles(patterns: string[]): Promise<string[]> {
  const globber = await glob.create(patterns.join('\n'), {
    matchDirectories: false,
    implicitDescendants: false
  })
  return globber.glob()
}

/**
 * sha256 over the files' contents in the given (sorted) order, by @actions/glob's hashFiles. hashFiles
 * takes globs and hashes in directory-listing order, which differs between file systems; passing each
 * file as an escaped literal pattern makes it hash in our sorted order. It only hashes files under its
 * `currentWorkspace`, so that is the files' common directory. '' when there is no file.
 */
export async function hashKeyFiles(files: readonly string[]): Promise<string> {
  if (files.length === 0) return ''
  return glob.hashFiles(files.map(escapeGlob).join('\n'), commonDirectory(files))
}

/**
 * A fingerprint of the modules in a module cache: the names of every file in the
 * `cache/download/.../@v/` directories (.info, .mod, .zip, .ziphash). Go only ever adds files there (each
 * written whole, then renamed into place), so the names alone tell whether modules were added; no stat
 * per file (it runs in main, on the way to the first download attempt, and again in post). Lock files are left out (go
 * creates them while it works, they carry nothing), and so are sumdb tiles (a lookup is not a module).
 * `names` are those files, relative to cache/download with `/` separators, sorted. `hash` and `files`
 * count only what the save archives: the `.ziphash` files it leaves out (policy.ts ziphashesLeftOut)
 * come and go without any module being added (go writes one back for each restored zip it checks).
 */
export async function fingerprintModuleCache(
  gomodcache: string
): Promise<{ hash: string; files: number; names: string[] }> {
  const root = path.join(gomodcache, 'cache', 'download')
  let entries: fs.Dirent[]
  try {
    entries = await fs.promises.readdir(root, { withFileTypes: true, recursive: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { hash: '', files: 0, names: [] }
    throw error
  }
  const names = entries
    .filter((e) => e.isFile() && path.basename(e.parentPath) === '@v' && !e.name.endsWith('.lock'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
  if (names.length === 0) return { hash: '', files: 0, names }
  names.sort()
  const leftOut = new Set(ziphashesLeftOut(names))
  const archived = names.filter((n) => !leftOut.has(n))
  return {
    hash: createHash('sha256').update(archived.join('\n')).digest('hex'),
    files: archived.length,
    names
  }
}

/**
 * Runs `save` with the TAR_OPTIONS that leave `ziphashes` (policy.ts ziphashesLeftOut) out of the
 * archive, listed in a file of their own for the call; with no options when there are none to leave out
 * or tar could not take the list's path (policy.ts saveTarOptions).
 */
export async function withZiphashesLeftOut<T>(
  ziphashes: readonly string[],
  save: (env: Record<string, string>) => Promise<T>
): Promise<T> {
  if (ziphashes.length === 0) return save({})
  const dir = await fs.promises.mkdtemp(
    path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'setup-go-deps-tar-')
  )
  try {
    const list = path.join(dir, 'exclude')
    await fs.promises.writeFile(list, ziphashes.join('\n') + '\n')
    const options = saveTarOptions(list, process.env.TAR_OPTIONS)
    return await save(options ? { TAR_OPTIONS: options } : {})
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true })
  }
}

/** Total size in bytes of the regular files below `dir` (0 when it does not exist). */
export async function directorySize(dir: string): Promise<number> {
  let entries: fs.Dirent[]
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true, recursive: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw error
  }
  const sizes = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map((e) => fs.promises.stat(path.join(e.parentPath, e.name)).then((s) => s.size))
  )
  return sizes.reduce((a, b) => a + b, 0)
}

/** Whether a directory exists and has at least one entry. */
export async function isPopulated(dir: string): Promise<boolean> {
  try {
    return (await fs.promises.readdir(dir)).length > 0
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

/**
 * The project's go.sum texts, from one listing (projectFiles) with each file read once, whatever
 * `cache-dependency-path` keys the cache on: `sums`, every go.sum and go.work.sum, are what go checks the
 * modules against, so what a restored cache is verified against; `perModule`, for every module
 * (go.mod), the go.sum beside it or undefined when it has none, is what go checks a module against when
 * it runs in that module.
 */
export async function readProjectSums(
  workingDirectory: string,
  goEnv: GoEnv
): Promise<{ sums: string[]; perModule: (string | undefined)[] }> {
  const found = await projectFiles(workingDirectory, goEnv)
  const sumFiles = found.filter((f) => ['go.sum', 'go.work.sum'].includes(path.basename(f)))
  const text = new Map(
    await Promise.all(sumFiles.map(async (f) => [f, await fs.promises.readFile(f, 'utf8')] as const))
  )
  const perModule = found
    .filter((f) => path.basename(f) === 'go.mod')
    .map((f) => text.get(path.join(path.dirname(f), 'go.sum')))
  return { sums: [...text.values()], perModule }
}

/**
 * Makes every directory below `dir` (and `dir`) writable again. go extracts module trees read-only on
 * purpose (unless -modcacherw), so a plain recursive rm fails for a non-root user.
 */
export async function makeWritable(dir: string): Promise<void> {
  let entries: fs.Dirent[]
  try {
    await fs.promises.chmod(dir, 0o755)
    entries = await fs.promises.readdir(dir, { withFileTypes: true, recursive: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  // Every directory gets its chance: one that cannot be changed (another user's) must not stop the rest,
  // and the removal after this reports what is left.
  await Promise.allSettled(
    entries
      .filter((e) => e.isDirectory())
      .map((e) => fs.promises.chmod(path.join(e.parentPath, e.name), 0o755))
  )
}

/** Removes a tree go may have made read-only (what `go clean -modcache` does, without asking go). */
export async function removeWritable(dir: string): Promise<void> {
  await makeWritable(dir)
  await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 })
}
