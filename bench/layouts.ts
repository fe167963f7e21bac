/**
 * `npm run bench:layouts`: what a module cache costs to restore in two layouts, measured on the layouts
 * themselves (independent of the action): the synthetic bench's 100 generated modules (testbed/module-gen.ts,
 * served by the loopback proxy) and the real-world fixture (bench/real/fixture).
 *
 *   (a) full      the whole GOMODCACHE without cache/vcs, as actions/setup-go caches it
 *   (b) download  only cache/download (zips, .mod, .info, .ziphash, lists, sumdb); go extracts the trees
 *
 * From a fully populated GOMODCACHE each layout is archived as @actions/cache does on Linux
 * (`tar --posix -cf - ... | zstd -T0 --long=30`) and then, 3 times each from an empty directory at the same
 * absolute path: extracted (`tar -xf ... --use-compress-program "unzstd --long=30"`), and timed until a later
 * `go build -trimpath ./...` (GOPROXY=off, GOFLAGS=-mod=readonly -modcacherw, a warm build cache so compiling
 * is not counted) has finished. For (b) both ways: `go build` directly (it extracts the trees it needs
 * itself), and a parallel `GOPROXY=off go mod download` of the module list first (what the action does).
 *
 * The real fixture's module cache is downloaded once through the machine's proxy (`go env GOPROXY`), or,
 * with --real-modcache DIR, copied with no network from DIR/cache/download of an existing module cache.
 * The build cache is the real benchmark's (--gocache, default ~/.cache/setup-go-deps-bench/gocache): the
 * first run compiles the fixture's graph (~7 min on 2 cores). Options: --only synthetic|real, --reps N (3),
 * --parallel N (processes of the parallel go mod download, default 4), --out DIR. Writes
 * .bench-out/layouts.md and .bench-out/layouts.json.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { isolatedGoEnv, removeTree, SYSTEM_PATH } from '../testbed/isolated-go.ts'
import { generateModules, unescapePath, writeConsumerProject } from '../testbed/module-gen.ts'
import { runProcess } from '../testbed/proc.ts'
import { startModuleProxy } from '../testbed/proxy.ts'
import { REPO_ROOT } from '../testbed/runner.ts'
import { cacheZips, treeSize, writeFixture } from './real/fixture.ts'
import { firstProxyUrl } from './real/log-proxy.ts'
import { formatBytes, formatMs, markdownTable, median } from './scenarios/stats.ts'

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    reps: { type: 'string' },
    parallel: { type: 'string' },
    'real-modcache': { type: 'string' },
    gocache: { type: 'string' },
    out: { type: 'string' }
  }
})
const reps = Number(values.reps ?? 3)
const parallel = Number(values.parallel ?? 4)
const outDir = path.resolve(values.out ?? path.join(REPO_ROOT, '.bench-out'))
const gocache = path.resolve(
  values.gocache ?? path.join(os.homedir(), '.cache', 'setup-go-deps-bench', 'gocache')
)
const log = (line: string) => process.stderr.write(`${line}\n`)
const TIMEOUT = 20 * 60_000

interface Project {
  name: string
  /** The module's directory (go.mod, go.sum, main.go). */
  work: string
  /** The populated GOMODCACHE (the extraction target, same path every time). */
  gomodcache: string
  env: Record<string, string>
}

interface LayoutResult {
  project: string
  layout: 'full' | 'download'
  archiveBytes: number
  files: number
  treeBytes: number
  archiveMs: number
  extractMs: number[]
  /** extract + go build, per rep. */
  buildReadyMs: number[]
  buildMs: number[]
  /** (b) only: extract + parallel go mod download + go build. */
  downloadReadyMs?: number[]
  modDownloadMs?: number[]
  buildAfterDownloadMs?: number[]
}

async function must(file: string, args: string[], opts: { cwd?: string; env: Record<string, string> }) {
  const r = await runProcess(file, args, { ...opts, timeoutMs: TIMEOUT, orphanGraceMs: 0 })
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed:\n${r.stderr.slice(-2000)}`)
  return r.durationMs
}

/** The build env of the later step: offline, read-only go.mod, the warm build cache. */
function buildEnv(p: Project): Record<string, string> {
  return { ...p.env, GOPROXY: 'off', GOFLAGS: '-mod=readonly -modcacherw', GOCACHE: gocache }
}

async function synthetic(root: string): Promise<{ project: Project; close: () => Promise<void> }> {
  const set = generateModules({
    dir: path.join(root, 'mods'),
    count: 100,
    prefix: 'example.com/s100',
    sizeBytes: 32 * 1024,
    // The synthetic bench's light graph (bench/scenarios/world.ts): every tenth module requires the next.
    deps: (i, n) => (i % 10 === 0 && i + 1 < n ? [i + 1] : []),
    write: false
  })
  const proxy = await startModuleProxy({ modules: [set], latencyMs: 0 })
  const work = path.join(root, 'work')
  writeConsumerProject(work, { requires: set.modules.map((m) => m.versions[0]!) })
  const go = isolatedGoEnv({ root: path.join(root, 'go'), goproxy: proxy.goproxy })
  await must('go', ['mod', 'download'], { cwd: work, env: go.env })
  return {
    project: { name: 'synthetic (100 generated modules)', work, gomodcache: go.gomodcache, env: go.env },
    close: () => proxy.close()
  }
}

async function real(root: string): Promise<Project> {
  const work = path.join(root, 'work')
  writeFixture(work, 'base')
  const from = values['real-modcache']
  let goproxy: string
  if (from) goproxy = `file://${path.resolve(from, 'cache', 'download')}`
  else {
    const machine = execFileSync('go', ['env', 'GOPROXY'], { encoding: 'utf8' }).trim()
    goproxy = firstProxyUrl(machine) ?? ''
    if (!goproxy) throw new Error(`'go env GOPROXY' names no proxy URL (${machine})`)
  }
  // go.sum lists every module, so no checksum database is needed to verify them.
  const go = isolatedGoEnv({ root: path.join(root, 'go'), goproxy })
  log(
    `layouts: populating the real fixture's module cache (${from ? 'from --real-modcache' : 'through the machine proxy'})`
  )
  await must('go', ['mod', 'download'], { cwd: work, env: go.env })
  return { name: 'real fixture (bench/real/fixture)', work, gomodcache: go.gomodcache, env: go.env }
}

/** Archive a layout as @actions/cache does on Linux (tar --posix, zstd -T0 --long=30). */
async function archive(p: Project, layout: 'full' | 'download', file: string): Promise<number> {
  const what = layout === 'full' ? '--exclude=./cache/vcs .' : './cache/download'
  const cmd = `tar --posix -cf - -C '${p.gomodcache}' ${what} | zstd -T0 --long=30 -q -f -o '${file}'`
  return must('bash', ['-o', 'pipefail', '-c', cmd], { env: { PATH: SYSTEM_PATH } })
}

async function extract(file: string, dest: string): Promise<number> {
  removeTree(dest)
  fs.mkdirSync(dest, { recursive: true })
  const args = ['-xf', file, '-P', '-C', dest, '--use-compress-program', 'unzstd --long=30']
  return must('tar', args, { env: { PATH: SYSTEM_PATH } })
}

/** The module list (path@version of every zip) for the parallel download, split into `n` chunks. */
function chunks(gomodcache: string, n: number): string[][] {
  const mods = [...cacheZips(gomodcache).zips].map((z) => {
    const at = z.lastIndexOf('@')
    return `${unescapePath(z.slice(0, at))}@${unescapePath(z.slice(at + 1))}`
  })
  const out: string[][] = Array.from({ length: n }, () => [])
  mods.forEach((m, i) => out[i % n]!.push(m))
  return out.filter((c) => c.length > 0)
}

async function measureLayout(p: Project, layout: 'full' | 'download', dir: string): Promise<LayoutResult> {
  const file = path.join(dir, `${layout}.tar.zst`)
  const src = layout === 'full' ? p.gomodcache : path.join(p.gomodcache, 'cache', 'download')
  const tree = treeSize(src)
  const vcs = layout === 'full' ? treeSize(path.join(p.gomodcache, 'cache', 'vcs')) : { bytes: 0, files: 0 }
  const modules = chunks(p.gomodcache, parallel)
  const archiveMs = await archive(p, layout, file)
  const r: LayoutResult = {
    project: p.name,
    layout,
    archiveBytes: fs.statSync(file).size,
    files: tree.files - vcs.files,
    treeBytes: tree.bytes - vcs.bytes,
    archiveMs,
    extractMs: [],
    buildReadyMs: [],
    buildMs: []
  }
  for (let i = 0; i < reps; i++) {
    const x = await extract(file, p.gomodcache)
    const b = await must('go', ['build', '-trimpath', './...'], { cwd: p.work, env: buildEnv(p) })
    r.extractMs.push(x)
    r.buildMs.push(b)
    r.buildReadyMs.push(x + b)
  }
  if (layout === 'download') {
    Object.assign(r, { downloadReadyMs: [], modDownloadMs: [], buildAfterDownloadMs: [] })
    for (let i = 0; i < reps; i++) {
      const x = await extract(file, p.gomodcache)
      const t = Date.now()
      await Promise.all(
        modules.map((c) => must('go', ['mod', 'download', ...c], { cwd: p.work, env: buildEnv(p) }))
      )
      const d = Date.now() - t
      const b = await must('go', ['build', '-trimpath', './...'], { cwd: p.work, env: buildEnv(p) })
      r.extractMs.push(x)
      r.modDownloadMs!.push(d)
      r.buildAfterDownloadMs!.push(b)
      r.downloadReadyMs!.push(x + d + b)
    }
  }
  fs.rmSync(file, { force: true })
  return r
}

async function measureProject(p: Project, dir: string): Promise<LayoutResult[]> {
  // Warm the build cache once on the full tree, so the timed builds measure readiness, not compiling.
  log(`layouts: ${p.name}: warming the build cache`)
  const warm = await must('go', ['build', '-trimpath', './...'], { cwd: p.work, env: buildEnv(p) })
  log(`layouts: ${p.name}: warm-up build ${formatMs(warm)}`)
  // Each layout's extractions replace p.gomodcache; the full layout's last one leaves the tree complete
  // again, so the download layout is archived from a complete cache too.
  const results: LayoutResult[] = []
  for (const layout of ['full', 'download'] as const) {
    const r = await measureLayout(p, layout, dir)
    log(`layouts: ${p.name} ${layout}: ${JSON.stringify({ ...r, project: undefined })}`)
    results.push(r)
  }
  return results
}

function render(results: LayoutResult[], env: Record<string, string | number>): string {
  const headers = [
    'project',
    'layout',
    'archive (zstd)',
    'files',
    'tree',
    'extract (median)',
    'extract + go build',
    'extract + parallel go mod download + go build'
  ]
  const rows = results.map((r) => [
    r.project,
    r.layout === 'full' ? '(a) whole GOMODCACHE' : '(b) cache/download only',
    formatBytes(r.archiveBytes),
    r.files,
    formatBytes(r.treeBytes),
    formatMs(median(r.extractMs)),
    `${formatMs(median(r.buildReadyMs))} (build ${formatMs(median(r.buildMs))})`,
    r.downloadReadyMs
      ? `${formatMs(median(r.downloadReadyMs))} (download ${formatMs(median(r.modDownloadMs!))}, build ${formatMs(median(r.buildAfterDownloadMs!))})`
      : '–'
  ])
  return (
    `Module cache layouts, ${env.date}: ${env.cpus} cores (${env.cpuModel}), Go ${env.go}; medians of ${reps}. ` +
    `go build -trimpath ./... with GOPROXY=off, GOFLAGS=-mod=readonly -modcacherw and a warm build cache; ` +
    `the parallel download runs ${parallel} GOPROXY=off go mod download processes over the module list.\n\n` +
    markdownTable(headers, rows)
  )
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-layouts-'))
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    removeTree(root)
    process.exit(130)
  })
let exitCode = 0
try {
  fs.mkdirSync(gocache, { recursive: true })
  const results: LayoutResult[] = []
  if (values.only !== 'real') {
    const s = await synthetic(path.join(root, 'synthetic'))
    try {
      results.push(...(await measureProject(s.project, root)))
    } finally {
      await s.close()
    }
  }
  if (values.only !== 'synthetic')
    results.push(...(await measureProject(await real(path.join(root, 'real')), root)))
  const env = {
    date: new Date().toISOString().slice(0, 10),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU',
    go: execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim().replace(/^go/, '')
  }
  const md = render(results, env)
  fs.mkdirSync(outDir, { recursive: true })
  fs.writeFileSync(path.join(outDir, 'layouts.md'), md)
  fs.writeFileSync(
    path.join(outDir, 'layouts.json'),
    JSON.stringify({ environment: env, results }, null, 2) + '\n'
  )
  process.stdout.write(
    `\n${md}\nWrote ${path.relative(process.cwd(), path.join(outDir, 'layouts.md'))} and layouts.json.\n`
  )
} catch (error) {
  console.error(
    `bench:layouts failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
  )
  exitCode = 2
} finally {
  removeTree(root)
}
process.exit(exitCode)
