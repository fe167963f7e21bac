/**
 * The module cache at the cache service's limits and in the post step's order, through the bundled
 * action, the real @actions/cache client and the bench's cache service:
 *  - a restore whose archive download stops sending never hangs the job (a bounded restore, then a run
 *    without cache and a warning);
 *  - a 429 with Retry-After, a 409 and a 5xx on save are notices after at most one retry, never failures;
 *  - post removes the credentials before it saves, refuses a cache path that contains them, and on events
 *    where untrusted code can write the base branch's cache `cache-save: auto` does not save while the
 *    build cache is restored from its exact key only.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import {
  type ActionResult,
  type CacheService,
  type JobDirs,
  type JobEnv,
  type ModuleProxy,
  type ModuleSet,
  type StepResult,
  runAction,
  runLaterStep,
  twirpFault,
  writeConsumerProject
} from '../../testbed/index.ts'
import { stepCommands } from '../helpers/commands.ts'
import { LOCAL_GO, resetRunner, startCacheWorld, type CacheWorld } from '../helpers/job.ts'

const GO_VERSION = LOCAL_GO.version
const CREATE = /CacheService\/CreateCacheEntry$/

let set: ModuleSet
let proxy: ModuleProxy
let cache: CacheService
let dirs: JobDirs

let world: CacheWorld | undefined

beforeAll(async () => {
  world = await startCacheWorld('cache-limits', { count: 4, sizeBytes: 65536 })
  ;({ set, proxy, cache, dirs } = world)
}, 60_000)

afterAll(() => world?.close())

/** `cache-build` tests see GOCACHE as a real fresh runner has it: empty. */
function checkout(inputs: Record<string, string> = {}): JobDirs {
  resetRunner(dirs, { buildCache: inputs['cache-build'] === 'true' ? 'empty' : 'seeded' })
  writeConsumerProject(dirs.workspace, { requires: set.latest() })
  return dirs
}

async function job(
  o: {
    inputs?: Record<string, string>
    env?: Record<string, string>
    between?: (job: JobEnv, main: StepResult) => Promise<void>
  } = {}
): Promise<ActionResult> {
  proxy.faults.clearLog()
  cache.faults.clearLog()
  return runAction({
    dirs: checkout(o.inputs),
    inputs: {
      'go-version': GO_VERSION,
      'go-download-base-url': 'http://127.0.0.1:9/',
      goproxy: proxy.goproxy,
      gosumdb: 'off',
      'retry-backoff': '100ms',
      ...o.inputs
    },
    env: { ...cache.env, ...o.env },
    between: o.between
  })
}

const commands = stepCommands
const modules = () => set.latest().map((m) => `${m.path}@${m.version}`)

describe('restore under a stalled download', () => {
  it('an archive download that stops sending is abandoned at the deadline; the job runs without cache and warns', async () => {
    const seed = await job({ inputs: { 'cache-key-suffix': 'stall' } })
    expect(seed.post?.summary).toContain('Saved `')
    const release = cache.stallDownloads(1024)
    try {
      const t0 = Date.now()
      const run = await job({
        inputs: { 'cache-key-suffix': 'stall' },
        env: { SETUP_GO_DEPS_RESTORE_TIMEOUT_SECONDS: '3' }
      })
      const took = Date.now() - t0
      expect(run.main.exitCode).toBe(0)
      expect(cache.calls.some((c) => /\(stalled\)$/.test(c.op))).toBe(true)
      expect(commands(run.main, 'warning')).toEqual([
        'Module cache: the restore did not finish within 3 s (a stalled download or lookup); continued without cache.'
      ])
      expect(run.main.outputs['cache-hit']).toBe('false')
      expect(run.main.summary).toContain('unavailable, continued without cache')
      expect(proxy.zipDownloads().sort()).toEqual(modules().sort())
      // The whole job, post included, well below the client's own 5 s idle timeout per stalled
      // socket plus its retries, let alone its 10-minute segment timeout.
      expect(run.main.durationMs).toBeLessThan(20_000)
      expect(took).toBeLessThan(40_000)
      expect(run.post?.summary).toContain('Not saved: the cache service was unavailable')
      const build = await runLaterStep('go', ['build', './...'], run.job)
      expect(build.exitCode).toBe(0)
    } finally {
      release()
    }
  }, 120_000)
})

describe('saving under the cache service limits', () => {
  it('a 429 with Retry-After is waited out and saved on the one retry', async () => {
    const off = cache.faults.add({ path: CREATE, firstN: 1, fault: twirpFault(429, 1) })
    try {
      const run = await job({ inputs: { 'cache-key-suffix': 'rl1' } })
      expect(run.post?.exitCode).toBe(0)
      expect(commands(run.post, 'warning')).toEqual([])
      expect(run.post?.stdout).toContain('Module cache: the cache service refused the save')
      expect(run.post?.stdout).toContain('trying once more in 1 s')
      expect(cache.faults.requests(CREATE)).toHaveLength(2)
      expect(run.post?.summary).toContain(`Saved \`${run.main.outputs['cache-key']}\``)
    } finally {
      off()
    }
  }, 90_000)

  it('a 429 that lasts is a notice after one retry, not a warning or a failure', async () => {
    const off = cache.faults.add({ path: CREATE, fault: twirpFault(429, 1) })
    try {
      const run = await job({ inputs: { 'cache-key-suffix': 'rl2' } })
      expect(run.post?.exitCode).toBe(0)
      expect(run.post?.conclusion).toBe('success')
      expect(commands(run.post, 'warning')).toEqual([])
      expect(commands(run.post, 'error')).toEqual([])
      expect(commands(run.post, 'notice')).toEqual([
        'Module cache: not saved: the cache service is rate-limiting uploads (HTTP 429) (also on its one retry). The next run restores the previous entry and downloads the difference.'
      ])
      expect(cache.faults.requests(CREATE)).toHaveLength(2)
      expect(run.post?.summary).toContain('Not saved: the cache service rate-limited the upload (HTTP 429)')
    } finally {
      off()
    }
  }, 90_000)

  it('a 5xx on save (after the client retried it) is a notice, not a warning, error or failure', async () => {
    const off = cache.faults.add({ path: CREATE, fault: twirpFault(503) })
    try {
      const run = await job({ inputs: { 'cache-key-suffix': 'e503' } })
      expect(run.post?.exitCode).toBe(0)
      expect(commands(run.post, 'warning')).toEqual([])
      expect(commands(run.post, 'error')).toEqual([])
      expect(commands(run.post, 'notice')).toEqual([
        expect.stringMatching(/^Module cache: not saved: the cache service failed \(/)
      ])
      // The client's own five attempts; no retry on top of them without a Retry-After.
      expect(cache.faults.requests(CREATE)).toHaveLength(5)
    } finally {
      off()
    }
  }, 90_000)
})

describe('save under a stalled upload', () => {
  it('an upload that never gets an answer is abandoned at the save deadline: post ends at once with a notice, the job does not fail', async () => {
    // Every blob upload (the archive's PUT) stalls; the twirp calls around it answer.
    const off = cache.faults.add({ path: /^PUT /, fault: { kind: 'stall' } })
    try {
      const run = await job({
        inputs: { 'cache-key-suffix': 'upstall' },
        env: { SETUP_GO_DEPS_SAVE_TIMEOUT_SECONDS: '3' }
      })
      expect(run.main.exitCode).toBe(0)
      expect(cache.faults.log.some((r) => r.method === 'PUT' && r.outcome === 'stall')).toBe(true)
      expect(run.post?.exitCode).toBe(0)
      expect(commands(run.post, 'warning')).toEqual([])
      expect(commands(run.post, 'notice')).toEqual([
        'Module cache: not saved: the cache service failed (the save did not finish within 3 s (a stalled upload) and was abandoned). The next run restores the previous entry and downloads the difference.'
      ])
      expect(run.post?.summary).toContain(
        'Not saved: the cache service failed: the save did not finish within 3 s'
      )
      // the post step ended at the deadline, not when the stalled socket gave up
      expect(run.post!.durationMs).toBeLessThan(30_000)
      // reserved, never committed: nothing a later run could restore
      const entry = cache.entries().find((e) => e.key === run.main.outputs['cache-key'])
      expect(entry?.committed).toBe(false)
    } finally {
      off()
    }
  }, 120_000)
})

describe('post order and scope', () => {
  const credentialInputs = {
    'private-modules': 'github.com/acme/*',
    token: 'ghs_0123456789abcdefghijklmnopqrstuvwxyzAB'
  }

  it('removes the credentials before it saves the cache', async () => {
    const run = await job({ inputs: { ...credentialInputs, 'cache-key-suffix': 'order' } })
    expect(run.main.exitCode).toBe(0)
    const credDir = (JSON.parse(run.main.state.auth ?? '{}') as { dir?: string }).dir ?? ''
    expect(credDir).toContain(dirs.temp)
    const out = run.post?.stdout ?? ''
    const removed = out.indexOf(credDir)
    const saving = out.indexOf('Module cache: saving')
    expect(removed).toBeGreaterThanOrEqual(0)
    expect(saving).toBeGreaterThan(removed)
    expect(fs.existsSync(credDir)).toBe(false)
    expect(run.post?.summary).toContain('Saved `')
  }, 90_000)

  it('refuses to save a cache path that contains the credentials directory (GOCACHE = RUNNER_TEMP)', async () => {
    const run = await job({
      inputs: { ...credentialInputs, 'cache-key-suffix': 'scope', 'cache-build': 'true' },
      env: { GOCACHE: dirs.temp }
    })
    expect(run.main.exitCode).toBe(0)
    expect(commands(run.post, 'warning')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Build cache: not saved: ${dirs.temp} contains .*, where this action keeps credentials\\. Set GOCACHE outside RUNNER_TEMP\\.$`
        )
      )
    ])
    expect(
      cache.entries().some((e) => e.key.startsWith('setup-go-deps-build-') && e.key.includes('-scope-'))
    ).toBe(false)
    // The module cache is elsewhere and is saved.
    expect(run.post?.summary).toContain('Saved `')
  }, 90_000)

  it.each(['pull_request_target', 'workflow_run', 'issue_comment'])(
    'on %s, cache-save: auto does not save and says why; the build cache is restored from its exact key only',
    async (event) => {
      // A build cache entry under the same prefix, saved by an ordinary run.
      const suffix = `ev-${event.replace(/_/g, '')}`
      const seed = await job({
        inputs: { 'cache-key-suffix': suffix, 'cache-build': 'true' },
        between: async (j) => {
          expect((await runLaterStep('go', ['build', './...'], j)).exitCode).toBe(0)
        }
      })
      expect(seed.post?.summary).toContain('Build cache: saved')
      // The next run's keys differ (a new go.sum line), so only a restore-key could match.
      const before = cache.entries().length
      const run = await runAction({
        dirs: (() => {
          const d = checkout({ 'cache-build': 'true' })
          fs.appendFileSync(path.join(d.workspace, 'go.sum'), `${set.latest()[0]!.sumLines[1]}\n`)
          return d
        })(),
        inputs: {
          'go-version': GO_VERSION,
          'go-download-base-url': 'http://127.0.0.1:9/',
          goproxy: proxy.goproxy,
          gosumdb: 'off',
          'cache-key-suffix': suffix,
          'cache-build': 'true'
        },
        env: { ...cache.env, GITHUB_EVENT_NAME: event }
      })
      expect(run.main.exitCode).toBe(0)
      // The module cache is verified, so a restore-key match is fine; the build cache is not.
      expect(run.main.outputs['cache-matched-key']).not.toBe('')
      expect(run.main.stdout).toMatch(
        /Build cache: miss: `setup-go-deps-build-[^`]+` \(exact key only on this event\)\./
      )
      expect(run.post?.summary).toContain(`Not saved: this is a ${event} run`)
      expect(run.post?.summary).toContain(`Build cache: not saved: this is a ${event} run`)
      expect(cache.entries().length).toBe(before)
    },
    120_000
  )
})
