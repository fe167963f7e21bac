/**
 * What the user reads: the job summary (Go, cache, each download attempt, failures, post-step save) and
 * the one failure message that says what failed, why, and how to fix it. Rendering only: failing the
 * step is failure.ts.
 */
import * as core from '@actions/core'
import type {
  AppliedEnvironment,
  CacheRestore,
  CacheSaveReport,
  CacheVerification,
  Diagnosis,
  DownloadResult,
  GoInstallation
} from './types.js'

const GO_SOURCE: Record<GoInstallation['source'], string> = {
  path: 'already on PATH',
  'tool-cache': 'runner tool cache',
  manifest: 'downloaded (versions manifest)',
  'go.dev': 'downloaded (go.dev)',
  mirror: 'downloaded (mirror)'
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** One line for the cache result, e.g. `partial: restored setup-go-deps-linux-x64-go1.22.3- (12.3 MiB in 1.2 s)`. */
export function describeCache(cache: CacheRestore): string {
  const size =
    cache.sizeBytes > 0 ? ` (${formatBytes(cache.sizeBytes)} in ${formatMs(cache.durationMs)})` : ''
  // A hit can carry a detail too (e.g. merged into a GOMODCACHE the runner already populated).
  const note = cache.detail ? `; ${cache.detail}` : ''
  switch (cache.outcome) {
    case 'exact':
      return `exact hit: \`${cache.matchedKey}\`${size}${note}`
    case 'partial':
      return `partial: restored \`${cache.matchedKey}\`${size}; only the difference is downloaded${note}`
    case 'miss':
      return `miss: \`${cache.key}\` (${cache.detail || 'nothing saved yet'})`
    case 'disabled':
      return cache.detail || 'disabled (`cache: false`)'
    case 'unavailable':
      return `unavailable, continued without cache: ${cache.detail}`
    case 'corrupt':
      return `corrupt restore purged, continued as a miss: ${cache.detail}`
  }
}

/** The content check of a restore, e.g. `100 modules checked against go.sum in 40 ms; purged: x@v1 (altered: ...)`. */
export function describeVerification(v: CacheVerification): string {
  const head = `${v.modules} module versions checked against go.sum by content in ${formatMs(v.durationMs)}`
  const bad = v.purged.filter((p) => p.kind !== 'untrusted')
  const untrusted = v.purged.length - bad.length
  const parts = [head]
  if (bad.length > 0)
    parts.push(
      `content altered or damaged, purged and downloaded again: ${bad.map((p) => `\`${p.module}\` (${p.kind}: ${p.problem})`).join(', ')}`
    )
  if (untrusted > 0) parts.push(`${untrusted} version(s) no go.sum lists purged`)
  return parts.join('; ')
}

/** The failure message: what failed and why (with go's own line as evidence), then the fix, then the class. */
export function failureMessage(d: Diagnosis): string {
  const cause = d.module && !d.cause.includes(d.module) ? `${d.module}: ${d.cause}` : d.cause
  const evidence =
    d.evidence && !cause.includes(d.evidence) ? ` go printed: ${d.evidence.replace(/\.$/, '')}.` : ''
  return `${cause}${evidence} ${d.hint} (error-class: ${d.errorClass})`.replace(/\s+/g, ' ').trim()
}

/**
 * Text for an HTML cell or list item of the job summary: GitHub does not render markdown inside the
 * HTML that core.summary's tables and lists produce, so `code` spans become <code> and the rest is escaped.
 */
export function html(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return escaped.replace(/`([^`]+)`/g, '<code>$1</code>')
}

export async function writeMainSummary(p: {
  go: GoInstallation
  cache: CacheRestore
  download: DownloadResult
  environment: AppliedEnvironment
}): Promise<void> {
  const { go, cache, download, environment } = p
  const s = core.summary.addHeading('setup-go-deps', 2)
  s.addTable([
    [
      { data: 'Step', header: true },
      { data: 'Result', header: true }
    ],
    [
      'Go',
      html(
        `${go.version} — ${GO_SOURCE[go.source]}${go.durationMs ? ` in ${formatMs(go.durationMs)}` : ''}; asked for ${go.requested}`
      )
    ],
    ['Module cache', html(describeCache(cache))],
    ...(cache.verification ? [['Cache verification', html(describeVerification(cache.verification))]] : []),
    ...(cache.build ? [['Build cache', html(cache.build)]] : []),
    [
      'Private modules',
      html(environment.credentialScopes.length ? environment.credentialScopes.join(', ') : 'none')
    ],
    ['Download', html(describeDownload(download))]
  ])
  if (download.attempts.length > 0) {
    s.addHeading('Download attempts', 3)
    s.addTable([
      ['#', 'Duration', 'Modules asked', 'Failed', 'Class', 'GOPROXY'].map((h) => ({
        data: h,
        header: true
      })),
      ...download.attempts.map((a) => [
        String(a.number),
        formatMs(a.durationMs),
        String(a.requested),
        String(a.failed),
        a.errorClass ?? '—',
        html(a.proxy)
      ])
    ])
  }
  if (download.moduleFailures.length > 0) {
    s.addHeading('Failed modules', 3)
    s.addList(download.moduleFailures.map((d) => html(failureMessage(d))))
  }
  if (environment.notes.length > 0) {
    s.addHeading('Notes', 3)
    s.addList(environment.notes.map(html))
  }
  await writeSummary(s)
}

/** Write the summary; outside a runner (local runs) there is no summary file, which must not fail the step. */
async function writeSummary(s: typeof core.summary): Promise<void> {
  try {
    await s.write()
  } catch (error) {
    s.emptyBuffer()
    core.info(`No job summary written: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function describeDownload(d: DownloadResult): string {
  if (d.skipped) return `skipped: ${d.skipped}`
  const attempts = `${d.attempts.length} attempt${d.attempts.length === 1 ? '' : 's'}`
  if (d.ok) return `${d.modules} modules ready after ${attempts}`
  return `failed after ${attempts}: ${d.failure ? d.failure.errorClass : 'unknown'}`
}

/** The job summary of a step that failed before or outside the download (bad input, install failure). */
export async function writeFailureSummary(
  message: string,
  partial: { go?: GoInstallation; cache?: CacheRestore }
): Promise<void> {
  try {
    const s = core.summary.addHeading('setup-go-deps failed', 2).addCodeBlock(message)
    if (partial.go)
      s.addRaw(`Go ${partial.go.version} was installed (${GO_SOURCE[partial.go.source]}).`, true)
    if (partial.cache) s.addRaw(`Module cache: ${describeCache(partial.cache)}`, true)
    await s.write()
  } catch {
    // No summary file outside a runner (local runs): the failure message is what matters.
  }
}

export async function writePostSummary(save: CacheSaveReport | undefined): Promise<void> {
  if (!save) return
  const line = save.saved
    ? `Saved \`${save.key}\` (${formatBytes(save.sizeBytes)} in ${formatMs(save.durationMs)}).`
    : `Not saved: ${save.reason}`
  core.info(`Module cache: ${line}`)
  const s = core.summary.addHeading('setup-go-deps: post', 3).addRaw(`Module cache: ${line}`, true)
  if (save.build) s.addRaw(`Build cache: ${save.build}`, true)
  await writeSummary(s)
}
