/**
 * The module cache end to end, in-process: restoreModuleCache -> `go mod download` (plain, run by the
 * test until the download module and the bundle are ready) -> saveModuleCache, against the real
 * @actions/cache client talking to a loopback cache service (cache-service-lite.ts, v1 protocol) and
 * go talking to the bench module proxy. Each "job" starts from an empty GOMODCACHE at the same path, as
 * a fresh hosted runner does; main's GITHUB_STATE is handed to post as STATE_* variables, as the runner does.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  bumpModule,
  generateModules,
  isolatedGoEnv,
  removeTree,
  runGo,
  startModuleProxy,
  writeConsumerProject,
  type ModuleProxy,
  type ModuleSet
} from '../../bench/index.ts'
import { restoreModuleCache, saveModuleCache } from '../../src/cache/modcache.js'
import type { CacheConfig } from '../../src/inputs.js'
import type { CacheRestore, CacheSaveReport, GoInstallation } from '../../src/types.js'
import { startLiteCacheService, type LiteCacheService } from './cache-service-lite.js'

jest.setTimeout(60_000)

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-e2e-'))
const ws = path.join(root, 'ws')
const proj = path.join(ws, 'proj')
const stateFile = path.join(root, 'state')
const goenv = isolatedGoEnv({ root: path.join(root, 'go'), goflags: '' })
const go: GoInstallation = {
  version: '1.19.8',
  root: '/usr/lib/go',
  source: 'path',
  requested: '1.19',
  durationMs: 0
}
const cfg: CacheConfig = { enabled: true, dependencyPath: [], keySuffix: '', build: false, save: 'auto' }
const savedEnv = { ...process.env }

let set: ModuleSet
let proxy: ModuleProxy
let service: LiteCacheService
let warnings: string[] = []

beforeAll(async () => {
  set = generateModules({ dir: path.join(root, 'mods'), count: 12, sizeBytes: 2048 })
  proxy = await startModuleProxy({ modules: set })
  service = await startLiteCacheService()
  goenv.env.GOPROXY = proxy.goproxy
  writeConsumerProject(proj, { requires: set.latest() })
  Object.assign(process.env, service.env, {
    GITHUB_WORKSPACE: ws,
    RUNNER_TEMP: path.join(root, 'tmp'),
    GITHUB_STATE: stateFile
  })
  fs.mkdirSync(path.join(root, 'tmp'), { recursive: true })
})

afterAll(async () => {
  await proxy?.close()
  await service?.close()
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k]
  Object.assign(process.env, savedEnv)
  removeTree(root)
})

/** GITHUB_STATE file command blocks (`name<<delim`, value, `delim`) -> name -> value. */
function readState(): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = fs.existsSync(stateFile) ? fs.readFileSync(stateFile, 'utf8').split('\n') : []
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i] as string)
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] as string)
    out[m[1] as string] = value.join('\n')
  }
  return out
}

interface Job {
  restore: CacheRestore
  save: CacheSaveReport
  downloadOk: boolean
  /** Module zips go fetched from the proxy during this job. */
  zips: string[]
  /** Every proxy request during this job. */
  proxyRequests: number
  warnings: string[]
}

/** One job: main (restore + download) then post (save), from a fresh GOMODCACHE unless told otherwise. */
async function job(
  opts: { cfg?: Partial<CacheConfig>; keepModcache?: boolean; afterDownload?: () => void } = {}
): Promise<Job> {
  if (!opts.keepModcache) removeTree(goenv.gomodcache)
  fs.writeFileSync(stateFile, '')
  for (const k of Object.keys(process.env)) if (k.startsWith('STATE_')) delete process.env[k]
  proxy.faults.clearLog()
  const zipsBefore = proxy.zipDownloads().length
  warnings = []
  const write = process.stdout.write
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk)
    if (text.startsWith('::warning')) warnings.push(text)
    return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest)
  }) as typeof process.stdout.write
  try {
    const restore = await restoreModuleCache(
      { ...cfg, ...opts.cfg },
      { workingDirectory: proj, go, goEnv: { GOMODCACHE: goenv.gomodcache, GOCACHE: goenv.gocache } }
    )
    const dl = await runGo(['mod', 'download'], { cwd: proj, env: goenv.env })
    opts.afterDownload?.()
    const state = readState()
    for (const [k, v] of Object.entries(state)) process.env[`STATE_${k}`] = v
    process.env.STATE_download = JSON.stringify({ ok: dl.exitCode === 0, cacheCorrupt: false })
    const save = await saveModuleCache()
    return {
      restore,
      save,
      downloadOk: dl.exitCode === 0,
      zips: proxy.zipDownloads().slice(zipsBefore),
      proxyRequests: proxy.faults.log.length,
      warnings
    }
  } finally {
    process.stdout.write = write
  }
}

function bumpConsumer(modulePath: string): string {
  const mv = bumpModule(set, modulePath)
  writeConsumerProject(proj, { requires: set.latest() })
  return `${mv.path}@${mv.version}`
}

describe('module cache through @actions/cache', () => {
  it('a cold run misses, downloads and saves the key', async () => {
    const j = await job()
    expect(j.restore.outcome).toBe('miss')
    expect(j.restore.key).toMatch(/^setup-go-deps-linux-x64-go1\.19\.8-[0-9a-f]{64}$/)
    expect(j.downloadOk).toBe(true)
    expect(j.zips).toHaveLength(12)
    expect(j.save).toMatchObject({ saved: true, key: j.restore.key })
    expect(j.save.sizeBytes).toBeGreaterThan(0)
    expect(service.entries.map((e) => e.key)).toEqual([j.restore.key])
  })

  it('a warm run restores the exact key, asks the proxy nothing and saves nothing', async () => {
    const j = await job()
    expect(j.restore.outcome).toBe('exact')
    expect(j.restore.matchedKey).toBe(j.restore.key)
    expect(j.restore.sizeBytes).toBeGreaterThan(0)
    expect(j.downloadOk).toBe(true)
    expect(j.proxyRequests).toBe(0)
    expect(j.save.saved).toBe(false)
    expect(j.save.reason).toMatch(/exact key hit/)
    expect(service.entries).toHaveLength(1)
  })

  it('after a one-module bump restores the previous entry and downloads only the bumped module', async () => {
    const previous = service.entries[0]?.key
    const bumped = bumpConsumer('example.com/pub/m003')
    const j = await job()
    expect(j.restore.outcome).toBe('partial')
    expect(j.restore.matchedKey).toBe(previous)
    expect(j.restore.key).not.toBe(previous)
    expect(j.downloadOk).toBe(true)
    expect(j.zips).toEqual([bumped])
    expect(j.save).toMatchObject({ saved: true, key: j.restore.key })
    expect(service.entries.map((e) => e.key)).toEqual([previous, j.restore.key])
  })

  it('restores over a populated GOMODCACHE without failing and keeps the files already there', async () => {
    // What a self-hosted runner (or an earlier step) leaves behind: some modules already downloaded.
    removeTree(goenv.gomodcache)
    const first = set.latest()[0]
    if (!first) throw new Error('no module')
    expect(
      (await runGo(['mod', 'download', `${first.path}@${first.version}`], { cwd: proj, env: goenv.env }))
        .exitCode
    ).toBe(0)
    const goMod = path.join(goenv.gomodcache, `${first.path}@${first.version}`, 'go.mod')
    const inode = fs.statSync(goMod).ino
    const j = await job({ keepModcache: true })
    expect(j.restore.outcome).toBe('exact')
    expect(j.restore.detail).toMatch(/already populated/)
    expect(j.warnings).toEqual([])
    expect(j.downloadOk).toBe(true)
    expect(j.proxyRequests).toBe(0)
    // tar replaced nothing: --skip-old-files kept the file (plain tar unlinks and rewrites it, which go's
    // read-only module directories refuse for a non-root user: "Cannot open: File exists").
    expect(fs.statSync(goMod).ino).toBe(inode)
  })

  it('detects a truncated zip in the saved entry, purges, downloads again and does not save', async () => {
    const entry = service.entries.at(-1)
    if (!entry) throw new Error('no entry')
    const victim = set.latest()[5]
    if (!victim) throw new Error('no module')
    entry.data = rewriteArchive(entry.data, (modcache) => {
      const zip = path.join(modcache, 'cache', 'download', victim.path, '@v', `${victim.version}.zip`)
      fs.chmodSync(zip, 0o644)
      fs.truncateSync(zip, Math.floor(fs.statSync(zip).size / 2))
    })
    const j = await job()
    expect(j.restore.outcome).toBe('corrupt')
    expect(j.restore.detail).toContain(`${victim.path}@${victim.version}`)
    expect(j.restore.detail).toMatch(/will not save/)
    expect(j.warnings.join('\n')).toMatch(/damaged/)
    expect(j.downloadOk).toBe(true)
    expect(j.zips).toHaveLength(12)
    expect(j.save.saved).toBe(false)
    expect(j.save.reason).toMatch(/corrupt/)
    expect(service.entries).toHaveLength(2)
  })

  it('with the cache service answering 503 to everything, warns and runs without cache', async () => {
    bumpConsumer('example.com/pub/m007')
    const off = service.faults.add({ fault: { kind: 'status', status: 503 } })
    try {
      const j = await job()
      expect(j.restore.outcome).toBe('unavailable')
      expect(j.restore.detail).toMatch(/503|Service Unavailable/)
      expect(j.warnings.join('\n')).toMatch(/continued without cache/)
      expect(j.downloadOk).toBe(true)
      expect(j.save.saved).toBe(false)
      expect(service.entries).toHaveLength(2)
    } finally {
      off()
    }
  })

  it('a save collision (another job saved the key first) is a notice, not a failure', async () => {
    // The corrupt entry of the test above is deleted, as its warning advises (gh cache delete).
    service.entries.splice(1, 1)
    expect(service.entries).toHaveLength(1)
    // Another job saves the same key between our restore and our save.
    const j = await job({
      afterDownload: () => {
        const state = readState()
        const key = (JSON.parse(state.cache as string) as { restore: CacheRestore }).restore.key
        const version = service.entries[0]?.version as string
        service.entries.push({ id: 99, key, version, created: 1e9, data: Buffer.alloc(0), committed: true })
      }
    })
    expect(j.restore.outcome).toBe('partial')
    expect(j.save.saved).toBe(false)
    expect(j.save.reason).toMatch(/another job saved/)
    expect(j.warnings).toEqual([])
  })
})

/** Unpacks a cache archive (tar + zstd, paths relative to GITHUB_WORKSPACE), lets `edit` change the
 * module cache in it, and packs it again. */
function rewriteArchive(data: Buffer, edit: (modcache: string) => void): Buffer {
  const scratch = fs.mkdtempSync(path.join(root, 'rewrite-'))
  const fakeWs = path.join(scratch, path.relative(root, ws))
  fs.mkdirSync(fakeWs, { recursive: true })
  const archive = path.join(scratch, 'cache.tzst')
  fs.writeFileSync(archive, data)
  const members = execFileSync('tar', ['-tf', archive, '-P', '--use-compress-program', 'unzstd'], {
    encoding: 'utf8'
  })
    .split('\n')
    .filter(Boolean)
  execFileSync('tar', ['-xf', archive, '-P', '-C', fakeWs, '--use-compress-program', 'unzstd'])
  edit(path.join(scratch, path.relative(root, goenv.gomodcache)))
  const top = [...new Set(members.map((m) => m.split('/').slice(0, 6).join('/')))].filter((m) =>
    fs.existsSync(path.join(fakeWs, m))
  )
  const manifest = path.join(scratch, 'manifest')
  fs.writeFileSync(manifest, top.join('\n'))
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
}
