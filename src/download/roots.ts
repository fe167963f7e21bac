/**
 * Effects (file system): where the modules are. One root per directory that go runs in:
 * - `modules` globs (a multi-module repository without go.work): every matched directory with a go.mod;
 * - a go.work workspace (go env GOWORK): one root at the go.work directory; its list is every member
 *   module's go.sum plus go.work.sum, and one plain `go mod download` there covers the workspace;
 * - else the module in `working-directory`.
 * Errors name the input, the value and the fix.
 */
import { readTextIfThere } from '../read-text.js'
import * as glob from '@actions/glob'
import fs from 'node:fs'
import path from 'node:path'
import { InputError } from '../input-error.js'
import { exclusionBase, inExcludedDir } from '../cache/key.js'
import { neededModules } from './needed.js'
import { readGoSum, type SumProblem } from '../go/sumcheck.js'
import type { GoEnv } from '../go/env.js'
import { findModuleFile, goModules, type GoModules } from '../go/workspace.js'
import type { DownloadConfig } from '../config.js'
import { modKey, uniqueModules, vendorDecision, type ModuleVersion, type VendorDecision } from './modules.js'
import { parseGoModFile } from '../go/gomod.js'

export interface ModuleRoot {
  /** Absolute directory go runs in. */
  dir: string
  /** Relative to the working directory, for the summary ('.' for itself). */
  rel: string
  workspace: boolean
  /** go.sum files read (absolute). */
  sumFiles: string[]
  /** The explicit list from those files. */
  modules: ModuleVersion[]
  /**
   * `path@version` of every require line of the go.mod files go builds here (the module's, or each
   * workspace member's): a module on the list that none requires may be a stale go.sum line.
   */
  required: string[]
  /** Lines of those files that go would misread (go/sumcheck.ts), with the file (absolute). */
  sumProblems: Array<SumProblem & { file: string }>
  vendor: VendorDecision
}

/** The modules of several go.sum files, and their problems. */
function readSums(files: readonly string[]): Pick<ModuleRoot, 'modules' | 'sumProblems'> {
  const sums = files.map((file) => ({ file, sum: readGoSum(readTextIfThere(file) ?? '') }))
  return {
    modules: uniqueModules(sums.map((s) => s.sum.modules)),
    sumProblems: sums.flatMap((s) => s.sum.problems.map((p) => ({ ...p, file: s.file })))
  }
}

/** A root as the user knows it: relative to the workspace (else to the working directory). */
function shown(dir: string, workingDirectory: string): string {
  return path.relative(process.env.GITHUB_WORKSPACE || workingDirectory, dir) || '.'
}

function moduleRoot(dir: string, workingDirectory: string, goflags: string): ModuleRoot {
  const sumFile = path.join(dir, 'go.sum')
  const sumFiles = fs.existsSync(sumFile) ? [sumFile] : []
  const goMod = readTextIfThere(path.join(dir, 'go.mod')) ?? ''
  const sums = readSums(sumFiles)
  return {
    dir,
    rel: path.relative(workingDirectory, dir) || '.',
    workspace: false,
    sumFiles,
    ...sums,
    modules: neededModules(sums.modules, goMod),
    required: requiredBy([goMod]),
    vendor: vendorDecision({
      goMod,
      modulesTxt: readTextIfThere(path.join(dir, 'vendor', 'modules.txt')),
      goflags
    })
  }
}

function workspaceRoot(work: GoModules & { goWork: string }, workingDirectory: string): ModuleRoot {
  const dir = path.dirname(work.goWork)
  const sumFiles = [
    ...work.moduleDirs.map((d) => path.join(d, 'go.sum')).filter((f) => fs.existsSync(f)),
    ...(work.workSum ? [work.workSum] : [])
  ]
  return {
    dir,
    rel: path.relative(workingDirectory, dir) || '.',
    workspace: true,
    sumFiles,
    ...readSums(sumFiles),
    required: requiredBy(work.moduleDirs.map((d) => readTextIfThere(path.join(d, 'go.mod')) ?? '')),
    // A workspace builds from vendor/ only with go 1.22+ `go work vendor`; go 1.19 has none, so download.
    vendor: { vendored: false, reason: 'go.work workspace' }
  }
}

function requiredBy(goMods: readonly string[]): string[] {
  return [...new Set(goMods.flatMap((text) => parseGoModFile(text).requires.map((r) => modKey(r))))]
}

async function globModuleDirs(patterns: readonly string[], workingDirectory: string): Promise<string[]> {
  const absolute = patterns.map((p) =>
    p.startsWith('!') ? `!${path.resolve(workingDirectory, p.slice(1))}` : path.resolve(workingDirectory, p)
  )
  const globber = await glob.create(absolute.join('\n'), {
    implicitDescendants: false,
    matchDirectories: true
  })
  const dirs = new Set<string>()
  for (const match of await globber.glob()) {
    const dir = path.basename(match) === 'go.mod' ? path.dirname(match) : match
    // vendor/ and testdata/ hold copies and fixtures, never modules to download for (the cache key's rule).
    if (
      inExcludedDir(path.join(dir, 'go.mod'), exclusionBase(workingDirectory, process.env.GITHUB_WORKSPACE))
    )
      continue
    if (fs.existsSync(path.join(dir, 'go.mod'))) dirs.add(dir)
  }
  return [...dirs].sort()
}

/** The directories input 'modules' names; an InputError when it names none (checkRootsBeforeInstall, findRoots). */
export async function moduleDirsOf(modules: readonly string[], workingDirectory: string): Promise<string[]> {
  const dirs = await globModuleDirs(modules, workingDirectory)
  if (dirs.length === 0) {
    throw new InputError(
      'modules',
      `Input 'modules' is '${modules.join('\\n')}'; it matches no directory with a go.mod under '${shown(workingDirectory, workingDirectory)}'. Give module directories relative to 'working-directory', one glob per line, e.g. 'services/*' or 'tools/lint'.`
    )
  }
  return dirs
}

export async function findRoots(p: {
  modules: readonly string[]
  workingDirectory: string
  goEnv: GoEnv
}): Promise<ModuleRoot[]> {
  const goflags = p.goEnv.GOFLAGS ?? ''
  if (p.modules.length > 0) {
    const dirs = await moduleDirsOf(p.modules, p.workingDirectory)
    return dirs.map((d) => moduleRoot(d, p.workingDirectory, goflags))
  }
  const used = goModules(p.goEnv)
  if (used.goWork) return [workspaceRoot({ ...used, goWork: used.goWork }, p.workingDirectory)]
  if (fs.existsSync(path.join(p.workingDirectory, 'go.mod')))
    return [moduleRoot(p.workingDirectory, p.workingDirectory, goflags)]
  // A subdirectory of a module (working-directory: cmd/tool): go uses the go.mod above it.
  const [parent] = used.moduleDirs
  if (parent) return [moduleRoot(parent, p.workingDirectory, goflags)]
  throw noModuleError(p.workingDirectory, p.goEnv.GOWORK)
}

function noModuleError(workingDirectory: string, goWork: string | undefined): InputError {
  const off = goWork === 'off' ? ' (GOWORK=off is set, so go ignores go.work files)' : ''
  return new InputError(
    'working-directory',
    `Input 'working-directory' is '${shown(workingDirectory, workingDirectory)}'; neither it nor a directory above it has a go.mod${off ? '' : ' or go.work'}${off}, so there is nothing to download. Point it at your module's directory (e.g. 'working-directory: backend'), list module directories in 'modules', or set 'download: false'.`
  )
}

/**
 * What findRoots will refuse, checked before Go is installed (with the other input checks): 'modules'
 * that name no module directory, or a working directory from which go would find no go.mod or go.work.
 */
export async function checkRootsBeforeInstall(
  download: Pick<DownloadConfig, 'enabled' | 'modules'>,
  workingDirectory: string,
  env: Readonly<Record<string, string | undefined>>
): Promise<void> {
  if (!download.enabled) return
  if (download.modules.length > 0) await moduleDirsOf(download.modules, workingDirectory)
  else if (!findModuleFile(workingDirectory, env)) throw noModuleError(workingDirectory, env.GOWORK)
}
