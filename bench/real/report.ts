/**
 * The real-world benchmark's numbers as a table: medians over the runs, ratios against the cold plain
 * `go mod download`, the goals in README.md's Performance section (cold ≤ 0.5×, bump ≤ 0.3× a cold plain download),
 * bytes, module and request counts, and the checks. Pure: built from the samples the runner collected.
 */
import {
  formatBytes,
  formatMs,
  formatRatio,
  markdownTable,
  median,
  ratio,
  spread,
  verdict,
  type Goal
} from '../scenarios/stats.ts'
import type { ActionRealRun, PlainRun } from './contestants.ts'
import type { Counts } from './log-proxy.ts'

export type Phase = 'cold' | 'warm' | 'bump'

export interface RealSamples {
  plain: PlainRun[]
  action: Record<Phase, ActionRealRun[]>
}

export interface RealEnvironment {
  date: string
  cpus: number
  cpuModel: string
  node: string
  go: string
  /** The fixture: modules with zips and their size (from plain go's cache). */
  modules: number
  zipBytes: number
  largeZips: number
  bump: string
  runs: number
  /** Why the run stopped early, if it did. */
  stoppedEarly?: string
  /** Where the jobs' module caches were, and its file system type (`df -T`). */
  workDir?: { path: string; fsType: string }
  /** The module cache layout the action archived. */
  layout?: string
}

export const GOALS: Record<'cold' | 'bump', Goal> = {
  cold: { op: '<=', value: 0.5 },
  bump: { op: '<=', value: 0.3 }
}

const range = (xs: number[]) => {
  const s = spread(xs)
  return s.n > 1 ? `${formatMs(s.median)} (${formatMs(s.min)}–${formatMs(s.max)})` : formatMs(s.median)
}

const kinds = (c: Counts | undefined) =>
  c
    ? `${c.requests} (${c.byKind.zip} zip, ${c.byKind.mod} mod, ${c.byKind.info} info${
        c.byKind.list + c.byKind.latest ? `, ${c.byKind.list + c.byKind.latest} list` : ''
      }${c.byKind.sumdb ? `, ${c.byKind.sumdb} sumdb` : ''})`
    : 'n/a'

export interface RealSummary {
  plainMs: number
  ratios: Record<Phase, { main: number; total: number }>
  verdicts: { cold: string; bump: string }
}

export function summarize(s: RealSamples): RealSummary {
  const plainMs = median(s.plain.filter((p) => p.ok).map((p) => p.ms))
  const r = (phase: Phase) => {
    const ok = s.action[phase].filter((a) => a.ok)
    return {
      main: ratio(median(ok.map((a) => a.mainMs)), plainMs),
      total: ratio(median(ok.map((a) => a.mainMs + a.postMs)), plainMs)
    }
  }
  const ratios = { cold: r('cold'), warm: r('warm'), bump: r('bump') }
  return {
    plainMs,
    ratios,
    verdicts: {
      cold: verdict(ratios.cold.main, GOALS.cold),
      bump: verdict(ratios.bump.main, GOALS.bump)
    }
  }
}

function actionRow(name: string, runs: ActionRealRun[], plainMs: number): string[] {
  const ok = runs.filter((a) => a.ok)
  const mainMs = median(ok.map((a) => a.mainMs))
  const postMs = median(ok.map((a) => a.postMs))
  const last = runs[runs.length - 1]
  const checks = runs.every((a) => a.ok) ? `all passed (${runs.length}/${runs.length})` : failedChecks(runs)
  return [
    name,
    range(ok.map((a) => a.mainMs)),
    formatRatio(ratio(mainMs, plainMs)),
    `${formatMs(postMs)} (${formatRatio(ratio(mainMs + postMs, plainMs))})`,
    kinds(last?.mainRequests),
    formatBytes(median(runs.map((a) => a.mainRequests.bytes))),
    last ? `${last.zips} (${formatBytes(last.zipBytes)})` : 'n/a',
    last
      ? `${last.outputs['cache-hit'] === 'true' ? 'exact hit' : last.outputs['cache-matched-key'] ? 'restore-key' : 'miss'}; saved ${last.savedArchiveBytes ? formatBytes(last.savedArchiveBytes) : 'nothing'}`
      : 'n/a',
    checks
  ]
}

function failedChecks(runs: ActionRealRun[]): string {
  const failed = runs.flatMap((a) =>
    a.checks.length ? a.checks.filter((c) => !c.ok).map((c) => c.name) : ['the action failed']
  )
  return `FAILED: ${[...new Set(failed)].join(', ')} (${runs.filter((a) => !a.ok).length}/${runs.length} runs)`
}

export function renderRealMarkdown(s: RealSamples, env: RealEnvironment): string {
  const sum = summarize(s)
  const plainOk = s.plain.filter((p) => p.ok)
  const lastPlain = plainOk[plainOk.length - 1]
  const headers = [
    'run',
    'main step (median, min–max)',
    '× cold plain',
    'post (main+post × cold plain)',
    'requests to the proxy (main)',
    'received',
    'zips in the module cache',
    'cache',
    'checks'
  ]
  const rows = [
    [
      'plain `go mod download`, cold',
      range(plainOk.map((p) => p.ms)),
      '1.00',
      '–',
      kinds(lastPlain?.requests),
      formatBytes(median(plainOk.map((p) => p.requests.bytes))),
      lastPlain ? `${lastPlain.zips.size} (${formatBytes(lastPlain.zipBytes)})` : 'n/a',
      'none',
      `${plainOk.length}/${s.plain.length} succeeded`
    ],
    actionRow('action, cold (empty cache)', s.action.cold, sum.plainMs),
    actionRow('action, warm (exact hit)', s.action.warm, sum.plainMs),
    actionRow(`action, bump (${env.bump})`, s.action.bump, sum.plainMs)
  ]
  const lines = [
    `Measured against a real module proxy on ${env.date.slice(0, 10)}: ${env.cpus} cores (${env.cpuModel}), ` +
      `Go ${env.go}, Node ${env.node}; ${env.runs} run(s), medians. Fixture bench/real/fixture: ` +
      `${env.modules} modules with zips, ${formatBytes(env.zipBytes)} of zips, ${env.largeZips} over 10 MB.` +
      (env.workDir ? ` Module caches and jobs under ${env.workDir.path} (${env.workDir.fsType}).` : '') +
      (env.layout
        ? ` The action's cache layout: ${env.layout === 'full' ? 'the whole GOMODCACHE' : 'cache/download only'}.`
        : '') +
      (env.stoppedEarly ? ` Stopped early: ${env.stoppedEarly}.` : ''),
    '',
    markdownTable(headers, rows),
    `Goals: cold action ≤ 0.50× plain: ${formatRatio(sum.ratios.cold.main)} (${sum.verdicts.cold}); ` +
      `bump ≤ 0.30× a cold plain download: ${formatRatio(sum.ratios.bump.main)} (${sum.verdicts.bump}). ` +
      `Warm: ${formatRatio(sum.ratios.warm.main)}×. With the post step (saving the cache): cold ` +
      `${formatRatio(sum.ratios.cold.total)}×, warm ${formatRatio(sum.ratios.warm.total)}×, bump ` +
      `${formatRatio(sum.ratios.bump.total)}×.`,
    ''
  ]
  const problems = Object.entries(s.action).flatMap(([phase, runs]) =>
    runs.flatMap((a, i) => [
      ...a.problems.map((p) => `- ${phase} run ${i + 1}: ${p}`),
      ...a.checks.filter((c) => !c.ok).map((c) => `- ${phase} run ${i + 1}: ${c.name} failed: ${c.detail}`)
    ])
  )
  lines.push(
    "Where the action's main step went (medians; a group's name, or the time after it outside any group):",
    ''
  )
  for (const phase of ['cold', 'warm', 'bump'] as const)
    lines.push(`- ${phase}: ${breakdown(s.action[phase])}`)
  lines.push('')
  if (problems.length) lines.push('Warnings, errors and failed checks:', '', ...problems, '')
  return lines.join('\n')
}

/** Median time of each log segment over the runs, largest first, plus the restore's parts. */
export function breakdown(runs: ActionRealRun[]): string {
  const names = [...new Set(runs.flatMap((a) => a.groups.map((g) => g.name)))]
  const parts = names
    .map((name) => ({
      name,
      ms: median(runs.map((a) => a.groups.filter((g) => g.name === name).reduce((n, g) => n + g.ms, 0)))
    }))
    .filter((p) => p.ms >= 100)
    .sort((a, b) => b.ms - a.ms)
    .map((p) => `${p.name} ${formatMs(p.ms)}`)
  const r = (k: 'lookupMs' | 'downloadMs' | 'extractMs' | 'integrityMs') =>
    median(runs.map((a) => a.restore[k]))
  const restore = Number.isFinite(r('extractMs'))
    ? `; restore: lookup ${formatMs(r('lookupMs'))}, archive download ${formatMs(r('downloadMs'))}, tar ${formatMs(r('extractMs'))}, integrity check ${formatMs(r('integrityMs'))}`
    : ''
  return (parts.join(', ') || 'n/a') + restore
}
