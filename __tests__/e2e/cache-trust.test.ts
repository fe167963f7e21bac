/**
 * A module cache you can trust: the attack of a job that could write the cache, replayed through the
 * bundled action, the real @actions/cache client and the bench's cache service. Each case poisons or
 * damages the entry the next job restores through a restore-key (as a pull_request_target job's save
 * would be restored by the default branch), and checks that the job detects it, names the module, heals
 * it, saves the repaired cache rather than the entry as it was, and that a later `go run` uses the
 * ORIGINAL code (each module's Name() is printed by the consumer; the altered code prints a marker).
 *
 * It also cross-checks the action's h1 computation with the hashes go itself reports
 * (`go mod download -json`: Sum over go's zip and its extracted tree, GoModSum over the .mod file).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {
  type ActionResult,
  type CacheService,
  type JobDirs,
  type ModuleProxy,
  type ModuleSet,
  type ModuleVersion,
  type StepResult,
  generateModules,
  removeTree,
  runAction,
  runCacheClient,
  runLaterStep,
  writeConsumerProject,
  writeZip
} from '../../testbed/index.ts'
import { hashDir, hashGoMod, hashZip } from '../../src/cache/dirhash.js'
import { moduleCachePaths, type CacheLayout } from '../../src/cache/policy.js'
import { escapeModulePath } from '../../src/go/modfiles.js'
import { stepCommands } from '../helpers/commands.ts'
import { LOCAL_GO, resetRunner, startCacheWorld, type CacheWorld } from '../helpers/job.ts'

const GO_VERSION = LOCAL_GO.version
const KEY_HEAD = `setup-go-deps-linux-x64-go${GO_VERSION}-`
const MARKER = 'PWNED-BY-THE-CACHE'

let root: string
let set: ModuleSet
let extra: ModuleSet
let proxy: ModuleProxy
let cache: CacheService
let dirs: JobDirs
/** The key of the project (the job's own key: absent from the service, so the job restores a restore-key match). */
let projectKey = ''

let world: CacheWorld | undefined

beforeAll(async () => {
  world = await startCacheWorld('cache-trust', {
    count: 4,
    names: ['example.com/Acme/Lib', 'example.com/pub/b', 'example.com/pub/c', 'example.com/pub/d'],
    sizeBytes: 4096
  })
  ;({ root, set, proxy, cache, dirs } = world)
  // A module the project does not require: what an attacker adds beside the project's modules.
  extra = generateModules({ dir: path.join(root, 'extra'), count: 1, names: ['example.com/evil/x'] })
}, 60_000)

afterAll(() => world?.close())

function checkout(): JobDirs {
  resetRunner(dirs)
  writeConsumerProject(dirs.workspace, { requires: set.latest(), modulePath: 'example.com/app' })
  return dirs
}

/** `full`: the layout that also archives the extracted trees (earlier releases', and setup-go's). */
/** `v1-debug`: the v1 cache service (GHES) and a run with debug logging, where the toolkit lists the archive. */
type Service = 'v2' | 'v1-debug'

interface JobOptions {
  layout?: CacheLayout
  service?: Service
  /** More inputs, and what the checkout holds beside the project. */
  inputs?: Record<string, string>
  prepare?: (workspace: string) => void
}

async function job({
  layout = 'download',
  service = 'v2',
  inputs = {},
  prepare
}: JobOptions = {}): Promise<ActionResult> {
  proxy.faults.clearLog()
  const checkedOut = checkout()
  prepare?.(checkedOut.workspace)
  return runAction({
    dirs: checkedOut,
    inputs: {
      'go-version': GO_VERSION,
      'go-download-base-url': 'http://127.0.0.1:9/',
      goproxy: proxy.goproxy,
      gosumdb: 'off',
      'retry-backoff': '100ms',
      ...inputs
    },
    env: { ...(service === 'v2' ? cache.env : cache.envV1), SETUP_GO_DEPS_CACHE_LAYOUT: layout },
    debug: service === 'v1-debug'
  })
}

const warnings = (step: StepResult) => stepCommands(step)
const gomodcache = () => path.join(dirs.home, 'go', 'pkg', 'mod')
const id = (m: ModuleVersion) => `${m.path}@${m.version}`
const vdir = (modcache: string, m: ModuleVersion) =>
  path.join(modcache, 'cache', 'download', ...escapeModulePath(m.path).split('/'), '@v')
const treeDir = (modcache: string, m: ModuleVersion) =>
  path.join(modcache, `${escapeModulePath(m.path)}@${m.version}`)

/** The module's files with Name() changed to print the marker (same size is not needed: go never looks). */
function poisoned(m: ModuleVersion): Record<string, string> {
  const file = Object.keys(m.files).find((f) => /^[a-z]+\.go$/.test(f) && f !== 'data.go') as string
  const code = (m.files[file] as string).replace(/return "[^"]+"/, `return "${MARKER}"`)
  expect(code).toContain(MARKER)
  return { ...m.files, [file]: code }
}

function zipOf(m: ModuleVersion, files: Record<string, string>): Buffer {
  return writeZip(
    Object.keys(files)
      .sort()
      .map((f) => ({ name: `${m.path}@${m.version}/${f}`, data: Buffer.from(files[f] as string) }))
  )
}

/** The attack's edit: `m`'s zip in the planted cache replaced by one with its code changed to the marker. */
function alterZip(modcache: string, m: ModuleVersion): void {
  fs.writeFileSync(path.join(vdir(modcache, m), `${m.version}.zip`), zipOf(m, poisoned(m)))
}

/** An entry the content check cannot read: a directory where `m`'s .mod file belongs. */
function modAsDirectory(modcache: string, m: ModuleVersion): void {
  const mod = path.join(vdir(modcache, m), `${m.version}.mod`)
  fs.rmSync(mod)
  fs.mkdirSync(mod)
}

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [f, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
    fs.writeFileSync(path.join(dir, f), c)
  }
}

/**
 * Stores an entry under a key of the same restore-key prefix, as the attacker's job would have saved it:
 * the clean module cache of a job on the project, changed by `edit`, archived like @actions/cache does
 * (tar + zstd, members relative to GITHUB_WORKSPACE), newer than anything else under the prefix.
 */
async function plantEntry(
  key: string,
  edit: (modcache: string) => void,
  opts: {
    layout: CacheLayout
    /** Adds members beside the module cache's: given the scratch workspace, returns names relative to it. */
    extraMembers?: (ws: string) => string[]
  }
): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(root, 'plant-'))
  try {
    const modcache = path.join(scratch, path.relative(dirs.root, gomodcache()))
    fs.cpSync(path.join(root, 'clean-modcache'), modcache, { recursive: true })
    edit(modcache)
    // A real entry first (the right cache version), then its archive replaced.
    const patterns = moduleCachePaths(gomodcache(), opts.layout)
    const saved = await runCacheClient({
      op: 'save',
      paths: patterns,
      key,
      cwd: dirs.workspace,
      env: cache.env
    })
    expect(saved.value).toBeGreaterThan(0)
    const entry = cache.entries().find((e) => e.key === key)!
    const ws = path.join(scratch, path.relative(dirs.root, dirs.workspace))
    fs.mkdirSync(ws, { recursive: true })
    const archive = path.join(scratch, 'cache.tzst')
    // The members @actions/cache writes for these patterns, relative to the workspace: the full layout's
    // `<modcache>/*` is each top-level entry but cache/, then cache/download.
    const top = opts.layout === 'full' ? fs.readdirSync(modcache).filter((e) => e !== 'cache') : []
    const members = [
      ...top.map((e) => path.join(gomodcache(), e)),
      path.join(gomodcache(), 'cache', 'download')
    ]
    execFileSync('tar', [
      '--posix',
      '-cf',
      archive,
      '-P',
      '-C',
      ws,
      ...members.map((m) => path.relative(dirs.workspace, m)),
      ...(opts.extraMembers?.(ws) ?? []),
      '--use-compress-program',
      'zstdmt'
    ])
    cache.writeArchive(entry.id, fs.readFileSync(archive))
  } finally {
    removeTree(scratch)
  }
}

const plantKey = (name: string) =>
  `${KEY_HEAD}${name
    .replace(/[^a-z0-9]/g, '')
    .padEnd(64, '0')
    .slice(0, 64)}`

/**
 * Runs the job after `edit` poisoned the entry it restores, and checks the build uses the original code.
 * `refused`: the entry must not be extracted at all (nothing matched, every module downloaded).
 */
async function replay(
  name: string,
  edit: (modcache: string) => void,
  opts: JobOptions & { extraMembers?: (ws: string) => string[]; refused?: boolean } = {}
): Promise<ActionResult> {
  const key = plantKey(name)
  await plantEntry(key, edit, { layout: opts.layout ?? 'download', extraMembers: opts.extraMembers })
  cache.deleteEntries(projectKey)
  const run = await job(opts)
  expect(run.main.exitCode).toBe(0)
  expect(run.main.outputs['cache-key']).toBe(projectKey)
  expect(run.main.outputs['cache-matched-key']).toBe(opts.refused ? '' : key)
  if (opts.refused) {
    const warned = warnings(run.main).join('\n')
    expect(warned).toContain(`Module cache: refused the entry \`${key}\` before extracting it: it holds `)
    expect(warned).toContain('treat it as untrusted and delete it')
    expect(run.main.summary).toContain(`refused the entry <code>${key}</code> before extracting it`)
    expect(proxy.zipDownloads().sort()).toEqual(set.latest().map(id).sort())
  }
  const out = await runLaterStep('go', ['run', '.'], run.job)
  expect(out.exitCode).toBe(0)
  expect(out.stdout + out.stderr).not.toContain(MARKER)
  for (const m of set.latest()) expect(out.stdout).toContain(`${m.path} ${m.version}`)
  // The repaired cache is saved under the job's own key, never the entry as it was.
  expect(run.post?.summary).toContain(`Saved \`${projectKey}\``)
  cache.deleteEntries(key)
  return run
}

describe('a restored module cache is verified by content before go uses it', () => {
  // Generated in beforeAll: example.com/Acme/Lib, pub/b, pub/c, pub/d.
  const mod = (i: number) => set.latest()[i]!

  it('cold run: saves the cache, and go reports the same h1 hashes as the action computes', async () => {
    const run = await job()
    expect(run.main.exitCode).toBe(0)
    projectKey = run.main.outputs['cache-key'] ?? ''
    expect(run.post?.summary).toContain(`Saved \`${projectKey}\``)
    // go's own hashes: Sum (the zip, computed by go when it downloaded it), GoModSum.
    const dl = await runLaterStep('go', ['mod', 'download', '-json'], run.job)
    expect(dl.exitCode).toBe(0)
    const reported = dl.stdout
      .split(/(?<=^\})\n/m)
      .filter((t) => t.trim())
      .map(
        (t) =>
          JSON.parse(t) as {
            Path: string
            Version: string
            Zip: string
            Dir: string
            GoMod: string
            Sum: string
            GoModSum: string
          }
      )
    expect(reported.map((r) => `${r.Path}@${r.Version}`).sort()).toEqual(set.latest().map(id).sort())
    for (const r of reported) {
      expect(await hashZip(r.Zip)).toEqual({ hash: r.Sum })
      expect(await hashDir(r.Dir, `${r.Path}@${r.Version}`)).toEqual({ hash: r.Sum })
      expect(hashGoMod(fs.readFileSync(r.GoMod))).toBe(r.GoModSum)
    }
    fs.cpSync(gomodcache(), path.join(root, 'clean-modcache'), { recursive: true })
    execFileSync('chmod', ['-R', 'u+w', path.join(root, 'clean-modcache')])
    // Only what the default layout caches.
    for (const e of fs.readdirSync(path.join(root, 'clean-modcache')))
      if (e !== 'cache') removeTree(path.join(root, 'clean-modcache', e))
  }, 90_000)

  const attack = (modcache: string) => {
    const files = poisoned(mod(1))
    fs.writeFileSync(path.join(vdir(modcache, mod(1)), `${mod(1).version}.zip`), zipOf(mod(1), files))
    writeTree(treeDir(modcache, mod(1)), files)
  }

  it('the attack on the default layout: an entry with extracted trees is refused, as no entry of it holds any', async () => {
    // The tree archived beside cache/download, as the attacker's job can.
    const tree = path.relative(dirs.workspace, treeDir(gomodcache(), mod(1)))
    const run = await replay('attack-download', attack, { refused: true, extraMembers: () => [tree] })
    const inside = path.relative(dirs.workspace, path.join(gomodcache(), 'cache', 'download'))
    expect(warnings(run.main).join('\n')).toContain(
      `it holds "${tree}/", which is not inside "${inside}"; continued without cache.`
    )
  }, 90_000)

  it('the attack on the full-tree layout: zip and tree altered together, the old .ziphash left in place, is detected and healed', async () => {
    const run = await replay('attack', attack, { layout: 'full' })
    const warned = warnings(run.main).join('\n')
    // A module with a tree is hashed at the restore, zip first (go would extract a tree again without its .ziphash).
    expect(warned).toContain(
      `1 of 4 restored modules failed verification against go.sum: their cached content was altered or damaged (${id(mod(1))}: altered, the zip hashes to`
    )
    expect(warned).toContain('treat it as untrusted and delete it')
    expect(run.main.summary).toContain(`<code>${id(mod(1))}</code> (altered`)
    expect(proxy.zipDownloads()).toEqual([id(mod(1))])
  }, 90_000)

  // With the old .ziphash files, as an attacker or an older release may leave them, and without, as this
  // action saves entries now: either way go's own check of the handed-over zip finds it.
  for (const ziphashes of ['kept', 'left out'] as const) {
    it(`an altered zip alone (.ziphash files ${ziphashes}) is found by go and downloaded again`, async () => {
      const run = await replay(`zip-${ziphashes}`, (modcache) => {
        if (ziphashes === 'left out')
          for (const m of set.latest()) fs.rmSync(path.join(vdir(modcache, m), `${m.version}.ziphash`))
        alterZip(modcache, mod(2))
      })
      const warned = warnings(run.main).join('\n')
      expect(warned).toContain(
        `${id(mod(2))}: altered or damaged: go's check of its restored zip against go.sum failed`
      )
      expect(warned).toContain('treat it as untrusted and delete it')
      expect(run.main.stdout).toContain('(of them 4 zips left to go')
      expect(run.main.summary).toContain(`<code>${id(mod(2))}</code> (altered`)
      expect(proxy.zipDownloads()).toEqual([id(mod(2))])
    }, 90_000)
  }

  // go mod download honours GOFLAGS=-modfile and then compares a zip with the alternate go.sum: one that
  // lacks the module's zip hash would have go add the altered zip's hash instead of refusing it.
  it('with -modfile in GOFLAGS an altered zip is hashed by the action, not left to go and its alternate go.sum', async () => {
    const run = await replay('modfile', (modcache) => alterZip(modcache, mod(2)), {
      inputs: { goflags: '-modfile=alt.mod' },
      prepare: (ws) => {
        fs.copyFileSync(path.join(ws, 'go.mod'), path.join(ws, 'alt.mod'))
        const sum = fs.readFileSync(path.join(ws, 'go.sum'), 'utf8').split('\n')
        fs.writeFileSync(
          path.join(ws, 'alt.sum'),
          sum.filter((l) => !l.startsWith(`${mod(2).path} ${mod(2).version} h1:`)).join('\n')
        )
      }
    })
    const warned = warnings(run.main).join('\n')
    expect(warned).toContain(`${id(mod(2))}: altered, the zip hashes to`)
    expect(proxy.zipDownloads()).toEqual([id(mod(2))])
  }, 90_000)

  it('an altered tree beside an intact zip is detected; go extracts the verified zip again without a download', async () => {
    const run = await replay('tree', (modcache) => writeTree(treeDir(modcache, mod(0)), poisoned(mod(0))), {
      layout: 'full'
    })
    expect(warnings(run.main).join('\n')).toContain(`${id(mod(0))}: altered, the extracted tree hashes to`)
    expect(proxy.zipDownloads()).toEqual([])
  }, 90_000)

  it('a truncated zip is detected and downloaded again', async () => {
    const run = await replay('truncated', (modcache) => {
      const zip = path.join(vdir(modcache, mod(3)), `${mod(3).version}.zip`)
      fs.truncateSync(zip, Math.floor(fs.statSync(zip).size / 2))
    })
    expect(warnings(run.main).join('\n')).toContain(
      `${id(mod(3))}: altered or damaged: go's check of its restored zip against go.sum failed`
    )
    expect(run.main.summary).toContain(`<code>${id(mod(3))}</code> (altered`)
    expect(proxy.zipDownloads()).toEqual([id(mod(3))])
  }, 90_000)

  it('a module no go.sum lists is purged (no warning: a restore-key match holds old versions too)', async () => {
    const x = extra.latest()[0]!
    const run = await replay('extra', (modcache) => {
      fs.mkdirSync(vdir(modcache, x), { recursive: true })
      fs.writeFileSync(path.join(vdir(modcache, x), `${x.version}.zip`), x.zip)
      fs.writeFileSync(path.join(vdir(modcache, x), `${x.version}.ziphash`), x.zipHash)
      fs.writeFileSync(path.join(vdir(modcache, x), `${x.version}.mod`), x.mod)
    })
    expect(warnings(run.main)).toEqual([])
    expect(run.main.stdout).toContain(`Purged module versions no go.sum lists: ${id(x)}`)
    expect(run.main.summary).toContain('1 version(s) no go.sum lists purged')
    const left = fs.existsSync(vdir(gomodcache(), x)) ? fs.readdirSync(vdir(gomodcache(), x)) : []
    expect(left.filter((f) => f.startsWith(x.version))).toEqual([])
    expect(proxy.zipDownloads()).toEqual([])
  }, 90_000)

  it('an entry the content check cannot read as go keeps it (a directory where a .mod belongs) is emptied; the job goes on', async () => {
    const key = plantKey('unreadable')
    await plantEntry(
      key,
      (modcache) => {
        modAsDirectory(modcache, mod(0))
      },
      { layout: 'download' }
    )
    cache.deleteEntries(projectKey)
    const run = await job()
    expect(run.main.exitCode).toBe(0)
    const warned = warnings(run.main).join('\n')
    expect(warned).toContain('Module cache: the restored module cache could not be checked (')
    expect(warned).toContain('emptied it')
    expect(proxy.zipDownloads().sort()).toEqual(set.latest().map(id).sort())
    const out = await runLaterStep('go', ['run', '.'], run.job)
    expect(out.exitCode).toBe(0)
    expect(run.post?.summary).toContain('a corrupt state is never saved')
    cache.deleteEntries(key)
  }, 90_000)

  it('an entry the check cannot read, in a module cache that cannot be emptied, fails the step as cache-corrupt before go runs', async () => {
    // A directory even root cannot remove: as a container job's root-owned leftovers are for a non-root
    // self-hosted runner.
    const immutable = (dir: string, on: boolean) =>
      execFileSync('chattr', [on ? '+i' : '-i', dir], { stdio: 'pipe' })
    const key = plantKey('unclearable')
    await plantEntry(
      key,
      (modcache) => {
        modAsDirectory(modcache, mod(0))
        // And the attack beside it: an altered zip with the .ziphash go.sum expects.
        alterZip(modcache, mod(2))
        fs.writeFileSync(path.join(vdir(modcache, mod(2)), `${mod(2).version}.ziphash`), mod(2).zipHash)
      },
      { layout: 'download' }
    )
    cache.deleteEntries(projectKey)
    const stuck = path.join(gomodcache(), 'left-by-another-user')
    try {
      const run = await job({
        prepare: () => {
          fs.mkdirSync(stuck, { recursive: true })
          immutable(stuck, true)
        }
      })
      expect(run.main.exitCode).not.toBe(0)
      expect(run.main.outputs['error-class']).toBe('cache-corrupt')
      const errors = stepCommands(run.main, 'error').join('\n')
      expect(errors).toContain('the restored module cache could not be checked (')
      expect(errors).toContain(`${gomodcache()} could not be emptied`)
      // go never ran on it: no download attempt, nothing extracted from the altered zip.
      expect(run.main.stdout).not.toContain('Attempt 1')
      expect(fs.existsSync(treeDir(gomodcache(), mod(2)))).toBe(false)
      expect(run.post?.summary).not.toContain('Saved `')
    } finally {
      immutable(stuck, false)
      cache.deleteEntries(key)
      // plantEntry saves from the last job's module cache: give the next test one again.
      removeTree(gomodcache())
      fs.cpSync(path.join(root, 'clean-modcache'), gomodcache(), { recursive: true })
    }
  }, 90_000)

  it('an altered zip go refused in an attempt that then stops (another module not found) is purged, so cache-save: always cannot keep it', async () => {
    const suffix = 'abort'
    const key = `setup-go-deps-linux-x64-${suffix}-go${GO_VERSION}-${'a'.repeat(64)}`
    await plantEntry(
      key,
      (modcache) => {
        // mod(2): an altered zip, left to go to check; mod(3): no zip, and the proxy has none either.
        alterZip(modcache, mod(2))
        fs.rmSync(path.join(vdir(modcache, mod(3)), `${mod(3).version}.zip`))
        fs.rmSync(path.join(vdir(modcache, mod(3)), `${mod(3).version}.ziphash`), { force: true })
      },
      { layout: 'download' }
    )
    const off = proxy.faults.add({
      path: new RegExp(`${mod(3).path.replace(/\./g, '\\.')}/@v/.*\\.zip$`),
      fault: { kind: 'status', status: 404, body: 'not found' }
    })
    let run: ActionResult
    try {
      run = await job({ inputs: { 'cache-save': 'always', 'cache-key-suffix': suffix } })
    } finally {
      off()
    }
    expect(run.main.exitCode).not.toBe(0)
    expect(run.main.outputs['cache-matched-key']).toBe(key)
    expect(run.main.outputs['error-class']).toBe('not-found')
    expect(run.main.summary).toContain(`<code>${id(mod(2))}</code> (altered`)
    const zip = path.join(vdir(gomodcache(), mod(2)), `${mod(2).version}.zip`)
    expect(fs.existsSync(zip) && fs.readFileSync(zip).equals(zipOf(mod(2), poisoned(mod(2))))).toBe(false)
    // The download only purged (it fetched nothing before it stopped), so cache-save: always does not save
    // what is left: under the job's key that pruned cache would be an exact hit never completed.
    const saved = run.main.outputs['cache-key'] ?? ''
    expect(run.post?.summary).toContain('Not saved: the download did not complete and added nothing')
    expect(cache.entries().map((e) => e.key)).not.toContain(saved)
    // And no later job builds the altered code.
    cache.deleteEntries(key)
    const next = await job({ inputs: { 'cache-key-suffix': suffix } })
    expect(warnings(next.main).join('\n')).not.toContain('altered')
    const out = await runLaterStep('go', ['run', '.'], next.job)
    expect(out.stdout + out.stderr).not.toContain(MARKER)
    cache.deleteEntries(saved)
    cache.deleteEntries(next.main.outputs['cache-key'] ?? '')
  }, 120_000)

  // An archive can name any path, and @actions/cache extracts with tar -P: a member beside the module
  // cache lands where it names (here a Go file in the checkout, compiled into the build), a symbolic link
  // inside it is written through by the members after it. Each refuses the whole entry before tar runs.
  const EVIL = 'zz_evil.go'
  const evilCode = `package main\n\nfunc init() { println("${MARKER}") }\n`
  const escapes: Record<string, (ws: string) => string[]> = {
    'a member outside the module cache': (ws) => {
      fs.writeFileSync(path.join(ws, EVIL), evilCode)
      return [EVIL]
    },
    // The link points at the job's real checkout; tar archives the file behind it (written there for
    // the moment of the archive only: the job's checkout starts from a clean workspace).
    'a symbolic link inside it, and a member written through it': (ws) => {
      const link = path.join(
        path.relative(dirs.workspace, gomodcache()),
        'cache',
        'download',
        'example.com',
        'zz'
      )
      fs.symlinkSync(dirs.workspace, path.join(ws, link))
      fs.writeFileSync(path.join(dirs.workspace, EVIL), evilCode)
      return [path.join(link, EVIL)]
    }
  }
  for (const [name, extraMembers] of Object.entries(escapes)) {
    it(`an entry with ${name} is refused before anything is extracted`, async () => {
      await replay(name, () => undefined, { extraMembers, refused: true })
      expect(fs.existsSync(path.join(dirs.workspace, EVIL))).toBe(false)
    }, 90_000)
  }

  // With debug logging the toolkit lists the archive to the log before it extracts; a member named like
  // its "Archive path" line must not redirect the check (or the deletion of a refused archive) elsewhere.
  it("a member named like the toolkit's log lines cannot point the check at another file (v1 service, debug on)", async () => {
    const victim = path.join(root, 'must-survive.tzst')
    fs.writeFileSync(victim, 'not the archive')
    const decoy = `::debug::Archive path: ${victim}`
    await replay('decoy', () => undefined, {
      service: 'v1-debug',
      refused: true,
      extraMembers: (ws) => {
        fs.mkdirSync(path.join(ws, path.dirname(decoy)), { recursive: true })
        fs.writeFileSync(path.join(ws, decoy), 'x')
        fs.writeFileSync(path.join(ws, EVIL), evilCode)
        return [decoy, EVIL]
      }
    })
    expect(fs.existsSync(path.join(dirs.workspace, EVIL))).toBe(false)
    expect(fs.readFileSync(victim, 'utf8')).toBe('not the archive')
  }, 90_000)

  it('the next job restores the repaired cache by its exact key and finds nothing to purge', async () => {
    const run = await job()
    expect(run.main.outputs['cache-hit']).toBe('true')
    expect(warnings(run.main)).toEqual([])
    expect(run.main.stdout).toMatch(
      /4 module versions checked against go.sum by content in \d+ ms \(of them 4 zips left to go, which checks them against go.sum as it extracts them\); 0 altered or damaged, 0 not in any go.sum/
    )
    expect(proxy.zipDownloads()).toEqual([])
  }, 90_000)
})
