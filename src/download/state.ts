/**
 * Pure: the download's state between attempts and how one attempt's outcome changes it.
 *
 * run.ts runs attempts (effects: go processes, the module cache, sleeping); after each one it hands what
 * the attempt observed to `reduce`, which returns the next state and the decision (done, retry, abort),
 * together with what to do before the next attempt (purge damaged modules, switch proxy). Nothing here
 * touches the file system or the clock, so every rule is unit-tested with plain values.
 */
import type { Diagnosis, ErrorClass } from '../types.js'
import { splitModule } from '../go/modfiles.js'
import { matchesPrefixPatterns } from '../go/pattern.js'
import { modKey, type ModuleVersion } from './modules.js'
import { judgeAttempt, shouldSwitchProxy } from './policy.js'

/** A module to download, and the root (directory go runs in) that lists it first. */
export interface WorkItem {
  /** The root's absolute directory. */
  root: string
  module: ModuleVersion
}

export interface DownloadState {
  /** Every module to download (`path@version` -> item): go.sum's list, plus what a check found missing. */
  readonly work: ReadonlyMap<string, WorkItem>
  /** Modules downloaded (or found complete in the cache) in this run. */
  readonly done: ReadonlySet<string>
  /** Roots whose completeness check (`go mod download` without arguments) passed. */
  readonly checked: ReadonlySet<string>
  /** Modules a completeness check listed (counted in the `modules` output). */
  readonly listed: ReadonlySet<string>
  /** Modules in the module cache before the first attempt (a checksum mismatch there may be the cache). */
  readonly cachedBefore: ReadonlySet<string>
  /** Modules whose zip was in the module cache before the first attempt (complete or not). */
  readonly zipsBefore: ReadonlySet<string>
  /** Modules some go.mod of the roots requires (AttemptOutcome.unneeded are the others). */
  readonly required: ReadonlySet<string>
  /** Modules left to the completeness check (AttemptOutcome.unneeded). */
  readonly leftToCheck: ReadonlySet<string>
  /** Modules purged once in this run. */
  readonly purged: ReadonlySet<string>
  /** Restored modules whose zip go checks itself (the restore removed their .ziphash). */
  readonly handedToGo: ReadonlySet<string>
  /** Of those, the ones go found not matching go.sum (purged and downloaded again, like the restore's). */
  readonly alteredRestored: ReadonlySet<string>
  /** A module the cache held before this run was damaged, other than a handed-over zip. */
  readonly cacheCorrupt: boolean
  /** Index into the proxies (the configured GOPROXY, then `fallback-proxies`). */
  readonly proxyIndex: number
  /** Deciding class of each attempt with the current proxy that involved a public module, oldest first. */
  readonly proxyHistory: readonly (ErrorClass | undefined)[]
  /** The per-module failures of the last attempt (what the summary and annotations show). */
  readonly lastDiagnoses: readonly Diagnosis[]
}

/** What one attempt observed. */
export interface AttemptOutcome {
  diagnoses: Diagnosis[]
  /** Modules that are now complete in the cache. */
  finished: string[]
  /** Roots whose completeness check passed. */
  checkedRoots: string[]
  /** Modules the completeness checks listed. */
  listed: string[]
  /** Modules a completeness check found missing, for the explicit per-module path next time. */
  discovered: WorkItem[]
  /**
   * Modules the explicit list asked for that the upstream does not have (not found) and that no go.mod
   * requires: go.sum lines go may not need (a stale line, go.work.sum's). Left to the completeness
   * check, which fails, with go's own error, only if go needs them.
   */
  unneeded: string[]
}

export type Decision =
  | { kind: 'done' }
  | { kind: 'abort'; diagnosis: Diagnosis }
  | {
      kind: 'retry'
      /** The diagnosis that explains the attempt's failure. */
      deciding: Diagnosis | undefined
      /** The attempt finished modules or roots: the upstream is serving, its failures are sporadic. */
      progressed: boolean
      /** Damaged modules to remove from the module cache before the next attempt. */
      purge: ModuleVersion[]
      /** Set when the next attempt uses the next proxy. */
      switchedProxy?: { from: number; to: number }
    }

/** The first state: every module of every root, assigned to the first root that lists it. */
export function initialState(
  roots: readonly { dir: string; modules: readonly ModuleVersion[]; required?: readonly string[] }[],
  isCached: (m: ModuleVersion) => boolean,
  handedToGo: ReadonlySet<string> = new Set(),
  hasZip: (m: ModuleVersion) => boolean = isCached
): DownloadState {
  const work = new Map<string, WorkItem>()
  for (const root of roots)
    for (const m of root.modules) if (!work.has(modKey(m))) work.set(modKey(m), { root: root.dir, module: m })
  const cachedBefore = new Set(
    [...work].filter(([k, w]) => isCached(w.module) || handedToGo.has(k)).map(([k]) => k)
  )
  const zipsBefore = new Set([
    ...cachedBefore,
    ...[...work].filter(([, w]) => hasZip(w.module)).map(([k]) => k)
  ])
  return {
    work,
    done: new Set(),
    checked: new Set(),
    listed: new Set(),
    cachedBefore,
    zipsBefore,
    // Without the roots' require lines every module counts as required (nothing is left to the check).
    required: new Set(
      roots.some((r) => r.required === undefined) ? work.keys() : roots.flatMap((r) => r.required ?? [])
    ),
    leftToCheck: new Set(),
    purged: new Set(),
    handedToGo,
    alteredRestored: new Set(),
    cacheCorrupt: false,
    proxyIndex: 0,
    proxyHistory: [],
    lastDiagnoses: []
  }
}

/** The modules the next attempt asks go for, by root (in root order). */
export function pendingModules(state: DownloadState): WorkItem[] {
  return [...state.work].filter(([k]) => !state.done.has(k)).map(([, w]) => w)
}

/** Whether an attempt should go on to the completeness check: its downloads all succeeded. */
export function readyForCheck(
  state: DownloadState,
  outcome: Pick<AttemptOutcome, 'diagnoses' | 'finished' | 'unneeded'>
): boolean {
  if (outcome.diagnoses.length > 0) return false
  const done = new Set([...state.done, ...outcome.finished, ...outcome.unneeded, ...state.leftToCheck])
  return [...state.work.keys()].every((k) => done.has(k))
}

/**
 * The next state and decision after an attempt. `privatePatterns` (GOPRIVATE/GONOPROXY) tell which
 * failures went through the proxy: only those count towards switching to a fallback proxy.
 */
export function reduce(
  state: DownloadState,
  outcome: AttemptOutcome,
  ctx: { proxies: number; privatePatterns: readonly string[] }
): { state: DownloadState; decision: Decision } {
  const done = new Set([...state.done, ...outcome.finished])
  const checked = new Set([...state.checked, ...outcome.checkedRoots])
  const work = new Map(state.work)
  // Not found and required by no go.mod: off the explicit list; the completeness check decides.
  for (const k of outcome.unneeded) work.delete(k)
  for (const item of outcome.discovered)
    if (!work.has(modKey(item.module))) work.set(modKey(item.module), item)
  const progressed = done.size + checked.size > state.done.size + state.checked.size
  const base = {
    ...state,
    work,
    done,
    checked,
    listed: new Set([...state.listed, ...outcome.listed]),
    leftToCheck: new Set([...state.leftToCheck, ...outcome.unneeded])
  }
  if (outcome.diagnoses.length === 0) {
    return { state: { ...base, lastDiagnoses: [] }, decision: { kind: 'done' } }
  }
  const verdict = judgeAttempt({
    diagnoses: outcome.diagnoses,
    cachedBefore: state.cachedBefore,
    purged: state.purged
  })
  const purge = verdict.purge.flatMap((k) => {
    const m = work.get(k)?.module ?? splitModule(k)
    return m ? [m] : []
  })
  for (const k of verdict.purge) done.delete(k)
  // Proxy trouble counts only when a public module (one that goes through GOPROXY) failed.
  const viaProxy = verdict.diagnoses.some(
    (d) => !d.module || !matchesPrefixPatterns(d.module.split('@')[0] as string, ctx.privatePatterns)
  )
  const history = [...state.proxyHistory, viaProxy ? verdict.deciding?.errorClass : undefined]
  const next: DownloadState = {
    ...base,
    done,
    // A purged module must be downloaded again, so every root needs its check again.
    checked: verdict.purge.length > 0 ? new Set() : checked,
    purged: new Set([...state.purged, ...verdict.purge]),
    // A handed-over zip that go refused is the restore's verification finding, not a corrupt cache: the
    // repaired cache is saved like one the restore repaired.
    alteredRestored: new Set([
      ...state.alteredRestored,
      ...verdict.purge.filter((k) => state.handedToGo.has(k))
    ]),
    // Only what the module cache held before this run makes it corrupt: a damaged zip this run fetched
    // (a proxy's bad answer) is a bad download, purged and fetched again, and the cache stays saveable.
    cacheCorrupt:
      state.cacheCorrupt || verdict.purge.some((k) => state.zipsBefore.has(k) && !state.handedToGo.has(k)),
    proxyHistory: history,
    lastDiagnoses: verdict.diagnoses
  }
  if (verdict.abort) return { state: next, decision: { kind: 'abort', diagnosis: verdict.abort } }
  const decision: Decision = { kind: 'retry', deciding: verdict.deciding, progressed, purge }
  if (shouldSwitchProxy(history, ctx.proxies - 1 - state.proxyIndex)) {
    decision.switchedProxy = { from: state.proxyIndex, to: state.proxyIndex + 1 }
    return { state: { ...next, proxyIndex: state.proxyIndex + 1, proxyHistory: [] }, decision }
  }
  return { state: next, decision }
}

/** The `modules` output: every module required, downloaded or already present. */
export function moduleCount(state: DownloadState): number {
  return new Set([...state.work.keys(), ...state.listed]).size
}
