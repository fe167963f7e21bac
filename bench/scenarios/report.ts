/**
 * The benchmark report as markdown (`.bench-out/bench.md`, for the README's Performance section) and as
 * terminal text. Pure: a Report in, a string out.
 */
import type { Report, ReportRow } from './scenarios.ts'
import { markdownTable, textTable } from './stats.ts'

export interface Environment {
  date: string
  cpus: number
  cpuModel: string
  node: string
  go: string
  cacheService: string
  /** 1-minute load average at the start and the end (other work on the machine skews the times). */
  load?: [number, number]
}

const VERDICT: Record<ReportRow['verdict'], string> = {
  met: 'met',
  missed: 'MISSED',
  unknown: 'n/a',
  info: ''
}

const HEADERS = ['scenario', 'measure', 'A (this action)', 'B (setup-go style)', 'A/B or value', 'goal', '']

function cells(r: ReportRow): string[] {
  return [r.label, r.measure, r.a, r.b, r.display, r.goalText, VERDICT[r.verdict]]
}

function preamble(report: Report, env: Environment): string[] {
  const c = report.config
  return [
    `${env.date}; ${env.cpus} × ${env.cpuModel}; Node ${env.node}; Go ${env.go}` +
      (env.load
        ? `; load average ${env.load[0].toFixed(1)} at the start, ${env.load[1].toFixed(1)} at the end.`
        : '.'),
    `Upstream latency ${c.latencyMs} ms per request (module proxy and Go mirror); ~32 KB modules; medians over ${c.runs} runs` +
      ` (flaky: ${c.seeds} seeds, one run each). Whole bench: ${(report.elapsedMs / 1000).toFixed(0)} s.`,
    'A = this action (dist/main + dist/post under the runner emulation, default inputs). B = setup-go style: ' +
      'bench/baseline.ts (tool-cache install from the same mirror, exact-key-only cache restore of GOMODCACHE + GOCACHE, ' +
      'save in post) bundled like setup-go, then one plain `go mod download` step with no retry; the same @actions clients, cache service and runner emulation.'
  ]
}

export function renderMarkdown(report: Report, env: Environment): string {
  const out: string[] = []
  out.push('## Benchmark (`npm run bench`)', '', ...preamble(report, env).map((l) => `${l}`), '')
  out.push(markdownTable(HEADERS, report.rows.map(cells)))
  if (report.memory.length) {
    out.push("### Peak memory (RSS of the action's node process)", '')
    out.push(
      markdownTable(
        ['scenario', 'A main (post), median', 'A max', 'B main, median'],
        report.memory.map((m) => [m.label, m.a, m.aMax, m.b])
      )
    )
  }
  const missed = report.rows.filter((r) => r.verdict === 'missed')
  if (report.notes.length || missed.length) {
    out.push('### Notes', '')
    for (const r of missed)
      out.push(`- Goal missed: ${r.label}: ${r.measure} = ${r.display} (goal ${r.goalText}).`)
    for (const n of report.notes) out.push(`- ${n}`)
    out.push('')
  }
  if (Object.keys(report.groups).length) {
    out.push("### Where A's time goes (median ms per log group)", '')
    const names = [...new Set(Object.values(report.groups).flatMap((g) => Object.keys(g)))]
    out.push(
      markdownTable(
        ['scenario', ...names],
        Object.entries(report.groups).map(([k, g]) => [
          k,
          ...names.map((n) => (g[n] === undefined ? '' : String(g[n])))
        ])
      )
    )
  }
  out.push('### How it is measured', '')
  out.push(...HOW.map((l) => `- ${l}`), '')
  return out.join('\n')
}

export function renderText(report: Report, env: Environment, width = 160): string {
  const out: string[] = []
  out.push(...preamble(report, env), '')
  out.push(textTable(HEADERS, report.rows.map(cells), width))
  if (report.memory.length) {
    out.push("Peak memory (RSS of the action's node process)")
    out.push(
      textTable(
        ['scenario', 'A main (post), median', 'A max', 'B main, median'],
        report.memory.map((m) => [m.label, m.a, m.aMax, m.b]),
        width
      )
    )
  }
  const missed = report.rows.filter((r) => r.verdict === 'missed')
  for (const r of missed)
    out.push(`Goal missed: ${r.label}: ${r.measure} = ${r.display} (goal ${r.goalText}).`)
  for (const n of report.notes) out.push(`Note: ${n}`)
  return out.join('\n') + '\n'
}

const HOW = [
  "Step times are each node process's own lifetime (reported by a preload, bench/scenarios/probe.mjs), so the runner emulation's 100 ms orphan grace is not counted; B's `go mod download` is timed as its process.",
  '"Go install excluded": the Go install is measured on its own (first row, empty tool cache); every other run finds Go in the runner tool cache, and A\'s "Install Go" log group is subtracted.',
  "Warm: A's restore time is CacheRestore.durationMs as the action measures it (lookup, download from the cache service, extraction, content verification against go.sum); raw tar = `tar -xf <the same archive> -P -C <workspace> --use-compress-program 'unzstd --long=30'`, as @actions/cache runs it, into the runner's paths right after the previous job's tree was deleted, as A's and B's restores extract (on a disk where creating files right after deleting many is slow, measuring raw tar in a quiet directory favoured it: A's own tar of the same archive took 1.14-1.19x raw tar before).",
  "Bump: run i bumps a different module to a new patch version; A restores the cold run's entry through its restore-keys, B misses its exact key.",
  'Flaky: seeded faults on every proxy request (fraction f/2 answer 502, f/2 of the rest reset mid-body); each seed gets an empty cache service; A and B see the same fault sequence. A runs with `retry-backoff: 200ms` (as the retry measurements in docs/ARCHITECTURE.md used) unless `--flaky-backoff default`: with the default 2s, doubled per attempt, four attempts wait 2 + 4 + 8 = 14 s, so the time ratio measures the backoff setting, not the action.',
  "Scale overhead: A's main step minus the wall time during which any of its child processes (go, tar) ran: node start, the action's JavaScript, hashing, HTTP to the cache service, summary.",
  "Peak RSS: process.resourceUsage().maxRSS of the step's node at exit (children excluded)."
]
