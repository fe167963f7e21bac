/**
 * Pure: what one go process of an attempt means, from its output. A per-module batch (`go mod download
 * -json -- path@version...`) finishes some modules and fails others; a completeness check (`go mod
 * download -json` in a root) passes, or names what is missing. The caller (attempt.ts) runs the
 * processes; the file system is reached only through the `isCached` callback.
 */
import path from 'node:path'
import type { Diagnosis } from '../types.js'
import { classify, classifyModules, moduleOf, timeoutDiagnosis, type ModuleJson } from './classify.js'
import { parseConcatenatedJson } from './json.js'
import { modKey, moduleFromCachePath, type ModuleVersion } from './modules.js'
import type { WorkItem } from './state.js'
import type { WatchdogReason } from './watchdog.js'

/** What a go process left behind (process.ts GoRun, plus why the watchdog stopped it, if it did). */
export interface ProcessResult {
  exitCode: number
  stdout: string
  stderr: string
  /** Set when the watchdog killed the process. */
  stopped?: WatchdogReason
}

export interface Timeouts {
  attemptTimeoutMs: number
  timeoutMs: number
}

const timeout = (reason: WatchdogReason, t: Timeouts, module?: string): Diagnosis =>
  timeoutDiagnosis(reason, reason === 'stalled' ? t.attemptTimeoutMs : t.timeoutMs, module)

/** go prints a broken go.mod/go.work/go.sum as `go.mod:4: ...`, relative to the directory it ran in. */
const PRINTED_FILE = /^\s*((?:\S*[\\/])?go\.(?:mod|work|sum)):(\d+)(?::\d+)?: /m

/**
 * Fill in what go's text says but the classifier could not know: the module of a damaged cache file
 * (named only through its cache path), and the absolute file and line of a syntax error in `dir`.
 */
export function locate(d: Diagnosis, dir: string): Diagnosis {
  const out = { ...d }
  if (!out.module) {
    const m = moduleFromCachePath(d.evidence) ?? moduleOf(d.evidence)
    if (m) out.module = m
  }
  const printed = PRINTED_FILE.exec(d.evidence)
  if (printed && out.file === undefined) {
    out.file = path.resolve(dir, printed[1] as string)
    out.line = Number(printed[2])
  }
  return out
}

/** One diagnosis per module, and one per distinct module-less failure (K batches print the same one). */
export function dedupe(diagnoses: readonly Diagnosis[]): Diagnosis[] {
  const seen = new Set<string>()
  return diagnoses.filter((d) => {
    const k = d.module ?? `?${d.errorClass}|${d.cause}|${d.evidence}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

export interface BatchOutcome {
  finished: string[]
  diagnoses: Diagnosis[]
  /** go's words for each failed module (the JSON `Error`s), for the log and Retry-After. */
  errors: string[]
}

/**
 * A per-module batch. Modules go reported on are finished or failed by their JSON object. Modules it did
 * not report on (killed by the watchdog, or go failed before printing JSON) are finished when the cache
 * holds them, else failed by the watchdog's reason or by go's stderr. A stderr failure that names no
 * module (a broken go.mod, a bad GOFLAGS) is one diagnosis, not one per module of the batch.
 */
export function batchOutcome(p: {
  modules: readonly ModuleVersion[]
  dir: string
  run: ProcessResult
  isCached: (m: ModuleVersion) => boolean
  timeouts: Timeouts
}): BatchOutcome {
  const out: BatchOutcome = { finished: [], diagnoses: [], errors: [] }
  const seen = new Set<string>()
  for (const j of parseConcatenatedJson<ModuleJson>(p.run.stdout).objects) {
    const k = `${j.Path}@${j.Version ?? ''}`
    seen.add(k)
    if (j.Error) {
      out.errors.push(j.Error)
      out.diagnoses.push(...classifyModules([j]).map((d) => locate(d, p.dir)))
    } else out.finished.push(k)
  }
  const unreported = p.modules.filter((m) => !seen.has(modKey(m)))
  if (unreported.length === 0) return out
  const reason = p.run.stopped
  const failed = reason
    ? undefined
    : classify({ exitCode: p.run.exitCode === 0 ? 1 : p.run.exitCode, stderr: p.run.stderr, json: [] })
  const batch = failed ? locate(failed, p.dir) : undefined
  let batchUsed = false
  let missing = 0
  for (const m of unreported) {
    const k = modKey(m)
    if (p.isCached(m) && batch?.module !== k) {
      out.finished.push(k)
      continue
    }
    missing++
    if (reason) out.diagnoses.push(timeout(reason, p.timeouts, k))
    else if (batch?.module === k) {
      out.diagnoses.push(batch)
      batchUsed = true
    }
  }
  // A failure about no module of the batch (a broken go.mod), or about one go named that the batch did not
  // ask for (a checksum mismatch is a base.Fatalf naming whichever module it hit).
  if (!batch || batchUsed) return out
  if (batch.module ? !out.diagnoses.some((d) => d.module === batch.module) : missing > 0)
    out.diagnoses.push(batch)
  return out
}

export interface CheckOutcome {
  passed: boolean
  listed: string[]
  diagnoses: Diagnosis[]
  discovered: WorkItem[]
  /** The watchdog stopped the check: no further root is checked in this attempt. */
  stop: boolean
}

/**
 * A completeness check in one root. With a go.sum, the modules it reports failing are handed to the
 * explicit per-module path of the next attempt (go.sum did not list them).
 */
export function checkOutcome(p: {
  root: { dir: string; sumFiles: readonly string[] }
  run: ProcessResult
  timeouts: Timeouts
}): CheckOutcome {
  const json = parseConcatenatedJson<ModuleJson>(p.run.stdout).objects
  const listed = json.filter((j) => j.Version && !j.Error).map((j) => `${j.Path}@${j.Version}`)
  const out: CheckOutcome = { passed: false, listed, diagnoses: [], discovered: [], stop: false }
  if (p.run.stopped) return { ...out, diagnoses: [timeout(p.run.stopped, p.timeouts)], stop: true }
  const d = classify({ exitCode: p.run.exitCode, stderr: p.run.stderr, json })
  if (!d) return { ...out, passed: true }
  const perModule = classifyModules(json)
  out.diagnoses = (perModule.length > 0 ? perModule : [d]).map((x) => locate(x, p.root.dir))
  if (p.root.sumFiles.length > 0) {
    for (const j of json) {
      if (j.Error && j.Version)
        out.discovered.push({ root: p.root.dir, module: { path: j.Path, version: j.Version } })
    }
  }
  return out
}
