/**
 * A module cache that holds a Go toolchain, as GOTOOLCHAIN=auto leaves it: a go.mod `toolchain go1.27.3`
 * line run by Go 1.26.8 makes go download the module golang.org/toolchain@v0.0.1-go1.27.3.<os>-<arch>
 * (~80 MB zipped, ~300 MB unpacked, read-only) into GOMODCACHE and run it. With actions/setup-go such a
 * cache breaks the next restore with thousands of `tar: ...: Cannot open: File exists` lines, because
 * its `go env` had already fetched the toolchain again before the restore (actions/setup-go#424, #722).
 *
 * Here the bundled action (dist/main, dist/post) runs against the bench's cache service, with GOPROXY a
 * file tree of generated modules: go verifies a toolchain module against the checksum database even under
 * GOSUMDB=off and even when it is already cached, except with a lone file:// GOPROXY
 * (cmd/go/internal/modfetch/sumdb.go, useSumDB), and the suite is offline. Only the first job's tree also
 * holds the real Go 1.27.3 toolchain module (testbed/toolchains.ts, prefetched by
 * scripts/fetch-test-toolchains.sh); later jobs have no source for it, so any fetch of it fails them. The job sets
 * GOTOOLCHAIN=auto itself (the action leaves a workflow's GOTOOLCHAIN alone), on a runner whose tool cache
 * holds the local Go. The tests are ordered: each job starts from what the previous ones left in the cache
 * service.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import {
  type ActionResult,
  type CacheService,
  type CachedToolchain,
  type JobDirs,
  type ModuleSet,
  cachedToolchain,
  generateModules,
  isolatedGoEnv,
  newJobDirs,
  removeTree,
  runAction,
  runGo,
  runLaterStep,
  startCacheService,
  writeConsumerProject
} from '../../testbed/index.ts'
import { stepCommands } from '../helpers/commands.ts'
import { LOCAL_GO, archiveMembers, preinstallLocalGo, resetRunner } from '../helpers/job.ts'

const GO_VERSION = LOCAL_GO.version

let root: string
let next: CachedToolchain
let set: ModuleSet
/** A file GOPROXY tree: the generated modules and golang.org/toolchain. */
let withToolchain: string
let cache: CacheService
let dirs: JobDirs

beforeAll(async () => {
  // Throws a one-line error naming scripts/fetch-test-toolchains.sh when 1.27.3 was not prefetched.
  next = cachedToolchain()
  root = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'cache-toolchain-'))
  set = generateModules({ dir: path.join(root, 'mods'), count: 3, deps: [[1], [], []] })
  withToolchain = path.join(root, 'goproxy-with-toolchain')
  fs.cpSync(set.proxyDir, withToolchain, { recursive: true })
  fs.mkdirSync(path.join(withToolchain, 'golang.org'), { recursive: true })
  fs.symlinkSync(
    path.join(next.proxyDir, 'golang.org', 'toolchain'),
    path.join(withToolchain, 'golang.org', 'toolchain')
  )
  cache = await startCacheService({ dir: path.join(root, 'cache') })
  dirs = newJobDirs('cache-toolchain-')
  preinstallLocalGo(dirs)
}, 60_000)

afterAll(async () => {
  await cache?.close()
  dirs?.cleanup()
  if (root) removeTree(root)
})

/** A fresh runner at the same paths, with a project whose go.mod asks for the newer toolchain. */
function checkout(): JobDirs {
  resetRunner(dirs)
  writeConsumerProject(dirs.workspace, {
    requires: set.latest().slice(0, 1),
    modules: set,
    modulePath: 'example.com/app'
  })
  const goMod = path.join(dirs.workspace, 'go.mod')
  const line = GO_VERSION.split('.').slice(0, 2).join('.')
  fs.writeFileSync(
    goMod,
    fs.readFileSync(goMod, 'utf8').replace(/^go .*$/m, `go ${line}\n\ntoolchain go${next.version}`)
  )
  return dirs
}

function gomodcache(): string {
  return path.join(dirs.home, 'go', 'pkg', 'mod')
}

/** One job; `withToolchainSource`: GOPROXY is the file tree that also serves the toolchain. */
async function job(withToolchainSource = false): Promise<ActionResult> {
  return runAction({
    dirs,
    // GOTOOLCHAIN=auto is the workflow's: go may switch to the go.mod's toolchain.
    env: { ...cache.env, GOTOOLCHAIN: 'auto' },
    inputs: {
      'go-version': GO_VERSION,
      // Never reached while the tool cache holds Go; a closed loopback port if it ever were.
      'go-download-base-url': 'http://127.0.0.1:9/',
      goproxy: withToolchainSource ? `file://${withToolchain}` : `file://${set.proxyDir}`,
      gosumdb: 'off',
      // Even with GOSUMDB=off, go verifies a toolchain download unless GONOSUMDB covers it.
      gonosumdb: 'golang.org/toolchain',
      'retry-backoff': '100ms'
    },
    timeoutMs: 240_000
  })
}

function problems(run: ActionResult): string[] {
  return [run.main, run.post].flatMap((step) => [...stepCommands(step), ...stepCommands(step, 'error')])
}

describe('a module cache holding a golang.org/toolchain module', () => {
  it('cold run: go switches to the go.mod toolchain, which lands in GOMODCACHE and is saved with the modules', async () => {
    checkout()
    const run = await job(true)
    expect(problems(run)).toEqual([])
    expect(run.main.outputs['cache-hit']).toBe('false')
    expect(
      fs.existsSync(path.join(gomodcache(), 'golang.org', `toolchain@${next.moduleVersion}`, 'bin', 'go'))
    ).toBe(true)
    expect(run.post?.summary).toMatch(/Saved/)
    // The archive leaves out the .ziphash files (the restore checks each zip again) except the
    // toolchain's: no go.sum lists a toolchain, its .ziphash is what go looks up in the checksum database.
    const members = archiveMembers(cache.entries()[0]!.file)
    expect(
      members.filter((m) => m.endsWith('.ziphash')).map((m) => m.replace(/^.*cache\/download\//, ''))
    ).toEqual([`golang.org/toolchain/@v/${next.moduleVersion}.ziphash`])
    const zips = members.filter((m) => m.endsWith('.zip'))
    expect(zips.some((m) => m.includes('golang.org/toolchain/@v/'))).toBe(true)
    expect(zips.length).toBeGreaterThan(1)
  }, 240_000)

  it('warm run on a fresh runner with no source for the toolchain: no tar errors, the toolchain comes from the restored cache', async () => {
    checkout()
    const run = await job()
    expect(problems(run)).toEqual([])
    expect(run.main.stdout + run.main.stderr).not.toContain('Cannot open')
    expect(run.main.outputs['cache-hit']).toBe('true')
    // A later step runs the go.mod's toolchain from the restored cache: the job's GOPROXY has no toolchain.
    // (Not GOPROXY=off: go then insists on a checksum database lookup for the toolchain, see above.)
    const later = await runLaterStep('go', ['version'], run.job)
    expect(later.stdout.trim()).toBe(`go version go${next.version} linux/amd64`)
  }, 240_000)

  it('restores over a GOMODCACHE where an earlier step already unpacked the same toolchain (read-only), without tar errors', async () => {
    checkout()
    // What an earlier `go` command under GOTOOLCHAIN=auto leaves: the toolchain, extracted read-only.
    const env = isolatedGoEnv({
      root: path.join(root, 'earlier'),
      goproxy: `file://${next.proxyDir}`,
      goflags: ''
    })
    const r = await runGo(['version'], {
      cwd: dirs.workspace,
      env: {
        ...env.env,
        GOMODCACHE: gomodcache(),
        GOTOOLCHAIN: 'auto',
        GONOSUMDB: 'golang.org/toolchain',
        GOWORK: 'off'
      }
    })
    expect(r.stdout.trim()).toBe(`go version go${next.version} linux/amd64`)
    const unpacked = path.join(gomodcache(), 'golang.org', `toolchain@${next.moduleVersion}`)
    expect(fs.statSync(unpacked).mode & 0o222).toBe(0)

    const run = await job()
    expect(problems(run)).toEqual([])
    expect(run.main.stdout + run.main.stderr).not.toContain('Cannot open')
    expect(run.main.outputs['cache-hit']).toBe('true')
    const later = await runLaterStep('go', ['version'], run.job)
    expect(later.stdout.trim()).toBe(`go version go${next.version} linux/amd64`)
  }, 240_000)
})
