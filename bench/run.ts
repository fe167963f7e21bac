/**
 * `npm run bench`: every scenario of the README's Performance section on the offline bench, for this action (A: the committed
 * dist/ bundles) and a setup-go style baseline (B), printed as a table and written to
 * `.bench-out/bench.md` (markdown, for the README's Performance section) and `.bench-out/bench.json`
 * (every sample). See bench/scenarios/scenarios.ts for what each scenario measures.
 *
 * Budget: the whole run must stay under 10 minutes on a 2-core machine. Measured per run at 40 ms latency:
 * cold 100 (A + B) ~17 s, warm ~8 s, bump ~13 s, flaky at 100 modules ~13 s per seed (A retries for 7-10 s),
 * scale 500 ~15 s; so flaky runs at 50 modules by default (the retry measurements in docs/ARCHITECTURE.md used 52) and the
 * Go install (not a goal, just context) 3 times.
 *
 * Options (all optional):
 *   --runs N           runs per scenario (default 5)           --seeds N        flaky seeds (default 20)
 *   --size N           modules for cold/warm/bump (100)        --flaky-size N   modules for flaky (50)
 *   --scale 10,100,500 module counts for scale                 --latency MS     upstream latency (40)
 *   --only cold,warm   run only these scenarios                --parallel N     A's `parallel` input
 *   --fault-rate F     flaky fault fraction (0.2)              --out DIR        output dir (.bench-out)
 *   --flaky-backoff D  A's retry-backoff in flaky (200ms, as the retry measurements in docs/ARCHITECTURE.md used; 'default' = 2s)
 *   --quick            1 run, 3 seeds, 20 modules, scale 10/20/50 (a few seconds, to try the harness)
 *   --profile          write V8 CPU profiles of the action's node to <out>/profiles (node --cpu-prof)
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { killAllProcesses, liveProcessGroups } from '../testbed/proc.ts'
import { REPO_ROOT } from '../testbed/runner.ts'
import { renderMarkdown, renderText, type Environment } from './scenarios/report.ts'
import { SCENARIOS, runBench, type BenchConfig, type ScenarioId } from './scenarios/scenarios.ts'
import { closeAllCaches } from './scenarios/cache.ts'
import { actionScripts, startWorld } from './scenarios/world.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    seeds: { type: 'string' },
    size: { type: 'string' },
    'flaky-size': { type: 'string' },
    scale: { type: 'string' },
    latency: { type: 'string' },
    only: { type: 'string' },
    parallel: { type: 'string' },
    'fault-rate': { type: 'string' },
    'flaky-backoff': { type: 'string' },
    out: { type: 'string' },
    quick: { type: 'boolean' },
    profile: { type: 'boolean' }
  }
})

function int(name: string, v: string | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt
  const n = Number(v)
  if (!Number.isInteger(n) || n < min) {
    console.error(`bench: --${name} is '${v}'; expected a whole number >= ${min}.`)
    process.exit(2)
  }
  return n
}

const quick = values.quick ?? false
const only = values.only?.split(',').map((s) => s.trim()) as ScenarioId[] | undefined
for (const id of only ?? [])
  if (!SCENARIOS.includes(id)) {
    console.error(`bench: --only names '${id}'; expected some of ${SCENARIOS.join(', ')}.`)
    process.exit(2)
  }
const config: BenchConfig = {
  runs: int('runs', values.runs, quick ? 1 : 5),
  seeds: int('seeds', values.seeds, quick ? 3 : 20),
  size: int('size', values.size, quick ? 20 : 100),
  flakySize: int('flaky-size', values['flaky-size'], quick ? 20 : 50),
  scaleSizes: (values.scale ?? (quick ? '10,20,50' : '10,100,500')).split(',').map((s) => int('scale', s, 0)),
  faultRate: values['fault-rate'] ? Number(values['fault-rate']) : 0.2,
  latencyMs: int('latency', values.latency, 40, 0),
  only,
  inputs: values.parallel ? { parallel: values.parallel } : undefined,
  flakyBackoff: values['flaky-backoff'] === 'default' ? undefined : (values['flaky-backoff'] ?? '200ms')
}
const outDir = path.resolve(values.out ?? path.join(REPO_ROOT, '.bench-out'))

const scripts = actionScripts()
for (const f of [scripts.main, scripts.post])
  if (!fs.existsSync(f)) {
    console.error(`bench: ${path.relative(REPO_ROOT, f)} does not exist; run 'npm run bundle' first.`)
    process.exit(2)
  }

const log = (line: string) => process.stderr.write(`${line}\n`)
const env: Environment = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU',
  node: process.versions.node,
  go: execFileSync('go', ['env', 'GOVERSION'], {
    encoding: 'utf8',
    env: { ...process.env, GOTOOLCHAIN: 'local' }
  }).trim(),
  cacheService: 'testbed/cache-service.ts (v2)',
  load: [os.loadavg()[0] ?? Number.NaN, Number.NaN]
}

fs.mkdirSync(outDir, { recursive: true })
if (values.profile) {
  const dir = path.join(outDir, 'profiles')
  fs.mkdirSync(dir, { recursive: true })
  // Read by bench/scenarios/world.ts, which adds --cpu-prof to the action's NODE_OPTIONS.
  process.env.BENCH_CPU_PROF_DIR = dir
}

const sizes = [config.size, config.flakySize, ...config.scaleSizes]
const world = await startWorld({ latencyMs: config.latencyMs, sizes, log })
// Ctrl-C: stop the servers, kill the action's processes and remove the temp trees before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`bench: ${signal}, cleaning up`)
    killAllProcesses()
    void Promise.allSettled([closeAllCaches(), world.close()]).then(() => process.exit(130))
  })
let exitCode = 0
try {
  log(`bench: ${JSON.stringify({ ...config, inputs: config.inputs ?? {} })}`)
  const report = await runBench(world, config, log)
  env.load = [env.load?.[0] ?? Number.NaN, os.loadavg()[0] ?? Number.NaN]
  const md = renderMarkdown(report, env)
  fs.writeFileSync(path.join(outDir, 'bench.md'), md)
  fs.writeFileSync(
    path.join(outDir, 'bench.json'),
    JSON.stringify({ environment: env, ...report }, null, 2) + '\n'
  )
  process.stdout.write('\n' + renderText(report, env))
  process.stdout.write(
    `\nWrote ${path.relative(process.cwd(), path.join(outDir, 'bench.md'))} and bench.json.\n`
  )
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  exitCode = 2
} finally {
  await world.close()
  const left = liveProcessGroups()
  if (left.length) {
    log(`bench: killing ${left.length} process group(s) left behind: ${left.join(', ')}`)
    killAllProcesses()
  }
}
process.exit(exitCode)
