/**
 * Pure arithmetic and formatting for `npm run bench`: medians, ratios, goal verdicts, a linearity check
 * for the scale scenario, and the result table as markdown (for the README) and as aligned text (for the
 * terminal). No I/O here, so the numbers the bench prints are tested on plain inputs.
 */

export interface Spread {
  n: number
  median: number
  min: number
  max: number
}

/** The median (mean of the middle two for an even count); NaN for no samples. */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

export function spread(xs: readonly number[]): Spread {
  const finite = xs.filter((x) => Number.isFinite(x))
  return {
    n: finite.length,
    median: median(finite),
    min: finite.length ? Math.min(...finite) : Number.NaN,
    max: finite.length ? Math.max(...finite) : Number.NaN
  }
}

/** a / b, NaN when either is missing or b is 0 (a ratio over nothing is not 0 or Infinity: it is unknown). */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN
  return a / b
}

export interface Goal {
  op: '<=' | '>='
  value: number
}

export type Verdict = 'met' | 'missed' | 'unknown' | 'info'

/** Whether a measured value meets its goal ('unknown' when it could not be measured). */
export function verdict(value: number, goal: Goal | undefined): Verdict {
  if (!goal) return 'info'
  if (!Number.isFinite(value)) return 'unknown'
  return (goal.op === '<=' ? value <= goal.value : value >= goal.value) ? 'met' : 'missed'
}

export function formatGoal(goal: Goal | undefined, unit: 'ratio' | 'ms' | 'percent' = 'ratio'): string {
  if (!goal) return ''
  const op = goal.op === '<=' ? '≤' : '≥'
  if (unit === 'ms') return `${op} ${formatMs(goal.value)}`
  if (unit === 'percent') return `${op} ${formatPercent(goal.value)}`
  return `${op} ${goal.value.toFixed(2)}`
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a'
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(2)} s`
}

export function formatRatio(r: number): string {
  return Number.isFinite(r) ? r.toFixed(2) : 'n/a'
}

/** A fraction 0..1 as a percentage. */
export function formatPercent(f: number): string {
  return Number.isFinite(f) ? `${Math.round(f * 100)}%` : 'n/a'
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'n/a'
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}

export interface LinearFit {
  slope: number
  intercept: number
  /** Coefficient of determination (1 = the points lie on a line). */
  r2: number
}

/** Least-squares line through (x, y) points: how a cost grows with the module count. */
export function linearFit(points: ReadonlyArray<{ x: number; y: number }>): LinearFit {
  const pts = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
  const n = pts.length
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN }
  const mx = pts.reduce((s, p) => s + p.x, 0) / n
  const my = pts.reduce((s, p) => s + p.y, 0) / n
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (const p of pts) {
    sxx += (p.x - mx) ** 2
    sxy += (p.x - mx) * (p.y - my)
    syy += (p.y - my) ** 2
  }
  if (sxx === 0) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN }
  const slope = sxy / sxx
  const intercept = my - slope * mx
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy)
  return { slope, intercept, r2 }
}

/**
 * "Linear" for the scale scenario: the cost per module at the largest size is at most `tolerance` times the
 * cost per module at the middle size (a fixed overhead makes small sizes dearer per module, which is fine;
 * growing dearer per module with size is not).
 */
export function growsLinearly(
  points: ReadonlyArray<{ x: number; y: number }>,
  tolerance = 1.5
): { linear: boolean; perModule: number[] } {
  const pts = [...points].filter((p) => p.x > 0 && Number.isFinite(p.y)).sort((a, b) => a.x - b.x)
  const perModule = pts.map((p) => p.y / p.x)
  if (pts.length < 2) return { linear: false, perModule }
  const last = perModule[perModule.length - 1] as number
  const before = perModule[perModule.length - 2] as number
  return { linear: last <= before * tolerance, perModule }
}

// ---------------------------------------------------------------------------------------------------------
// Tables

export type Cell = string | number

function cellText(c: Cell): string {
  return typeof c === 'number' ? String(c) : c
}

/** A GitHub-flavoured markdown table (pipes in cells escaped). */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
  const line = (cells: readonly Cell[]) => `| ${cells.map((c) => esc(cellText(c))).join(' | ')} |`
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n') + '\n'
}

/** Display width of a string in a terminal (combining marks take no column; everything else one). */
function width(s: string): number {
  return [...s.normalize('NFC')].length
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)))
}

/** Split text into lines no wider than `w` at spaces (a longer word stays whole). */
export function wrapText(text: string, w: number): string[] {
  if (w <= 0 || width(text) <= w) return [text]
  const out: string[] = []
  let cur = ''
  for (const word of text.split(' ')) {
    if (cur === '') cur = word
    else if (width(cur) + 1 + width(word) <= w) cur += ` ${word}`
    else {
      out.push(cur)
      cur = word
    }
  }
  if (cur !== '') out.push(cur)
  return out
}

/**
 * An aligned plain-text table for a terminal: columns padded to their widest cell, a rule under the
 * header, and the last column wrapped so a row fits in `maxWidth` columns.
 */
export function textTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly Cell[]>,
  maxWidth = 120
): string {
  const all = [headers, ...rows].map((r) => headers.map((_, i) => cellText(r[i] ?? '')))
  const widths = headers.map((_, i) => Math.max(...all.map((r) => width(r[i] as string))))
  const lastIndex = headers.length - 1
  const fixed = widths.slice(0, lastIndex).reduce((s, w) => s + w + 2, 0)
  const lastWidth = Math.max(20, Math.min(widths[lastIndex] as number, maxWidth - fixed))
  widths[lastIndex] = Math.min(widths[lastIndex] as number, lastWidth)
  const lines: string[] = []
  all.forEach((r, rowIndex) => {
    const wrapped = wrapText(r[lastIndex] as string, lastWidth)
    wrapped.forEach((part, k) => {
      const cells = r.slice(0, lastIndex).map((c, i) => pad(k === 0 ? c : '', widths[i] as number))
      lines.push([...cells, part].join('  ').trimEnd())
    })
    if (rowIndex === 0) lines.push(widths.map((w) => '-'.repeat(w)).join('  '))
  })
  return lines.join('\n') + '\n'
}

// ---------------------------------------------------------------------------------------------------------
// Time accounting

export interface Interval {
  start: number
  end: number
}

/** Total time covered by a set of possibly overlapping intervals (parallel go processes count once). */
export function unionLength(intervals: readonly Interval[]): number {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start)
  let total = 0
  let curStart = Number.NaN
  let curEnd = Number.NaN
  for (const i of sorted) {
    if (Number.isNaN(curEnd) || i.start > curEnd) {
      if (!Number.isNaN(curEnd)) total += curEnd - curStart
      curStart = i.start
      curEnd = i.end
    } else curEnd = Math.max(curEnd, i.end)
  }
  if (!Number.isNaN(curEnd)) total += curEnd - curStart
  return total
}

/**
 * Durations of the log groups in a step's stdout, from `::group::<name>` / `::endgroup::` lines and the
 * time each line arrived (the runner shows the same groups, folded). Groups do not nest on GitHub: a new
 * group closes the open one. A group left open ends at `endTime`.
 */
export function groupDurations(
  lines: ReadonlyArray<{ time: number; line: string }>,
  endTime?: number
): Array<{ name: string; ms: number }> {
  const out: Array<{ name: string; ms: number }> = []
  let open: { name: string; start: number } | undefined
  const close = (t: number) => {
    if (open) out.push({ name: open.name, ms: t - open.start })
    open = undefined
  }
  for (const { time, line } of lines) {
    const l = line.trimStart()
    const g = /^::group::(.*)$/.exec(l)
    if (g) {
      close(time)
      open = { name: (g[1] as string).trim(), start: time }
    } else if (l.startsWith('::endgroup::')) close(time)
  }
  if (open && endTime !== undefined) close(endTime)
  return out
}

/** A log group's name without its run-specific details: `Attempt 2: go mod download 12 module(s) ...` -> `Attempt 2`. */
export function groupKey(name: string): string {
  const colon = name.indexOf(':')
  return (colon > 0 ? name.slice(0, colon) : name.replace(/\s*\(.*\)\s*$/, '')).trim()
}

/**
 * A step's time split at its log groups, gaps included: `(start)` before the first group (node start,
 * inputs), `(after <group>)` between groups and after the last one (work the action does outside any
 * group, e.g. the cache restore or the summary). Lines after `end` (the post step) are ignored.
 */
export function segments(
  lines: ReadonlyArray<{ time: number; line: string }>,
  start: number,
  end: number
): Array<{ name: string; ms: number }> {
  const inStep = lines.filter((l) => l.time <= end)
  const groups = groupDurations(inStep, end)
  const out: Array<{ name: string; ms: number }> = []
  let cursor = start
  let previous = '(start)'
  let i = 0
  for (const { time, line } of inStep) {
    const l = line.trimStart()
    if (l.startsWith('::group::')) {
      const g = groups[i++]
      if (!g) break
      out.push({ name: previous, ms: Math.max(0, time - cursor) })
      const key = groupKey(g.name)
      out.push({ name: key, ms: g.ms })
      cursor = time + g.ms
      previous = `(after ${key})`
    }
  }
  out.push({ name: previous, ms: Math.max(0, end - cursor) })
  return out.filter((s) => s.ms > 0 || s.name === '(start)')
}

/**
 * Where a cache restore's time went, from the action's log lines and their arrival times (ms): the
 * lookup (key files listed -> "Cache hit for"), the archive download (-> "Cache Size"), the extraction
 * (tar command -> "Cache restored successfully") and the content verification (the action's own
 * "checked against go.sum by content in N ms"). NaN for a part whose lines are missing (a different wording, a miss).
 */
export function restoreBreakdown(log: ReadonlyArray<{ ms: number; line: string }>): {
  lookupMs: number
  downloadMs: number
  extractMs: number
  integrityMs: number
} {
  const at = (re: RegExp) => log.find((l) => re.test(l.line))?.ms ?? Number.NaN
  const keyFiles = at(/^Cache key files:/)
  const hit = at(/^Cache hit for/)
  const size = at(/^Cache Size:/)
  const tar = at(/^\[command\].*\btar\b.*-x/)
  const restored = at(/^Cache restored successfully/)
  const integrity = /by content in (\d+) ms/.exec(
    log.find((l) => /^Module cache verification: .* by content in/.test(l.line))?.line ?? ''
  )
  return {
    lookupMs: hit - keyFiles,
    downloadMs: size - hit,
    extractMs: restored - tar,
    integrityMs: integrity ? Number(integrity[1]) : Number.NaN
  }
}

/**
 * A step's stdout as timestamped lines (`::debug::` lines dropped), for `segments` and the restore
 * breakdown: pass `onStdout` to the runner, read `lines` afterwards.
 */
export function timedLines(): {
  lines: Array<{ time: number; line: string }>
  onStdout: (chunk: string) => void
} {
  const lines: Array<{ time: number; line: string }> = []
  let partial = ''
  const onStdout = (chunk: string): void => {
    const time = Date.now()
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts) if (!line.startsWith('::debug::')) lines.push({ time, line })
  }
  return { lines, onStdout }
}
