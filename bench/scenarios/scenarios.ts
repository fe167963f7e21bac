/**
 * The scenarios of `npm run bench` (the README's Performance section), each run several times on the
 * same world (bench/scenarios/world.ts) for this action (A) and the setup-go style baseline (B):
 *
 *   install  Go from the mirror into an empty tool cache (A's "Install Go" group, B's install)  [info]
 *   cold     100 modules, nothing cached: A (Go install excluded) / B's plain `go mod download`   ≤ 0.15
 *   warm     exact hit: A's main step (verification and go's extraction included) / raw `tar`
 *            extraction of the full-tree archive B restores                                       ≤ 1.10
 *   bump     one of 100 modules at a new version: A's main / A's warm main (its physical limit is
 *            a restore plus one module)                                                           ≤ 1.20
 *   flaky    20% of proxy requests fail (half 502, half reset mid-body), one seed per run:
 *            success rate of A (= 100%) and B; A's time / A's fault-free time                      ≤ 2.00
 *   scale    10, 100, 500 modules, cold and warm: time per module (linear), action overhead
 *            (A's main minus the time its child processes ran)                                    ≤ 250 ms
 *   memory   peak RSS of the action's node (main and post) in every scenario                       [info]
 *
 * Run i of cold, warm and bump share one cache service: cold saves, warm restores it exactly, bump
 * restores it partially (A) or misses (B's exact key). Every run starts from empty job directories.
 */
import { bumpModule, type ModuleVersion } from '../../testbed/module-gen.ts'
import { startBenchCache, type BenchCache } from './cache.ts'
import {
  formatBytes,
  formatGoal,
  formatMs,
  formatPercent,
  formatRatio,
  growsLinearly,
  linearFit,
  median,
  ratio,
  restoreBreakdown,
  spread,
  verdict,
  type Goal,
  type Verdict
} from './stats.ts'
import { rawTarExtractMs, runA, runB, type ActionRun, type BaselineRun, type World } from './world.ts'

export interface BenchConfig {
  /** Runs per scenario (medians over these). */
  runs: number
  /** Seeds of the flaky scenario (one run of A and one of B each). */
  seeds: number
  /** Module count of cold, warm, bump. */
  size: number
  /** Module count of the flaky scenario. */
  flakySize: number
  /** Module counts of the scale scenario. */
  scaleSizes: number[]
  /** Fraction of proxy requests that fail in the flaky scenario. */
  faultRate: number
  latencyMs: number
  /** Scenarios to run (default all). */
  only?: ScenarioId[]
  /** Extra inputs for A (e.g. a different `parallel`). */
  inputs?: Record<string, string>
  /**
   * A's `retry-backoff` in the flaky scenario. The default input (2s, doubled per attempt) makes 4 attempts
   * wait 2 + 4 + 8 = 14 s, which alone is 5-10x a fault-free run; docs/ARCHITECTURE.md's retry measurements used 200 ms
   * apart. Undefined: the action's default.
   */
  flakyBackoff?: string
}

export type ScenarioId = 'install' | 'cold' | 'warm' | 'bump' | 'flaky' | 'scale'
export const SCENARIOS: ScenarioId[] = ['install', 'cold', 'warm', 'bump', 'flaky', 'scale']

export interface ReportRow {
  scenario: ScenarioId
  label: string
  measure: string
  a: string
  b: string
  value: number
  display: string
  goal?: Goal
  goalText: string
  verdict: Verdict
}

export interface Report {
  config: BenchConfig
  rows: ReportRow[]
  /** Peak RSS rows (scenario, step, median, max). */
  memory: Array<{ label: string; a: string; aMax: string; b: string }>
  notes: string[]
  /** Raw per-run numbers, for the JSON file. */
  samples: Record<string, unknown>
  /** Median duration of each of A's log groups per scenario (the first place to look when a goal is missed). */
  groups: Record<string, Record<string, number>>
  elapsedMs: number
}

type Log = (line: string) => void

const ms = (xs: number[]) => formatMs(median(xs))

function row(
  scenario: ScenarioId,
  label: string,
  measure: string,
  a: string,
  b: string,
  value: number,
  goal: Goal | undefined,
  unit: 'ratio' | 'ms' | 'percent' = 'ratio'
): ReportRow {
  const display =
    unit === 'ms' ? formatMs(value) : unit === 'percent' ? formatPercent(value) : formatRatio(value)
  return {
    scenario,
    label,
    measure,
    a,
    b,
    value,
    display,
    goal,
    goalText: formatGoal(goal, unit),
    verdict: verdict(value, goal)
  }
}

/** A's time with the Go install taken out (the install group is ~20 ms from the tool cache anyway). */
const aNoInstall = (r: ActionRun) => r.mainMs - (Number.isFinite(r.installMs) ? r.installMs : 0)

function medianGroups(runs: ActionRun[]): Record<string, number> {
  const by = new Map<string, number[]>()
  for (const r of runs) for (const g of r.groups) by.set(g.name, [...(by.get(g.name) ?? []), g.ms])
  return Object.fromEntries([...by].map(([k, v]) => [k, Math.round(median(v))]))
}

function failureLine(who: string, r: ActionRun | BaselineRun): string {
  const step = 'download' in r && r.download ? r.download : r.main
  const text = `${step.stderr}\n${step.stdout}`
    .split('\n')
    .filter((l) => /::error|error|failed/i.test(l))
    .slice(-2)
    .join(' | ')
  return `${who} failed: ${text.slice(0, 400)}`
}

export async function runBench(world: World, config: BenchConfig, log: Log): Promise<Report> {
  const started = Date.now()
  const want = (id: ScenarioId) => !config.only || config.only.includes(id)
  const rows: ReportRow[] = []
  const notes: string[] = []
  const samples: Record<string, unknown> = {}
  const groups: Record<string, Record<string, number>> = {}
  const memory: Report['memory'] = []
  const N = config.size
  const aInputs = config.inputs ?? {}
  const caches: BenchCache[] = []
  const progress = (what: string) => log(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${what}`)

  const memoryRow = (label: string, runs: ActionRun[], b?: BaselineRun[]) => {
    const rss = runs.map((r) => r.maxRssKb * 1024)
    const post = runs.map((r) => r.postMaxRssKb * 1024).filter(Number.isFinite)
    memory.push({
      label,
      a: `${formatBytes(median(rss))}${post.length ? ` (post ${formatBytes(median(post))})` : ''}`,
      aMax: formatBytes(spread([...rss, ...post]).max),
      b: b && b.length ? formatBytes(median(b.map((r) => r.maxRssKb * 1024))) : ''
    })
  }

  try {
    // ---- install (also puts Go into the shared tool cache for everything after it)
    {
      const a: ActionRun[] = []
      const b: BaselineRun[] = []
      if (want('install')) {
        // Context, not a goal: 3 runs are enough and keep the whole bench in its 10-minute budget.
        const installRuns = Math.min(config.runs, 3)
        for (let i = 0; i < installRuns; i++) {
          const cache = await startBenchCache()
          caches.push(cache)
          progress(`install ${i + 1}/${installRuns}`)
          a.push(
            await runA(world, {
              cache,
              requires: world.base(N),
              inputs: { ...aInputs, cache: 'false', download: 'false' },
              freshToolCache: true
            })
          )
          b.push(
            await runB(world, {
              cache,
              requires: world.base(N),
              inputs: { cache: 'false', download: 'false' },
              freshToolCache: true
            })
          )
        }
        const aOk = a.filter((r) => r.ok)
        if (aOk.length < a.length) notes.push(failureLine('A (install)', a.find((r) => !r.ok) as ActionRun))
        rows.push(
          row(
            'install',
            'Go install from the mirror',
            "A's Install Go group / B's install",
            ms(aOk.map((r) => r.installMs)),
            ms(b.map((r) => r.installMs)),
            ratio(median(aOk.map((r) => r.installMs)), median(b.map((r) => r.installMs))),
            undefined
          )
        )
        samples.install = { a: a.map((r) => r.installMs), b: b.map((r) => r.installMs) }
        groups.install = medianGroups(aOk)
      }
      // Populate the shared tool cache (B installs exactly as A would look it up: tc.cacheDir('go', v, arch)).
      const cache = await startBenchCache()
      caches.push(cache)
      const seed = await runB(world, {
        cache,
        requires: world.base(N),
        inputs: { cache: 'false', download: 'false' }
      })
      if (!seed.ok)
        throw new Error(`could not install Go into the shared tool cache: ${failureLine('B', seed)}`)
    }

    // ---- cold / warm / bump at N modules: run i shares cache service i
    const coldA: ActionRun[] = []
    const coldB: BaselineRun[] = []
    const warmA: ActionRun[] = []
    const warmB: BaselineRun[] = []
    const rawTar: number[] = []
    /** Raw tar of B's archive: the whole GOMODCACHE, trees included, as setup-go saves it. */
    const rawTarFull: number[] = []
    const needCold =
      want('cold') ||
      want('warm') ||
      want('bump') ||
      (want('flaky') && config.flakySize === N) ||
      want('scale')
    const runCaches: BenchCache[] = []
    if (needCold) {
      for (let i = 0; i < config.runs; i++) {
        const cache = await startBenchCache()
        caches.push(cache)
        runCaches.push(cache)
        progress(`cold ${N} modules ${i + 1}/${config.runs}`)
        coldA.push(await runA(world, { cache, requires: world.base(N), inputs: aInputs }))
        if (want('cold') || want('bump')) coldB.push(await runB(world, { cache, requires: world.base(N) }))
      }
      const okA = coldA.filter((r) => r.ok)
      if (okA.length < coldA.length)
        notes.push(failureLine('A (cold)', coldA.find((r) => !r.ok) as ActionRun))
      groups.cold = medianGroups(okA)
      samples.cold = {
        aMainMinusInstall: coldA.map(aNoInstall),
        aGoDownload: coldA.map((r) => r.goDownloadMs),
        aPost: coldA.map((r) => r.postMs),
        aAttempts: coldA.map((r) => r.attempts),
        aOk: coldA.map((r) => r.ok),
        bPlainDownload: coldB.map((r) => r.downloadMs),
        bTotal: coldB.map((r) => r.totalMs)
      }
      if (want('cold')) {
        const a = median(okA.map(aNoInstall))
        const plain = median(coldB.filter((r) => r.ok).map((r) => r.downloadMs))
        rows.push(
          row(
            'cold',
            `cold, ${N} modules`,
            'A (main, Go install excluded) / plain `go mod download`',
            formatMs(a),
            formatMs(plain),
            ratio(a, plain),
            { op: '<=', value: 0.15 }
          )
        )
        rows.push(
          row(
            'cold',
            `cold, ${N} modules`,
            "A's `go mod download` processes (wall) / plain `go mod download`",
            ms(okA.map((r) => r.goDownloadMs)),
            formatMs(plain),
            ratio(median(okA.map((r) => r.goDownloadMs)), plain),
            undefined
          )
        )
        rows.push(
          row(
            'cold',
            `cold, ${N} modules`,
            'total with post (A: main + save; B: setup + download + save)',
            ms(okA.map((r) => r.totalMs)),
            ms(coldB.map((r) => r.totalMs)),
            ratio(median(okA.map((r) => r.totalMs)), median(coldB.map((r) => r.totalMs))),
            undefined
          )
        )
        memoryRow(`cold, ${N} modules`, okA, coldB)
      }
    }

    if (want('warm') || want('scale') || want('bump')) {
      for (let i = 0; i < config.runs; i++) {
        const cache = runCaches[i] as BenchCache
        progress(`warm ${N} modules ${i + 1}/${config.runs}`)
        const a = await runA(world, { cache, requires: world.base(N), inputs: aInputs })
        warmA.push(a)
        const archive = cache.archive(a.outputs['cache-matched-key'] || (coldA[i] as ActionRun).cacheKey)
        if (archive) rawTar.push(await rawTarExtractMs(world, archive))
        if (want('warm')) {
          const b = await runB(world, { cache, requires: world.base(N) })
          warmB.push(b)
          const full = cache.archive(b.main.state.CACHE_KEY ?? '')
          if (full) rawTarFull.push(await rawTarExtractMs(world, full))
        }
      }
      const okA = warmA.filter((r) => r.ok)
      if (okA.length < warmA.length)
        notes.push(failureLine('A (warm)', warmA.find((r) => !r.ok) as ActionRun))
      const hits = okA.filter((r) => r.restoreOutcome === 'exact')
      if (hits.length < warmA.length)
        notes.push(
          `warm: ${hits.length}/${warmA.length} runs of A restored the exact key (outcomes: ${warmA.map((r) => r.restoreOutcome || '?').join(', ')})`
        )
      groups.warm = medianGroups(okA)
      const parts = hits.map((r) => restoreBreakdown(r.log))
      const part = (k: keyof (typeof parts)[number]) => median(parts.map((p) => p[k]))
      samples.warm = {
        aRestoreParts: parts,
        aRestore: warmA.map((r) => r.restoreMs),
        aRestoreTar: warmA.map((r) => r.restoreTarMs),
        rawTar,
        rawTarFull,
        aMain: warmA.map((r) => r.mainMs),
        bRestore: warmB.map((r) => r.restoreMs),
        bTotal: warmB.map((r) => r.totalMs)
      }
      if (want('warm')) {
        const restore = median(hits.map((r) => r.restoreMs))
        const raw = median(rawTar)
        const rawFull = median(rawTarFull)
        rows.push(
          row(
            'warm',
            `warm exact hit, ${N} modules`,
            "A's main step (Go install excluded; verification and go's extraction included) / raw `tar` of the full-tree archive (B's)",
            ms(hits.map(aNoInstall)),
            formatMs(rawFull),
            ratio(median(hits.map(aNoInstall)), rawFull),
            { op: '<=', value: 1.1 }
          )
        )
        rows.push(
          row(
            'warm',
            `warm exact hit, ${N} modules`,
            "A's restore / raw `tar` extraction of the same archive",
            formatMs(restore),
            formatMs(raw),
            ratio(restore, raw),
            undefined
          )
        )
        const known = part('lookupMs') + part('downloadMs') + part('extractMs') + part('integrityMs')
        notes.push(
          `warm: A's restore (${formatMs(restore)}) = lookup ${formatMs(part('lookupMs'))} + archive download ` +
            `${formatMs(part('downloadMs'))} + tar ${formatMs(part('extractMs'))} + integrity check ` +
            `${formatMs(part('integrityMs'))} + other ${formatMs(restore - known)} (medians, from the log's timing); ` +
            `raw tar ${formatMs(raw)}.`
        )
        rows.push(
          row(
            'warm',
            `warm exact hit, ${N} modules`,
            "A's restore `tar` alone / raw `tar`",
            ms(hits.map((r) => r.restoreTarMs)),
            formatMs(raw),
            ratio(median(hits.map((r) => r.restoreTarMs)), raw),
            undefined
          )
        )
        rows.push(
          row(
            'warm',
            `warm exact hit, ${N} modules`,
            "B's restore / raw `tar`",
            ms(warmB.map((r) => r.restoreMs)),
            formatMs(raw),
            ratio(median(warmB.map((r) => r.restoreMs)), raw),
            undefined
          )
        )
        rows.push(
          row(
            'warm',
            `warm exact hit, ${N} modules`,
            'total (A: main + post; B: setup + download + post)',
            ms(okA.map((r) => r.totalMs)),
            ms(warmB.map((r) => r.totalMs)),
            ratio(median(okA.map((r) => r.totalMs)), median(warmB.map((r) => r.totalMs))),
            undefined
          )
        )
        memoryRow(`warm, ${N} modules`, okA, warmB)
      }
    }

    if (want('bump')) {
      const set = world.set(N)
      const a: ActionRun[] = []
      const b: BaselineRun[] = []
      for (let i = 0; i < config.runs; i++) {
        const cache = runCaches[i] as BenchCache
        // A different module each run, so every run is "one module changed" against the saved P0 entry.
        const index = (3 + i * Math.max(1, Math.floor(N / config.runs))) % N
        const base = world.base(N)
        const target = base[index] as ModuleVersion
        const bumped = bumpModule(set, target.path)
        const requires = base.map((m, k) => (k === index ? bumped : m))
        progress(`bump ${N} modules ${i + 1}/${config.runs} (${bumped.path}@${bumped.version})`)
        a.push(await runA(world, { cache, requires, inputs: aInputs }))
        b.push(await runB(world, { cache, requires }))
      }
      const okA = a.filter((r) => r.ok)
      if (okA.length < a.length) notes.push(failureLine('A (bump)', a.find((r) => !r.ok) as ActionRun))
      const partial = a.filter((r) => r.restoreOutcome === 'partial').length
      if (partial < a.length)
        notes.push(
          `bump: ${partial}/${a.length} runs of A restored partially (outcomes: ${a.map((r) => r.restoreOutcome || '?').join(', ')})`
        )
      groups.bump = medianGroups(okA)
      samples.bump = {
        aTotal: a.map((r) => r.totalMs),
        aMain: a.map((r) => r.mainMs),
        aOk: a.map((r) => r.ok),
        bTotal: b.map((r) => r.totalMs),
        bHit: b.map((r) => r.cacheHit)
      }
      rows.push(
        row(
          'bump',
          `bump 1 of ${N} modules`,
          'A total (main + post) / B total (setup + download + post)',
          ms(okA.map((r) => r.totalMs)),
          ms(b.map((r) => r.totalMs)),
          ratio(median(okA.map((r) => r.totalMs)), median(b.map((r) => r.totalMs))),
          undefined
        )
      )
      const warmHits = warmA.filter((r) => r.ok && r.restoreOutcome === 'exact')
      rows.push(
        row(
          'bump',
          `bump 1 of ${N} modules`,
          "A's main (Go install excluded) / A's warm exact-hit main",
          ms(okA.map(aNoInstall)),
          ms(warmHits.map(aNoInstall)),
          ratio(median(okA.map(aNoInstall)), median(warmHits.map(aNoInstall))),
          { op: '<=', value: 1.2 }
        )
      )
      rows.push(
        row(
          'bump',
          `bump 1 of ${N} modules`,
          'main step only (A main / B setup + download)',
          ms(okA.map((r) => r.mainMs)),
          ms(b.map((r) => r.mainMs + r.downloadMs)),
          ratio(median(okA.map((r) => r.mainMs)), median(b.map((r) => r.mainMs + r.downloadMs))),
          undefined
        )
      )
      memoryRow(`bump, ${N} modules`, okA, b)
    }

    if (want('flaky')) {
      const F = config.flakySize
      // The fault-free reference: the cold runs when they have the same size, else cold runs at F.
      let reference = F === N ? coldA.filter((r) => r.ok) : []
      if (reference.length === 0) {
        for (let i = 0; i < config.runs; i++) {
          const cache = await startBenchCache()
          caches.push(cache)
          progress(`flaky reference (no faults) ${F} modules ${i + 1}/${config.runs}`)
          reference.push(
            await runA(world, { cache, requires: world.base(F), inputs: aInputs, post: 'never' })
          )
        }
        reference = reference.filter((r) => r.ok)
      }
      const a: ActionRun[] = []
      const b: BaselineRun[] = []
      const flakyInputs = config.flakyBackoff ? { ...aInputs, 'retry-backoff': config.flakyBackoff } : aInputs
      const addFaults = (seed: number) => {
        // Half 502, half a reset mid-body, as in docs/ARCHITECTURE.md's retry measurements: 0.1 + 0.9 * (0.1 / 0.9) = 0.2.
        const half = config.faultRate / 2
        world.proxy.faults.clear()
        world.proxy.faults.add({ fraction: half, seed, fault: { kind: 'status', status: 502 } })
        world.proxy.faults.add({ fraction: half / (1 - half), seed: seed + 7919, fault: { kind: 'reset' } })
      }
      try {
        for (let seed = 1; seed <= config.seeds; seed++) {
          progress(`flaky ${F} modules, seed ${seed}/${config.seeds}`)
          let cache = await startBenchCache()
          caches.push(cache)
          addFaults(seed)
          a.push(
            await runA(world, {
              cache,
              requires: world.base(F),
              inputs: flakyInputs,
              post: 'never',
              timeoutMs: 180_000
            })
          )
          cache = await startBenchCache()
          caches.push(cache)
          addFaults(seed)
          b.push(await runB(world, { cache, requires: world.base(F), post: 'never', timeoutMs: 180_000 }))
        }
      } finally {
        world.proxy.faults.clear()
      }
      const okA = a.filter((r) => r.ok)
      const failedA = a.filter((r) => !r.ok)
      if (failedA.length)
        notes.push(
          `flaky: A failed ${failedA.length}/${a.length} seeds (${failedA.map((r) => r.errorClass || '?').join(', ')}); ${failureLine('first', failedA[0] as ActionRun)}`
        )
      groups.flaky = medianGroups(okA)
      samples.flaky = {
        aOk: a.map((r) => r.ok),
        aMain: a.map(aNoInstall),
        aAttempts: a.map((r) => r.attempts),
        bOk: b.map((r) => r.ok),
        reference: reference.map(aNoInstall)
      }
      const rate = (xs: Array<{ ok: boolean }>) => xs.filter((r) => r.ok).length / Math.max(1, xs.length)
      const pct = `${Math.round(config.faultRate * 100)}%`
      if (config.flakyBackoff)
        notes.push(
          `flaky: A ran with retry-backoff: ${config.flakyBackoff} (default 2s; see the flaky row's note in "How it is measured").`
        )
      rows.push(
        row(
          'flaky',
          `flaky ${pct}, ${F} modules, ${config.seeds} seeds`,
          'success rate A (B)',
          `${okA.length}/${a.length}`,
          `${b.filter((r) => r.ok).length}/${b.length}`,
          rate(a),
          { op: '>=', value: 1 },
          'percent'
        )
      )
      const attempts = okA.map((r) => r.attempts).filter(Number.isFinite)
      rows.push(
        row(
          'flaky',
          `flaky ${pct}, ${F} modules, ${config.seeds} seeds`,
          `A's time / A's fault-free time (attempts: median ${median(attempts)}, max ${spread(attempts).max})`,
          ms(okA.map(aNoInstall)),
          ms(reference.map(aNoInstall)),
          ratio(median(okA.map(aNoInstall)), median(reference.map(aNoInstall))),
          { op: '<=', value: 2 }
        )
      )
      memoryRow(`flaky, ${F} modules`, okA, b)
    }

    if (want('scale')) {
      const cold: Array<{ x: number; y: number }> = []
      const warm: Array<{ x: number; y: number }> = []
      const scaleSamples: Record<string, unknown> = {}
      for (const S of config.scaleSizes) {
        let c: ActionRun[]
        let w: ActionRun[]
        if (S === N && coldA.length && warmA.length) {
          c = coldA
          w = warmA
        } else {
          c = []
          w = []
          for (let i = 0; i < config.runs; i++) {
            const cache = await startBenchCache()
            caches.push(cache)
            progress(`scale ${S} modules ${i + 1}/${config.runs}`)
            c.push(await runA(world, { cache, requires: world.base(S), inputs: aInputs }))
            w.push(await runA(world, { cache, requires: world.base(S), inputs: aInputs }))
          }
        }
        const cOk = c.filter((r) => r.ok)
        const wOk = w.filter((r) => r.ok)
        if (cOk.length < c.length)
          notes.push(failureLine(`A (scale ${S} cold)`, c.find((r) => !r.ok) as ActionRun))
        groups[`scale-${S}-cold`] = medianGroups(cOk)
        groups[`scale-${S}-warm`] = medianGroups(wOk)
        scaleSamples[S] = {
          coldMain: c.map(aNoInstall),
          coldOverhead: c.map((r) => r.overheadMs),
          coldChildren: c.map((r) => r.childMs),
          warmMain: w.map(aNoInstall),
          warmOverhead: w.map((r) => r.overheadMs),
          warmChildren: w.map((r) => r.childMs)
        }
        const cMed = median(cOk.map(aNoInstall))
        const wMed = median(wOk.map(aNoInstall))
        cold.push({ x: S, y: cMed })
        warm.push({ x: S, y: wMed })
        for (const [kind, runs, med] of [
          ['cold', cOk, cMed],
          ['warm', wOk, wMed]
        ] as const) {
          rows.push(
            row(
              'scale',
              `scale ${S} modules, ${kind}`,
              `A per module (A main ${formatMs(med)}); overhead = main − time its child processes ran (go, tar: ${ms(runs.map((r) => r.childMs))})`,
              `${formatMs(med / S)}/module`,
              '',
              median(runs.map((r) => r.overheadMs)),
              { op: '<=', value: 250 },
              'ms'
            )
          )
          memoryRow(`scale ${S}, ${kind}`, [...runs])
        }
      }
      samples.scale = scaleSamples
      for (const [kind, pts] of [
        ['cold', cold],
        ['warm', warm]
      ] as const) {
        const lin = growsLinearly(pts)
        const fit = linearFit(pts)
        rows.push(
          row(
            'scale',
            `scale ${config.scaleSizes.join('/')}, ${kind}`,
            `linear: per-module cost at the largest size / at the one before (${lin.perModule.map((x) => formatMs(x)).join(', ')} per module; fit ${formatMs(fit.slope)}/module + ${formatMs(fit.intercept)}, r² ${fit.r2.toFixed(3)})`,
            '',
            '',
            lin.perModule.length >= 2
              ? (lin.perModule[lin.perModule.length - 1] as number) /
                  (lin.perModule[lin.perModule.length - 2] as number)
              : Number.NaN,
            { op: '<=', value: 1.5 }
          )
        )
      }
    }
  } finally {
    await Promise.allSettled(caches.map((c) => c.close()))
  }
  return { config, rows, memory, notes, samples, groups, elapsedMs: Date.now() - started }
}
