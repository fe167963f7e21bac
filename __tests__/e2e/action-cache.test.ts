/**
 * The module cache as a user meets it: the committed bundle (dist/main, then dist/post) run by the runner
 * emulation, talking through the real @actions/cache client to the bench's real-protocol cache service
 * (v2 twirp + Azure-blob storage), with go fetching from the bench module proxy.
 *
 * The project is a go.work workspace of two modules (svc/a, svc/b, each with its go.sum, and a
 * go.work.sum), so every run also covers multi-module keys and downloads. The tests are ordered: each job
 * starts from what the previous ones left in the cache service, as successive CI runs do.
 *
 * Every job is a fresh runner at the SAME paths (hosted runners always have /home/runner: @actions/cache
 * keys an entry's version on the absolute paths) with a tool cache that already holds Go 1.19 (the local
 * GOROOT linked in, as a runner image preinstalls Go), so no job spends time installing Go.
 *
 * The last tests measure both cache layouts for 100 modules of ~32 KB (archive size and files, restore,
 * verification, the whole warm main step until `go build` is ready, a later build) against raw `tar`
 * extraction of the full-tree archive, and write them to .bench-out/action-cache.json.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {
  type ActionResult,
  type CacheService,
  type JobDirs,
  type JobEnv,
  type ModuleProxy,
  type ModuleSet,
  type ModuleVersion,
  type StepResult,
  artefactPattern,
  bumpModule,
  generateModules,
  isolatedGoEnv,
  listTree,
  moduleGraph,
  removeTree,
  runAction,
  runCacheClient,
  runGo,
  runLaterStep,
  startModuleProxy,
  writeConsumerProject
} from '../../testbed/index.ts'
import { moduleCachePaths } from '../../src/cache/policy.js'
import { unescapeModulePath } from '../../src/go/modfiles.js'
import { stepCommands } from '../helpers/commands.ts'
import { LOCAL_GO, archiveMembers, resetRunner, startCacheWorld, type CacheWorld } from '../helpers/job.ts'

const GO_VERSION = LOCAL_GO.version
const KEY_HEAD = `setup-go-deps-linux-x64-go${GO_VERSION}-`
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..')
const BUILD_KEY_HEAD = `setup-go-deps-build-linux-x64-go${GO_VERSION}-`

let root: string
let set: ModuleSet
let proxy: ModuleProxy
let cache: CacheService
let dirs: JobDirs

/** What the workspace's two modules require (their go.mod/go.sum follow from it). */
const project = { a: [] as ModuleVersion[], b: [] as ModuleVersion[], workSum: '' }

let world: CacheWorld | undefined

beforeAll(async () => {
  world = await startCacheWorld('action-cache', {
    count: 10,
    deps: [[1], [], [3], [], [], [6], [], [], [9], []]
  })
  ;({ root, set, proxy, cache, dirs } = world)
  const latest = set.latest()
  project.a = latest.slice(0, 6)
  project.b = latest.slice(4, 10)
  // go.work.sum holds sums go needed beyond the modules' go.sum files; any valid line will do here.
  project.workSum = `${latest[9]!.sumLines[1]}\n`
}, 60_000)

afterAll(() => world?.close())

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** A fresh runner at the same paths with the workspace checked out (tool cache kept). */
/** `cache-build` tests see GOCACHE as a real fresh runner has it: empty. */
function checkout(inputs: Record<string, string> = {}): JobDirs {
  resetRunner(dirs, { buildCache: inputs['cache-build'] === 'true' ? 'empty' : 'seeded' })
  writeProject()
  return dirs
}

/** What checkout() writes into the workspace (the measurement replaces it with a one-module project). */
let writeProject = writeWorkspace

function writeWorkspace(): void {
  const ws = dirs.workspace
  writeConsumerProject(path.join(ws, 'svc', 'a'), { requires: project.a, modulePath: 'example.com/app/a' })
  writeConsumerProject(path.join(ws, 'svc', 'b'), { requires: project.b, modulePath: 'example.com/app/b' })
  fs.writeFileSync(path.join(ws, 'go.work'), 'go 1.19\n\nuse (\n\t./svc/a\n\t./svc/b\n)\n')
  fs.writeFileSync(path.join(ws, 'go.work.sum'), project.workSum)
}

/** Every module@version the workspace needs (the union of both modules' build lists). */
function workspaceModules(): string[] {
  const all = [project.a, project.b].flatMap((req) => moduleGraph(req).buildList)
  return [...new Set(all.map((m) => `${m.path}@${m.version}`))].sort()
}

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'go-version': GO_VERSION,
    // Never reached while the tool cache holds Go; a closed loopback port if it ever were.
    'go-download-base-url': 'http://127.0.0.1:9/',
    goproxy: proxy.goproxy,
    gosumdb: 'off',
    'retry-backoff': '100ms',
    ...extra
  }
}

async function job(
  extra: Record<string, string> = {},
  between?: (job: JobEnv, main: StepResult) => Promise<void>
): Promise<ActionResult> {
  proxy.faults.clearLog()
  return runAction({ dirs: checkout(extra), inputs: inputs(extra), env: cache.env, between })
}

function keys(): string[] {
  return cache.entries().map((e) => e.key)
}

function warnings(step: StepResult): string[] {
  return stepCommands(step)
}

function gomodcache(): string {
  return path.join(dirs.home, 'go', 'pkg', 'mod')
}

/** `path@version hash` of every .ziphash in the job's module cache. */
function ziphashes(): string[] {
  const root = path.join(gomodcache(), 'cache', 'download')
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ziphash'))
    .map((f) => {
      const at = f.split(path.sep)
      const version = at.pop()!.replace(/\.ziphash$/, '')
      at.pop() // @v
      return `${unescapeModulePath(at.join('/'))}@${unescapeModulePath(version)} ${fs.readFileSync(path.join(root, f), 'utf8')}`
    })
}

/** `path@version hash` as go.sum lists the module's zip. */
function zipHashLine(k: string): string {
  return `${k} ${set.get(k).zipHash}`
}

/** `12.3 MiB in 456 ms` / `in 1.2 s` -> ms, from a summary line. */
function parseMs(text: string, re: RegExp): number {
  const m = re.exec(text)
  if (!m) throw new Error(`no ${re} in: ${text}`)
  return m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1])
}

// ---------------------------------------------------------------------------------------------------------

describe('module cache through the bundled action and the real cache client', () => {
  let firstKey = ''

  it('cold run of a go.work workspace: keys on both go.sum files and go.work.sum, downloads every module of both, post saves', async () => {
    const run = await job()
    expect(run.main.exitCode).toBe(0)
    expect(run.main.stdout).toContain('Cache key files: go.work.sum, svc/a/go.sum, svc/b/go.sum')
    expect(run.main.outputs['cache-hit']).toBe('false')
    expect(run.main.outputs['cache-matched-key']).toBe('')
    firstKey = run.main.outputs['cache-key'] ?? ''
    expect(firstKey).toMatch(new RegExp(`^${KEY_HEAD}[0-9a-f]{64}$`))
    expect(proxy.zipDownloads().sort()).toEqual(workspaceModules())
    expect(Number(run.main.outputs['modules'])).toBe(workspaceModules().length)
    expect(run.main.summary).toContain(`miss: <code>${firstKey}</code>`)
    expect(run.post?.exitCode).toBe(0)
    expect(run.post?.summary).toContain(`Saved \`${firstKey}\``)
    expect(keys()).toEqual([firstKey])
    // The zips without their .ziphash files: the restore checks every zip again before go uses it.
    const members = archiveMembers(cache.entries()[0]!.file)
    expect(members.filter((m) => m.endsWith('.zip')).length).toBe(workspaceModules().length)
    expect(members.filter((m) => m.endsWith('.ziphash'))).toEqual([])
  }, 60_000)

  it('warm run: exact hit for both modules, not one proxy request, nothing saved again', async () => {
    const run = await job()
    expect(run.main.exitCode).toBe(0)
    expect(run.main.outputs['cache-hit']).toBe('true')
    expect(run.main.outputs['cache-key']).toBe(firstKey)
    expect(run.main.outputs['cache-matched-key']).toBe(firstKey)
    expect(proxy.faults.log).toEqual([])
    expect(run.main.summary).toMatch(/exact hit: <code>[^<]+<\/code> \([\d.]+ (KiB|MiB) in \d+ ms\)/)
    expect(run.post?.summary).toContain('Not saved: exact key hit')
    expect(keys()).toEqual([firstKey])
    // In a workspace go checks zips against other files than the modules' go.sum (integrity.ts
    // checkedByGo), so the action hashed every zip itself and wrote its .ziphash, as go would have.
    expect(run.main.stdout).toContain('(of them 0 zips left to go')
    expect(ziphashes().sort()).toEqual(workspaceModules().map(zipHashLine).sort())
  }, 60_000)

  it('restores over a GOMODCACHE the runner already populated (read-only module dirs), keeping its files', async () => {
    // A self-hosted runner, or an earlier step, left some modules behind, extracted read-only as go does.
    checkout()
    const env = isolatedGoEnv({ root: path.join(root, 'prepopulate'), goproxy: proxy.goproxy, goflags: '' })
    const first = project.a[0]!
    const r = await runGo(['mod', 'download', `${first.path}@${first.version}`], {
      cwd: dirs.workspace,
      env: { ...env.env, GOMODCACHE: gomodcache(), GOWORK: 'off' }
    })
    expect(r.exitCode).toBe(0)
    const goMod = path.join(gomodcache(), `${first.path}@${first.version}`, 'go.mod')
    expect(fs.statSync(path.dirname(goMod)).mode & 0o222).toBe(0)
    // A date no archive member has, to tell the runner's file from one tar wrote (an inode number does
    // not tell: a file unlinked and created again usually gets the same one back).
    const old = new Date('2001-02-03T04:05:06Z')
    fs.utimesSync(goMod, old, old)
    proxy.faults.clearLog()

    const run = await runAction({ dirs, inputs: inputs(), env: cache.env })
    expect(run.main.exitCode).toBe(0)
    expect(warnings(run.main)).toEqual([])
    expect(run.main.outputs['cache-hit']).toBe('true')
    expect(run.main.summary).toContain('merged into the already populated')
    expect(proxy.faults.log).toEqual([])
    // tar kept the file that was there (--skip-old-files) instead of unlinking and writing it again,
    // which go's read-only module directories refuse to a non-root user ("Cannot open: File exists").
    expect(fs.statSync(goMod).mtime).toEqual(old)
    expect(keys()).toEqual([firstKey])
  }, 60_000)

  it('the key changes when any key file changes; each change restores the newest entry and downloads only the delta', async () => {
    const seen = new Set([firstKey])
    const change = async (what: string, edit: () => string | undefined) => {
      const fetched = edit()
      const newest = keys().at(-1)
      const run = await job()
      expect(run.main.exitCode).toBe(0)
      const key = run.main.outputs['cache-key'] ?? ''
      expect({ what, newKey: !seen.has(key) }).toEqual({ what, newKey: true })
      expect(run.main.outputs['cache-hit']).toBe('false')
      expect(run.main.outputs['cache-matched-key']).toBe(newest)
      expect(run.main.summary).toContain('partial: restored')
      expect(proxy.zipDownloads()).toEqual(fetched ? [fetched] : [])
      seen.add(key)
      return run
    }
    // svc/a/go.sum: a dependency bump in the first module.
    await change('svc/a/go.sum', () => {
      const mv = bumpModule(set, project.a[1]!.path)
      project.a = project.a.map((m) => (m.path === mv.path ? mv : m))
      return `${mv.path}@${mv.version}`
    })
    // svc/b/go.sum: a bump in the second module.
    const run = await change('svc/b/go.sum', () => {
      const mv = bumpModule(set, project.b[5]!.path)
      project.b = project.b.map((m) => (m.path === mv.path ? mv : m))
      return `${mv.path}@${mv.version}`
    })
    expect(keys()).toContain(run.main.outputs['cache-key'])
    // go.work.sum alone: a new key, but nothing to download, so nothing new to save.
    const before = keys()
    const last = await change('go.work.sum', () => {
      project.workSum += `${set.latest()[0]!.sumLines[1]}\n`
      return undefined
    })
    expect(last.post?.summary).toContain('Not saved: nothing was downloaded')
    expect(keys()).toEqual(before)
  }, 60_000)

  it('a truncated zip inside the restored entry is detected and that module alone downloaded again; the repaired cache is saved', async () => {
    const entry = cache.entries().at(-1)!
    const victim = project.b[5]!
    cache.writeArchive(
      entry.id,
      rewriteArchive(fs.readFileSync(entry.file), (modcache) => {
        const zip = path.join(modcache, 'cache', 'download', victim.path, '@v', `${victim.version}.zip`)
        fs.chmodSync(zip, 0o644)
        fs.truncateSync(zip, Math.floor(fs.statSync(zip).size / 2))
      })
    )
    const before = keys()
    const run = await job()
    expect(run.main.exitCode).toBe(0)
    expect(run.main.outputs['cache-matched-key']).toBe(entry.key)
    expect(run.main.outputs['cache-hit']).toBe('false')
    const warned = warnings(run.main).join('\n')
    expect(warned).toContain(
      'failed verification against go.sum: their cached content was altered or damaged'
    )
    expect(warned).toContain(`${victim.path}@${victim.version}: damaged, the zip is damaged`)
    expect(warned).toContain(`gh cache delete ${entry.key}`)
    expect(run.main.summary).toContain('Cache verification')
    expect(run.main.summary).toContain(`<code>${victim.path}@${victim.version}</code> (damaged`)
    // Healed: only the damaged module came from the proxy again, and the build works.
    expect(proxy.zipDownloads()).toEqual([`${victim.path}@${victim.version}`])
    const build = await runLaterStep('go', ['build', './...'], run.job, {
      cwd: path.join(dirs.workspace, 'svc', 'b')
    })
    expect(build.exitCode).toBe(0)
    // The repaired cache (not the entry as it was) is saved under this run's own key.
    const key = run.main.outputs['cache-key'] ?? ''
    expect(run.post?.summary).toContain(`Saved \`${key}\``)
    expect(keys()).toEqual([...before, key])
    // The warning's advice: delete the entry. (And this run's entry too: the next tests start from a miss.)
    cache.deleteEntries(entry.key)
    cache.deleteEntries(key)
  }, 60_000)

  it('another job saving the same key first is a notice, not a warning or a failure', async () => {
    let otherJob: Awaited<ReturnType<typeof runCacheClient>> | undefined
    const run = await job({}, async (_job, main) => {
      // Between main and post, a parallel job of the same workflow saves the same key (same paths, so
      // the same cache version) with the real client.
      otherJob = await runCacheClient({
        op: 'save',
        paths: moduleCachePaths(gomodcache()),
        key: main.outputs['cache-key'] ?? '',
        cwd: dirs.workspace,
        env: cache.env
      })
    })
    expect(run.main.outputs['cache-hit']).toBe('false')
    expect(otherJob?.value).toBeGreaterThan(0)
    expect(run.post?.exitCode).toBe(0)
    expect(warnings(run.post!)).toEqual([])
    expect(
      run.post?.commands.some((c) => c.command === 'notice' && /saved by another job first/.test(c.message))
    ).toBe(true)
    expect(run.post?.summary).toContain('Not saved: another job saved')
    expect(keys().filter((k) => k === run.main.outputs['cache-key'])).toHaveLength(1)
  }, 60_000)

  it('cache-save: never restores but never saves, even on a miss that downloaded modules', async () => {
    const mv = bumpModule(set, project.a[2]!.path)
    project.a = project.a.map((m) => (m.path === mv.path ? mv : m))
    const before = keys()
    const run = await job({ 'cache-save': 'never' })
    expect(run.main.exitCode).toBe(0)
    expect(run.main.outputs['cache-matched-key']).toBe(before.at(-1))
    expect(proxy.zipDownloads()).toEqual([`${mv.path}@${mv.version}`])
    expect(run.post?.summary).toContain("Not saved: cache-save is 'never'")
    expect(keys()).toEqual(before)
  }, 60_000)

  it("a run whose cache token is read-only (the service's 'cache write denied') is a notice naming the policy, not another job's save", async () => {
    const mv = bumpModule(set, project.a[3]!.path)
    project.a = project.a.map((m) => (m.path === mv.path ? mv : m))
    const before = keys()
    const allow = cache.denyWrites()
    let run: ActionResult
    try {
      run = await job()
    } finally {
      allow()
    }
    expect(run.main.exitCode).toBe(0)
    expect(run.post?.exitCode).toBe(0)
    expect(warnings(run.post!)).toEqual([])
    const notices = run.post!.commands.filter((c) => c.command === 'notice').map((c) => c.message)
    expect(notices.join('\n')).toContain('does not let this run write caches')
    expect(notices.join('\n')).toContain('cache write denied: the cache token of this run is read-only')
    expect(notices.join('\n')).not.toContain('saved by another job first')
    expect(run.post?.summary).toContain('Not saved: the cache service denied writes for this run')
    expect(keys()).toEqual(before)
  }, 60_000)

  it('after a failed download, cache-save: auto saves nothing and cache-save: always saves what was downloaded', async () => {
    // A dependency whose new version the proxy does not have: go fails with not-found, once.
    const mv = bumpModule(set, project.b[0]!.path)
    project.b = project.b.map((m) => (m.path === mv.path ? mv : m))
    const off = proxy.faults.add({
      path: artefactPattern(mv.path, 'zip', mv.version),
      fault: { kind: 'status', status: 404, body: 'not found' }
    })
    try {
      const before = keys()
      const auto = await job()
      expect(auto.main.exitCode).toBe(1)
      expect(auto.main.outputs['error-class']).toBe('not-found')
      expect(auto.post?.summary).toContain('Not saved: the download failed')
      expect(keys()).toEqual(before)

      const always = await job({ 'cache-save': 'always' })
      expect(always.main.exitCode).toBe(1)
      const key = always.main.outputs['cache-key'] ?? ''
      expect(always.post?.summary).toContain(`Saved \`${key}\``)
      expect(keys()).toEqual([...before, key])
    } finally {
      off()
    }
    // The price of 'always': the entry under this key lacks the module, and an exact hit is never saved
    // again; every later run restores it and fetches that one module.
    const next = await job()
    expect(next.main.exitCode).toBe(0)
    expect(next.main.outputs['cache-hit']).toBe('true')
    expect(proxy.zipDownloads()).toEqual([`${mv.path}@${mv.version}`])
    expect(next.post?.summary).toContain('Not saved: exact key hit')
  }, 60_000)

  it('cache-build: true saves GOCACHE after a later go build as its own entry, and the next run restores it', async () => {
    const moduleKeys = keys()
    let gocache = ''
    let built: string[] = []
    const first = await job({ 'cache-build': 'true' }, async (j) => {
      gocache = (await runLaterStep('go', ['env', 'GOCACHE'], j)).stdout.trim()
      expect(listTree(gocache)).toEqual([])
      const build = await runLaterStep('go', ['build', './...'], j, {
        cwd: path.join(dirs.workspace, 'svc', 'a')
      })
      expect(build.exitCode).toBe(0)
      built = listTree(gocache)
    })
    expect(first.main.exitCode).toBe(0)
    expect(gocache).toBe(path.join(dirs.home, '.cache', 'go-build'))
    expect(first.main.stdout).toContain('Build cache: miss: `setup-go-deps-build-')
    expect(first.main.summary).toContain('Build cache')
    expect(first.post?.summary).toContain('Build cache: saved')
    expect(built.length).toBeGreaterThan(10)
    const buildKey = keys().find((k) => k.startsWith(BUILD_KEY_HEAD)) ?? ''
    expect(buildKey).toMatch(new RegExp(`^${BUILD_KEY_HEAD}[0-9a-f]{64}$`))
    // A separate entry: the module cache's entries are untouched (this run was an exact module hit).
    expect(keys()).toEqual([...moduleKeys, buildKey])
    expect(first.main.outputs['cache-hit']).toBe('true')

    let restored: string[] = []
    let rebuild = ''
    const second = await job({ 'cache-build': 'true' }, async (j) => {
      restored = listTree(gocache)
      const run = await runLaterStep('go', ['build', '-x', './...'], j, {
        cwd: path.join(dirs.workspace, 'svc', 'a')
      })
      expect(run.exitCode).toBe(0)
      rebuild = run.stderr
    })
    expect(second.main.stdout).toContain(`Build cache: restored \`${buildKey}\`.`)
    expect(second.main.summary).toContain(`restored <code>${buildKey}</code>`)
    expect(second.post?.summary).toContain('Build cache: not saved: exact key hit')
    expect(restored).toEqual(built)
    // Everything the build needed was in the restored cache: go ran no compiler. (Counting new GOCACHE files
    // instead is flaky: go skips its module index for a directory modified in the last two seconds, so the
    // first build, right after the download extracted the modules, may leave index entries for the second.)
    expect(rebuild).toContain('WORK=')
    expect(rebuild.split('\n').filter((line) => /\/compile( |$)/.test(line))).toEqual([])
    expect(keys()).toEqual([...moduleKeys, buildKey])
  }, 90_000)

  it("'cache-dependency-path' matching no file warns naming the globs and keys on the default files", async () => {
    const plain = await job()
    const run = await job({ 'cache-dependency-path': 'deps/*.lock\nthird_party/**/go.sum' })
    expect(run.main.exitCode).toBe(0)
    const warned = warnings(run.main).join('\n')
    expect(warned).toContain(
      "Input 'cache-dependency-path' matched no file ('deps/*.lock', 'third_party/**/go.sum'"
    )
    expect(run.main.stdout).toContain('Cache key files: go.work.sum, svc/a/go.sum, svc/b/go.sum')
    expect(run.main.outputs['cache-key']).toBe(plain.main.outputs['cache-key'])
    expect(run.main.outputs['cache-hit']).toBe('true')
  }, 60_000)

  it('on the v1 protocol (GHES and older runners) a cold run saves and the next run hits the same entry', async () => {
    const v1 = { 'cache-key-suffix': 'ghes' }
    const cold = await runAction({ dirs: checkout(), inputs: inputs(v1), env: cache.envV1 })
    expect(cold.main.exitCode).toBe(0)
    const key = cold.main.outputs['cache-key'] ?? ''
    expect(key).toMatch(/^setup-go-deps-linux-x64-ghes-go/)
    expect(cold.main.outputs['cache-matched-key']).toBe('')
    expect(cold.post?.summary).toContain(`Saved \`${key}\``)
    expect(cache.entries().find((e) => e.key === key)?.protocol).toBe('v1')
    proxy.faults.clearLog()
    const warm = await runAction({ dirs: checkout(), inputs: inputs(v1), env: cache.envV1 })
    expect(warm.main.outputs['cache-hit']).toBe('true')
    expect(proxy.faults.log).toEqual([])
  }, 60_000)

  it('with the cache service answering 503 to every call, the job succeeds without cache, warns once, and post does not call it', async () => {
    const off = cache.faults.add({ fault: { kind: 'status', status: 503, body: 'Service Unavailable' } })
    let duringMain = 0
    try {
      cache.faults.clearLog()
      // With cache-build too: one outage must not be waited out twice (module and build entry).
      const run = await job({ 'cache-build': 'true' }, async () => {
        duringMain = cache.faults.log.length
      })
      expect(run.main.exitCode).toBe(0)
      expect(run.main.outputs['cache-hit']).toBe('false')
      expect(run.main.outputs['cache-matched-key']).toBe('')
      const warned = warnings(run.main)
      expect(warned).toHaveLength(1)
      expect(warned[0]).toMatch(
        /^Module cache: the cache service failed \(.*503.*\); continued without cache\.$/
      )
      expect(run.main.stdout).not.toMatch(/::error::/)
      expect(run.main.summary).toContain('unavailable, continued without cache')
      expect(proxy.zipDownloads().sort()).toEqual(workspaceModules())
      // The client retried (5 twirp attempts, 3 s x 1.5^n apart: ~24 s of sleeps, where the time goes),
      // and the build cache was not tried after the module cache found the service down.
      expect(duringMain).toBe(5)
      expect(run.post?.summary).toContain('Not saved: the cache service was unavailable')
      expect(cache.faults.log).toHaveLength(duringMain)
      measured.unavailableMainMs = run.main.durationMs
    } finally {
      off()
    }
  }, 90_000)

  it('a restore-key hit that adds nothing to a single module is not saved again: the .ziphash files go writes back for the zips it checked are no change', async () => {
    let extraSum = ''
    writeProject = () => {
      writeConsumerProject(dirs.workspace, { requires: project.a, modulePath: 'example.com/app/solo' })
      fs.appendFileSync(path.join(dirs.workspace, 'go.sum'), extraSum)
    }
    try {
      const first = await job({ 'cache-key-suffix': 'solo' })
      expect(first.main.exitCode).toBe(0)
      expect(keys()).toContain(first.main.outputs['cache-key'])
      // A go.sum line go does not need: a new key, a restore-key hit, nothing to download.
      extraSum = `${set.latest()[9]!.sumLines[1]}\n`
      const before = keys()
      const second = await job({ 'cache-key-suffix': 'solo' })
      expect(second.main.exitCode).toBe(0)
      expect(second.main.outputs['cache-matched-key']).toBe(first.main.outputs['cache-key'])
      expect(second.main.outputs['cache-hit']).toBe('false')
      // the restored zips were left to go to check (it writes their .ziphash back), and nothing was fetched
      expect(second.main.stdout).toMatch(/\(of them [1-9]\d* zips left to go/)
      expect(proxy.zipDownloads()).toEqual([])
      expect(second.post?.summary).toContain('Not saved: nothing was downloaded')
      expect(keys()).toEqual(before)
    } finally {
      writeProject = writeWorkspace
    }
  }, 60_000)
})

/** Numbers the tests measure (written to .bench-out/action-cache.json). */
const measured: Record<string, unknown> = {}

describe('restore cost: 100 modules of ~32 KB through the action and the real client vs raw tar', () => {
  let big: ModuleSet
  let bigProxy: ModuleProxy

  beforeAll(async () => {
    big = generateModules({
      dir: path.join(root, 'big'),
      prefix: 'example.com/big',
      count: 100,
      sizeBytes: 32768,
      seed: 7
    })
    bigProxy = await startModuleProxy({ modules: big })
    writeProject = () =>
      writeConsumerProject(dirs.workspace, { requires: big.latest(), modulePath: 'example.com/big' })
  }, 60_000)

  afterAll(async () => {
    await bigProxy?.close()
    fs.mkdirSync(path.join(REPO, '.bench-out'), { recursive: true })
    fs.writeFileSync(
      path.join(REPO, '.bench-out', 'action-cache.json'),
      JSON.stringify(measured, null, 2) + '\n'
    )
    console.log(`action-cache measurements: ${JSON.stringify(measured)}`)
  })

  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const tarMembers = (file: string) => archiveMembers(file).filter((l) => !l.endsWith('/')).length
  const rawTar = (file: string) => {
    removeTree(dirs.home)
    fs.mkdirSync(dirs.home)
    const t0 = performance.now()
    execFileSync('tar', ['-xf', file, '-P', '-C', dirs.workspace, '--use-compress-program', 'unzstd'])
    return performance.now() - t0
  }

  // Both layouts through the whole action: the default (cache/download only, go extracts the verified
  // zips in the download step) and the full tree (what setup-go and earlier releases restore).
  for (const layout of ['download', 'full'] as const) {
    it(`${layout} layout: a warm main step (restore, verification, go's extraction: go build is ready after it) against raw tar of the full-tree archive`, async () => {
      // Its own key space: the restore-keys must not pull in the workspace project's entries.
      const extra = { goproxy: bigProxy.goproxy, 'cache-key-suffix': `big-${layout}` }
      const env = { ...cache.env, SETUP_GO_DEPS_CACHE_LAYOUT: layout }
      const run = () => {
        bigProxy.faults.clearLog()
        return runAction({ dirs: checkout(), inputs: inputs(extra), env })
      }
      const cold = await run()
      expect(cold.main.exitCode).toBe(0)
      expect(cold.post?.summary).toContain('Saved `')
      const key = cold.main.outputs['cache-key'] ?? ''
      const entry = cache.entries().find((e) => e.key === key)
      expect(entry).toBeDefined()
      const m: Record<string, number> = {
        archiveBytes: entry!.size,
        archiveFiles: tarMembers(entry!.file),
        coldMainMs: cold.main.durationMs
      }
      const restore: number[] = []
      const verify: number[] = []
      const main: number[] = []
      for (let i = 0; i < 3; i++) {
        const warm = await run()
        expect(warm.main.outputs['cache-hit']).toBe('true')
        expect(warnings(warm.main)).toEqual([])
        expect(bigProxy.faults.log.filter((r) => r.path.endsWith('.zip'))).toEqual([])
        // Restored without .ziphash files: go checked each zip against go.sum and wrote its .ziphash
        // (download layout), or the action did, as the trees are there already (full layout).
        const toGo = layout === 'download' ? 100 : 0
        expect(warm.main.stdout).toContain(`(of them ${toGo} zips left to go`)
        expect(ziphashes().sort()).toEqual(
          big
            .latest()
            .map((mv) => `${mv.path}@${mv.version} ${mv.zipHash}`)
            .sort()
        )
        restore.push(
          parseMs(warm.main.summary, /exact hit: <code>[^<]+<\/code> \([^)]* in ([\d.]+) (ms|s)\)/)
        )
        verify.push(
          Number(
            /Module cache verification: 100 module versions checked against go.sum by content in (\d+) ms/.exec(
              warm.main.stdout
            )?.[1]
          )
        )
        main.push(warm.main.durationMs)
      }
      m.restoreMs = med(restore)
      m.verifyMs = med(verify)
      m.warmMainMs = med(main)
      m.rawTarMs = Math.round(med([0, 1, 2].map(() => rawTar(entry!.file))))
      measured[layout] = m
      if (layout === 'full') {
        const full = measured.full as Record<string, number>
        measured.rawTarFullTreeMs = full.rawTarMs
        for (const l of ['download', 'full'] as const) {
          const r = measured[l] as Record<string, number> | undefined
          if (r) r.ratioMainToFullTreeTar = Number((r.warmMainMs! / full.rawTarMs!).toFixed(2))
        }
      }
      // Times are recorded, never asserted: speed is the benchmark's business (npm run bench), as ratios.
      expect(m.restoreMs).toBeGreaterThan(0)
      expect(entry!.size).toBeGreaterThan(100 * 16 * 1024)
    }, 180_000)
  }
})

/**
 * Unpacks a cache archive as @actions/cache wrote it (tar + zstd, members relative to GITHUB_WORKSPACE,
 * so the module cache is under `../../..`), lets `edit` change the module cache, and packs it again the
 * way the client does. The result is stored in the service as if the saving job had uploaded it.
 */
function rewriteArchive(data: Buffer, edit: (modcache: string) => void): Buffer {
  const scratch = fs.mkdtempSync(path.join(root, 'rewrite-'))
  try {
    const fakeWs = path.join(scratch, path.relative(dirs.root, dirs.workspace))
    fs.mkdirSync(fakeWs, { recursive: true })
    const archive = path.join(scratch, 'cache.tzst')
    fs.writeFileSync(archive, data)
    execFileSync('tar', ['-xf', archive, '-P', '-C', fakeWs, '--use-compress-program', 'unzstd'])
    edit(path.join(scratch, path.relative(dirs.root, gomodcache())))
    const manifest = path.join(scratch, 'manifest.txt')
    // The client's manifest: the archived paths, relative to the workspace.
    const archived = moduleCachePaths(gomodcache()).map((p) => path.relative(dirs.workspace, p))
    fs.writeFileSync(manifest, archived.join('\n'))
    fs.rmSync(archive)
    execFileSync('tar', [
      '--posix',
      '-cf',
      archive,
      '-P',
      '-C',
      fakeWs,
      '--files-from',
      manifest,
      '--use-compress-program',
      'zstdmt'
    ])
    return fs.readFileSync(archive)
  } finally {
    removeTree(scratch)
  }
}
