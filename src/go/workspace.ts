/**
 * Effects (file system reads): the module directories go itself uses, found as go finds them, beyond
 * what lies under the working directory. go walks up from its working directory to the first go.mod
 * (`go env GOMOD`), and in a go.work workspace (`go env GOWORK`) builds every `use` directory, which may
 * sit beside or above the working directory (`use ../shared`). The cache key, its verification and the
 * download all read their go.mod/go.sum files through here, so a module go uses is never left out.
 */
import { readTextIfThere } from '../read-text.js'
import fs from 'node:fs'
import path from 'node:path'
import { workspaceInUse, type GoEnv } from './env.js'
import { parseGoModFile } from './gomod.js'

export interface GoModules {
  /** Absolute module directories (each with a go.mod), in go.work order or the one GOMOD names. */
  moduleDirs: string[]
  /** The go.work in use (absolute), when go runs in a workspace. */
  goWork?: string
  /** Its go.work.sum (absolute), when there is one. */
  workSum?: string
}

/** What go uses from where it runs: a workspace's members, else the module GOMOD names; none outside a module. */
export function goModules(goEnv: GoEnv): GoModules {
  const goWork = goEnv.GOWORK ?? ''
  if (workspaceInUse(goEnv) && fs.existsSync(goWork)) {
    const dir = path.dirname(goWork)
    const work = parseGoModFile(readTextIfThere(goWork) ?? '')
    const moduleDirs = work.uses.map((u) => path.resolve(dir, u.dir))
    const workSum = path.join(dir, 'go.work.sum')
    return { moduleDirs, goWork, ...(fs.existsSync(workSum) ? { workSum } : {}) }
  }
  const goMod = goEnv.GOMOD ?? ''
  // Outside a module go says /dev/null (NUL on Windows), or nothing with GO111MODULE=off.
  if (path.isAbsolute(goMod) && path.basename(goMod) === 'go.mod' && fs.existsSync(goMod))
    return { moduleDirs: [path.dirname(goMod)] }
  return { moduleDirs: [] }
}

/** The go.mod, go.sum (where present) and go.work.sum files of `goModules`, for key and verification. */
export function goModuleFiles(modules: GoModules): string[] {
  const files = modules.moduleDirs.flatMap((dir) =>
    ['go.mod', 'go.sum'].map((name) => path.join(dir, name)).filter((f) => fs.existsSync(f))
  )
  return modules.workSum ? [...files, modules.workSum] : files
}

/**
 * The go.mod or go.work go would find from `dir`: the nearest go.mod walking up (go.work when GOWORK is
 * not off: also walking up, or the file GOWORK names). Before Go is installed, so from the environment
 * only. Undefined: go would find no module from there.
 */
export function findModuleFile(
  dir: string,
  env: Readonly<Record<string, string | undefined>>
): string | undefined {
  const goWork = env.GOWORK ?? ''
  if (goWork !== '' && goWork !== 'off' && goWork !== 'auto') return path.resolve(dir, goWork)
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    for (const name of goWork === 'off' ? ['go.mod'] : ['go.work', 'go.mod']) {
      if (fs.existsSync(path.join(d, name))) return path.join(d, name)
    }
    if (path.dirname(d) === d) return undefined
  }
}
