/**
 * The whole action as a user meets it: the committed bundle (dist/main/index.js, then dist/post/index.js)
 * run by the runner emulation against the offline bench (Go mirror, module proxy, Actions cache service),
 * then a later `go build` step in the job's environment. Every capability lands in one job here; each has
 * its own deeper tests next to this file.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import {
  type CacheService,
  type GoMirror,
  type JobDirs,
  type ModuleProxy,
  type ModuleSet,
  artefactPattern,
  bumpModule,
  generateModules,
  newJobDirs,
  removeTree,
  runAction,
  runLaterStep,
  startCacheService,
  startGoMirror,
  startModuleProxy,
  writeConsumerProject
} from '../../testbed/index.ts'
import { resetRunner } from '../helpers/job.ts'
import { PROXY_REQUEST_TRIES } from '../../src/go/proxylist.js'

let root: string
let mirror: GoMirror
let proxy: ModuleProxy
let cache: CacheService
let set: ModuleSet
const jobs: JobDirs[] = []

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'action-e2e-'))
  set = generateModules({
    dir: path.join(root, 'mods'),
    count: 8,
    deps: [[1, 2], [3], [], [], [5], [], [], []]
  })
  proxy = await startModuleProxy({ modules: set })
  cache = await startCacheService({ dir: path.join(root, 'cache') })
  mirror = await startGoMirror({ variant: 'full' })
}, 180_000)

afterAll(async () => {
  await Promise.all([proxy?.close(), cache?.close(), mirror?.close()])
  for (const d of jobs) d.cleanup()
  removeTree(root)
})

/**
 * A fresh runner VM with the project checked out: empty HOME, RUNNER_TEMP and workspace at the SAME paths
 * as the previous job (as on hosted runners, where HOME is always /home/runner — @actions/cache keys an
 * entry's version on its absolute paths, so a new HOME per job would never hit). The tool cache is kept,
 * like a runner image's preinstalled Go, after the first job has filled it.
 */
function checkout(requires = set.latest()): JobDirs {
  if (jobs.length === 0) jobs.push(newJobDirs('action-e2e-'))
  const dirs = jobs[0]!
  resetRunner(dirs)
  writeConsumerProject(dirs.workspace, { requires, modules: set, modulePath: 'example.com/app' })
  return dirs
}

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'go-version': mirror.goVersion,
    'go-download-base-url': mirror.baseUrl,
    goproxy: proxy.goproxy,
    gosumdb: 'off',
    'retry-backoff': '100ms',
    ...extra
  }
}

describe('setup-go-deps end to end', () => {
  it('cold run: installs Go, downloads every module, saves the cache in post, and a later go build works', async () => {
    proxy.faults.clearLog()
    const dirs = checkout()
    const run = await runAction({ dirs, inputs: inputs(), env: cache.env })
    expect(run.main.stderr + run.main.stdout).not.toMatch(/::error::/)
    expect(run.main.exitCode).toBe(0)
    expect(run.main.outputs['go-version']).toBe(mirror.goVersion)
    expect(run.main.outputs['cache-hit']).toBe('false')
    expect(run.main.outputs['download-attempts']).toBe('1')
    expect(Number(run.main.outputs['modules'])).toBe(8)
    expect(run.main.outputs['gomodcache']).toBe(path.join(dirs.home, 'go', 'pkg', 'mod'))
    expect(proxy.zipDownloads().sort()).toEqual(
      set
        .latest()
        .map((m) => `${m.path}@${m.version}`)
        .sort()
    )
    expect(run.main.summary).toContain('miss')
    expect(run.env.GOTOOLCHAIN).toBe('local')
    expect(run.post?.exitCode).toBe(0)
    expect(cache.entries().map((e) => e.key)).toContain(run.main.outputs['cache-key'])
    expect(run.post?.summary).toMatch(/Saved/)

    const build = await runLaterStep('go', ['build', './...'], run.job, { stepEnv: { GOPROXY: 'off' } })
    expect(build.exitCode).toBe(0)
  }, 180_000)

  it('warm run on a fresh runner: exact cache hit, no module requests, nothing saved again', async () => {
    proxy.faults.clearLog()
    const before = cache.entries().length
    const dirs = checkout()
    const run = await runAction({ dirs, inputs: inputs(), env: cache.env })
    expect(run.main.exitCode).toBe(0)
    expect(run.main.outputs['cache-hit']).toBe('true')
    expect(run.main.outputs['cache-matched-key']).toBe(run.main.outputs['cache-key'])
    expect(proxy.artefactRequests()).toEqual([])
    expect(run.main.summary).toContain('exact hit')
    expect(cache.entries().length).toBe(before)
    expect(run.post?.summary).toMatch(/Not saved/)
  }, 180_000)

  it('bump one module: partial restore, only the bumped module is fetched, the new key is saved', async () => {
    const bumped = bumpModule(set, 'example.com/pub/m003')
    proxy.faults.clearLog()
    const dirs = checkout()
    const run = await runAction({ dirs, inputs: inputs(), env: cache.env })
    expect(run.main.exitCode).toBe(0)
    expect(run.main.outputs['cache-hit']).toBe('false')
    expect(run.main.outputs['cache-matched-key']).not.toBe('')
    expect(run.main.outputs['cache-matched-key']).not.toBe(run.main.outputs['cache-key'])
    expect(proxy.zipDownloads()).toEqual([`${bumped.path}@${bumped.version}`])
    expect(cache.entries().map((e) => e.key)).toContain(run.main.outputs['cache-key'])
  }, 180_000)

  it('retries a proxy whose 502s outlast three attempts (go tries each request PROXY_REQUEST_TRIES times) and says so in the summary', async () => {
    const dirs = checkout()
    const target = set.latest()[5]!
    proxy.faults.add({
      path: artefactPattern(target.path, 'zip', target.version),
      firstN: 3 * PROXY_REQUEST_TRIES,
      fault: { kind: 'status', status: 502 }
    })
    try {
      const run = await runAction({ dirs, inputs: inputs({ cache: 'false' }), env: cache.env })
      expect(run.main.exitCode).toBe(0)
      expect(run.main.outputs['download-attempts']).toBe('4')
      // the summary lists the 4 attempts: the first three failed with class proxy, the last did not fail
      const rows = [
        ...run.main.summary.matchAll(
          /<tr><td>(\d+)<\/td><td>[^<]*<\/td><td>(\d+)<\/td><td>(\d+)<\/td><td>([^<]*)<\/td>/g
        )
      ]
      expect(rows.map((r) => [Number(r[1]), r[3], r[4]])).toEqual([
        [1, '1', 'proxy'],
        [2, '1', 'proxy'],
        [3, '1', 'proxy'],
        [4, '0', '—']
      ])
    } finally {
      proxy.faults.clear()
    }
  }, 180_000)

  it('fails fast on an unknown version: one attempt, error-class not-found, an annotation on the go.mod line', async () => {
    const dirs = checkout()
    const gomod = path.join(dirs.workspace, 'go.mod')
    const sum = path.join(dirs.workspace, 'go.sum')
    fs.writeFileSync(
      gomod,
      fs.readFileSync(gomod, 'utf8').replace(/(example\.com\/pub\/m008) v1\.0\.0/, '$1 v1.9.9')
    )
    fs.writeFileSync(
      sum,
      fs.readFileSync(sum, 'utf8').replace(/example\.com\/pub\/m008 v1\.0\.0/g, 'example.com/pub/m008 v1.9.9')
    )
    const run = await runAction({ dirs, inputs: inputs({ cache: 'false' }), env: cache.env })
    expect(run.main.exitCode).toBe(1)
    expect(run.main.outputs['error-class']).toBe('not-found')
    expect(run.main.outputs['download-attempts']).toBe('1')
    expect(run.main.stdout).toMatch(
      /::error title=[^\n]*file=go\.mod,line=\d+::example\.com\/pub\/m008@v1\.9\.9/
    )
    expect(run.post?.exitCode).toBe(0)
  }, 180_000)

  it('offline-after-download: later steps build without the network, and a new module fails at once', async () => {
    const dirs = checkout()
    const run = await runAction({
      dirs,
      inputs: inputs({ cache: 'false', 'offline-after-download': 'true' }),
      env: cache.env
    })
    expect(run.main.exitCode).toBe(0)
    expect(run.env.GOPROXY).toBe('off')
    expect(run.env.GOFLAGS ?? '').not.toContain('-mod=')

    proxy.faults.clearLog()
    const build = await runLaterStep('go', ['build', './...'], run.job)
    expect(build.exitCode).toBe(0)

    const bumped = bumpModule(set, 'example.com/pub/m007')
    const get = await runLaterStep('go', ['get', `${bumped.path}@${bumped.version}`], run.job, {
      timeoutMs: 20_000
    })
    expect(get.exitCode).not.toBe(0)
    expect(get.stderr).toContain('GOPROXY=off')
    expect(get.durationMs).toBeLessThan(10_000)
    expect(proxy.faults.log).toEqual([])
  }, 180_000)

  it('names the input and the fix for bad input, before touching the network', async () => {
    const dirs = checkout()
    proxy.faults.clearLog()
    mirror.faults.clearLog()
    const run = await runAction({ dirs, inputs: inputs({ 'retry-backoff': '2 seconds' }), env: cache.env })
    expect(run.main.exitCode).toBe(1)
    expect(run.main.stdout).toContain(
      "Input 'retry-backoff' is '2 seconds'; expected a duration like 500ms, 2s or 10m."
    )
    expect(run.main.outputs['error-class']).toBe('config')
    expect(mirror.faults.log).toEqual([])
    expect(proxy.artefactRequests()).toEqual([])
  }, 60_000)
})
