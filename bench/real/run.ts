/**
 * `npm run bench:real`: the bundled action against plain `go mod download` on a real dependency graph
 * (bench/real/fixture) through the machine's real module proxy (`go env GOPROXY`, read at run time), side
 * by side in one run, each from an empty module cache: plain cold, then the action cold, warm (exact hit on
 * the bench's cache service) and after a dependency bump (bench/real/bump: one module a version newer,
 * restored through a restore-key). Both reach the proxy through a logging forward proxy on loopback
 * (bench/real/log-proxy.ts) that counts their requests and bytes. Not part of `npm test` (it needs the
 * network); writes `.bench-out/real.md` and `.bench-out/real.json`.
 *
 * Traffic: each run downloads the fixture twice (plain and the action cold, ~210 MB each) and the bumped
 * module once. The `go build ./...` check compiles the whole graph the first time (~7 min on 2 cores) into a
 * build cache kept outside the repository (default ~/.cache/setup-go-deps-bench/gocache), later runs reuse it.
 *
 * Options: --runs N (default 3)  --time-limit MIN (default 45: no new phase starts after it, and the run
 * is stopped 15 minutes later whatever it is doing)  --gocache DIR  --out DIR (default .bench-out)
 * --dir DIR: where the jobs' directories and module caches go (default the OS temp directory). Extraction
 * creates ~53,000 files per module cache, and on an ext4 that has just deleted as many (this bench does,
 * between phases), inode allocation itself became the cost: `perf` showed ~70% of the time in the
 * kernel's recently_deleted() under ext4_create, and one offline extraction of the fixture's zips took
 * 17-50 s there against 3.5 s on tmpfs. `--dir /dev/shm` measures the action and go instead of that.
 * --layout download|full: the module cache layout the action archives (the internal
 * SETUP_GO_DEPS_CACHE_LAYOUT; the default is cache/download only).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { removeTree } from '../../testbed/isolated-go.ts'
import { killAllProcesses } from '../../testbed/proc.ts'
import { REPO_ROOT } from '../../testbed/runner.ts'
import { closeAllCaches, startBenchCache } from '../scenarios/cache.ts'
import { runActionReal, runPlain, type ActionRealRun, type PlainRun, type RealWorld } from './contestants.ts'
import { bumpDelta, expectedAfterBump } from './fixture.ts'
import { firstProxyUrl, startLogProxy } from './log-proxy.ts'
import {
  renderRealMarkdown,
  summarize,
  type Phase,
  type RealEnvironment,
  type RealSamples
} from './report.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    'time-limit': { type: 'string' },
    gocache: { type: 'string' },
    out: { type: 'string' },
    dir: { type: 'string' },
    layout: { type: 'string' }
  }
})
const runs = Number(values.runs ?? 3)
const limitMin = Number(values['time-limit'] ?? 45)
if (!Number.isInteger(runs) || runs < 1 || !(limitMin > 0)) {
  console.error(`bench:real: --runs must be a whole number >= 1 and --time-limit minutes > 0.`)
  process.exit(2)
}
const layout = values.layout ?? 'download'
if (layout !== 'download' && layout !== 'full') {
  console.error(`bench:real: --layout is download (the action's default) or full (the extracted trees too).`)
  process.exit(2)
}
const outDir = path.resolve(values.out ?? path.join(REPO_ROOT, '.bench-out'))
const log = (line: string) => process.stderr.write(`${line}\n`)
for (const f of ['main', 'post'])
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', f, 'index.js'))) {
    console.error(`bench:real: dist/${f}/index.js does not exist; run 'npm run bundle' first.`)
    process.exit(2)
  }

// The machine's own Go settings, as a user's shell sees them.
const [goproxy = '', gosumdb = '', goroot = '', goversion = ''] = execFileSync(
  'go',
  ['env', 'GOPROXY', 'GOSUMDB', 'GOROOT', 'GOVERSION'],
  { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }
)
  .trim()
  .split('\n')
  .map((s) => s.trim())
const upstream = firstProxyUrl(goproxy)
if (!upstream) {
  console.error(
    `bench:real: 'go env GOPROXY' names no proxy URL (${goproxy || 'empty'}); nothing to measure against.`
  )
  process.exit(2)
}

const started = Date.now()
const deadline = started + limitMin * 60_000
const workBase = path.resolve(values.dir ?? os.tmpdir())
const root = fs.mkdtempSync(path.join(workBase, 'bench-real-'))
const fsType = (() => {
  try {
    return execFileSync('df', ['--output=fstype', root], { encoding: 'utf8' }).trim().split('\n').pop() ?? '?'
  } catch {
    return '?'
  }
})()
const proxy = await startLogProxy(upstream)
const world: RealWorld = {
  root,
  proxy,
  gosumdb,
  goVersion: goversion.replace(/^go/, ''),
  goroot,
  gocache: path.resolve(
    values.gocache ?? path.join(os.homedir(), '.cache', 'setup-go-deps-bench', 'gocache')
  ),
  stepTimeoutMs: 15 * 60_000,
  layout
}
fs.mkdirSync(world.gocache, { recursive: true })

let cleaned = false
async function cleanup(): Promise<void> {
  if (cleaned) return
  cleaned = true
  killAllProcesses()
  await Promise.allSettled([closeAllCaches(), proxy.close()])
  removeTree(root)
}
// Stops by itself: a hard stop 15 minutes after the time limit, whatever is running.
const hardStop = setTimeout(
  () => {
    log('bench:real: hard time limit reached, stopping')
    void cleanup().then(() => process.exit(3))
  },
  deadline - Date.now() + 15 * 60_000
)
hardStop.unref()
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`bench:real: ${signal}, cleaning up`)
    void cleanup().then(() => process.exit(130))
  })

const samples: RealSamples = { plain: [], action: { cold: [], warm: [], bump: [] } }
let stoppedEarly: string | undefined
const delta = bumpDelta()
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const describe = (a: ActionRealRun) =>
  `main ${secs(a.mainMs)}, post ${secs(a.postMs)}, ${a.mainRequests.requests} requests, ` +
  `${(a.mainRequests.bytes / 1e6).toFixed(1)} MB, ${a.zips} zips, cache-hit=${a.outputs['cache-hit'] ?? ''}, ` +
  `checks: ${a.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAILED'} ${secs(c.ms)}`).join('; ') || 'not run'}` +
  (a.problems.length ? `\n  ${a.problems.join('\n  ')}` : '')

let exitCode = 0
try {
  log(
    `bench:real: ${runs} run(s), Go ${goversion}, time limit ${limitMin} min, build cache ${world.gocache}, ` +
      `jobs under ${workBase} (${fsType}), cache layout ${layout}`
  )
  for (let i = 1; i <= runs && !stoppedEarly; i++) {
    const plain: PlainRun = await runPlain(world)
    samples.plain.push(plain)
    log(
      `run ${i} plain: ${plain.ok ? 'ok' : 'FAILED'} ${secs(plain.ms)}, ${plain.requests.requests} requests, ` +
        `${(plain.requests.bytes / 1e6).toFixed(1)} MB, ${plain.zips.size} zips` +
        (plain.ok ? '' : `\n${plain.stderrTail}`)
    )
    if (!plain.ok)
      throw new Error('plain go mod download failed: the fixture does not resolve through this proxy')
    const cache = await startBenchCache()
    try {
      const expected: Record<Phase, ReadonlySet<string>> = {
        cold: plain.zips,
        warm: plain.zips,
        bump: expectedAfterBump(plain.zips)
      }
      for (const phase of ['cold', 'warm', 'bump'] as const) {
        if (Date.now() > deadline) {
          stoppedEarly = `the ${limitMin} min time limit was reached before run ${i} ${phase}`
          break
        }
        const a = await runActionReal(world, cache, phase === 'bump' ? 'bump' : 'base', expected[phase])
        samples.action[phase].push(a)
        log(`run ${i} action ${phase}: ${a.ok ? 'ok' : 'FAILED'} ${describe(a)}`)
        if (!a.ok) exitCode = 1
      }
    } finally {
      await cache.close()
    }
  }
  const first = samples.plain[0]
  const env: RealEnvironment = {
    date: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU',
    node: process.versions.node,
    go: goversion.replace(/^go/, ''),
    modules: first?.zips.size ?? 0,
    zipBytes: first?.zipBytes ?? 0,
    largeZips: first?.largeZips ?? 0,
    bump: `${delta.removed.join(', ')} → ${delta.added.map((z) => z.split('@')[1]).join(', ')}`,
    runs: samples.plain.length,
    stoppedEarly,
    workDir: { path: workBase, fsType },
    layout
  }
  fs.mkdirSync(outDir, { recursive: true })
  const md = renderRealMarkdown(samples, env)
  fs.writeFileSync(path.join(outDir, 'real.md'), md)
  fs.writeFileSync(path.join(outDir, 'real.json'), JSON.stringify(toJson(samples, env), null, 2) + '\n')
  process.stdout.write(
    `\n${md}\nWrote ${path.relative(process.cwd(), path.join(outDir, 'real.md'))} and real.json.\n`
  )
} catch (error) {
  console.error(
    `bench:real failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
  )
  exitCode = 2
} finally {
  await cleanup()
}
process.exit(exitCode)

function toJson(s: RealSamples, env: RealEnvironment): unknown {
  const plain = s.plain.map(({ zips, ...rest }) => ({ ...rest, zips: zips.size }))
  return { environment: env, summary: summarize(s), plain, action: s.action }
}
