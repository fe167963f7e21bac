/**
 * Runner set-up the end-to-end tests share: the machine's Go as the runner image's preinstalled Go, and a
 * fresh runner at the same paths between jobs.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { seedBuildCache } from './build-cache-seed.ts'
import {
  generateModules,
  newJobDirs,
  removeTree,
  startCacheService,
  startModuleProxy,
  type CacheService,
  type GenerateOptions,
  type JobDirs,
  type ModuleProxy,
  type ModuleSet
} from '../../testbed/index.ts'

const goEnv = (name: string): string =>
  execFileSync('go', ['env', name], {
    encoding: 'utf8',
    env: { ...process.env, GOTOOLCHAIN: 'local' }
  }).trim()

/** The Go on PATH (the suite runs on it): its version without the `go` prefix, and its GOROOT. */
export const LOCAL_GO = { version: goEnv('GOVERSION').replace(/^go/, ''), root: goEnv('GOROOT') }

/** The local Go in the job's tool cache, as actions/tool-cache lays out a preinstalled version. */
export function preinstallLocalGo(dirs: JobDirs): void {
  const tc = path.join(dirs.toolCache, 'go', LOCAL_GO.version)
  fs.mkdirSync(tc, { recursive: true })
  fs.symlinkSync(LOCAL_GO.root, path.join(tc, 'x64'))
  fs.writeFileSync(path.join(tc, 'x64.complete'), '')
}

/**
 * A fresh runner at the same paths: empty workspace, HOME and RUNNER_TEMP (the tool cache is kept). The
 * HOME's GOCACHE holds the standard library precompiled (./build-cache-seed.ts) unless `buildCache` is
 * 'empty', as the tests of `cache-build` need it.
 */
export function resetRunner(dirs: JobDirs, opts: { buildCache?: 'seeded' | 'empty' } = {}): void {
  for (const dir of [dirs.workspace, dirs.home, dirs.temp]) {
    removeTree(dir)
    fs.mkdirSync(dir, { recursive: true })
  }
  if (opts.buildCache !== 'empty') seedBuildCache(path.join(dirs.home, '.cache', 'go-build'))
}

/**
 * The module-cache tests' world: generated modules behind a loopback module proxy, a loopback cache
 * service, and one runner with the local Go preinstalled, all under one temp root.
 */
export interface CacheWorld {
  root: string
  set: ModuleSet
  proxy: ModuleProxy
  cache: CacheService
  dirs: JobDirs
  close: () => Promise<void>
}

export async function startCacheWorld(
  name: string,
  modules: Omit<GenerateOptions, 'dir'>
): Promise<CacheWorld> {
  const root = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), `${name}-`))
  const set = generateModules({ dir: path.join(root, 'mods'), ...modules })
  const proxy = await startModuleProxy({ modules: set })
  const cache = await startCacheService({ dir: path.join(root, 'cache') })
  const dirs = newJobDirs(`${name}-`)
  // The runner image's preinstalled Go: the local GOROOT in the tool cache.
  preinstallLocalGo(dirs)
  return {
    root,
    set,
    proxy,
    cache,
    dirs,
    close: async () => {
      await Promise.all([proxy.close(), cache.close()])
      dirs.cleanup()
      removeTree(root)
    }
  }
}

/** The member names of a cache archive as @actions/cache wrote it (tar + zstd), directories included. */
export function archiveMembers(file: string): string[] {
  return execFileSync('tar', ['-tf', file, '-P', '--use-compress-program', 'unzstd'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  })
    .split('\n')
    .filter(Boolean)
}
