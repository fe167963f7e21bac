/**
 * Pure: which modules to download, read from go.sum / go.mod / go.work text, and how to split them.
 *
 * Why the list comes from go.sum: `go mod download` with no arguments loads the module graph first and
 * stops at the first failed request, so a retry of the whole command makes little progress. With explicit
 * `path@version` arguments go fetches each module independently and reports each failure in its own JSON
 * object, so every attempt keeps what it got (on the bench: 10/10 runs at 20% faults vs 0/10).
 * go.sum's `h1:` zip lines (read by go/sumcheck.ts) are exactly the modules whose content the build may
 * need; `/go.mod` lines are only for graph pruning and are fetched as part of each download anyway.
 */
import { goVersionAtLeast } from '../go/version.js'
import { unescapeModulePath } from '../go/modfiles.js'
import { parseGoModFile } from '../go/gomod.js'
import { parseGoflags } from '../go/flags.js'

export interface ModuleVersion {
  path: string
  version: string
}

export const modKey = (m: ModuleVersion): string => `${m.path}@${m.version}`

/** Union of several lists in first-seen order, without duplicates. */
export function uniqueModules(lists: readonly (readonly ModuleVersion[])[]): ModuleVersion[] {
  const seen = new Set<string>()
  const out: ModuleVersion[] = []
  for (const list of lists) {
    for (const m of list) {
      const k = modKey(m)
      if (seen.has(k)) continue
      seen.add(k)
      out.push(m)
    }
  }
  return out
}

/** The `parallel` input's upper bound. */
export const MAX_PROCESSES = 32

/**
 * Modules per go process under `parallel: auto`. With explicit `path@version` arguments, go resolves its
 * arguments one after the other (a `.info` and a `.mod` request each, cmd/go's listModules loop) before it
 * fetches the zips GOMAXPROCS at a time, so a process's time grows with its share of the list. On the
 * bench (100 modules, 40 ms per request, 2 cores) the go processes took 1.6 s with 8 processes, 1.3 s
 * with 16 and 1.0-1.2 s with 24; on the real fixture (201 modules, a fast proxy) 8 and 32 processes were
 * within noise of each other (8.3 s each, on tmpfs), the extra processes' start-up hidden by the downloads.
 * Modules whose zip is already in the cache (a restore) need no network, only go's extraction, which is
 * CPU work: for those one process per core (100 restored modules: 410 ms in 25 processes, 290-320 ms in
 * 2, on 2 cores).
 */
export const MODULES_PER_PROCESS = 4

/**
 * How many go processes to start for `pending` modules, `toFetch` of them not in the cache yet, on
 * `cores` cores: `parallel` as given, or under `auto` enough for the downloads and at least one per core.
 */
export function processCount(
  parallel: number | 'auto',
  work: { pending: number; toFetch: number; cores: number }
): number {
  const wanted =
    parallel === 'auto'
      ? Math.max(Math.ceil(work.toFetch / MODULES_PER_PROCESS), Math.min(work.cores, work.pending))
      : parallel
  return Math.max(1, Math.min(wanted, MAX_PROCESSES, Math.max(work.pending, 1)))
}

/** Split round-robin into at most `k` non-empty batches (neighbours in go.sum often share a host). */
export function splitRoundRobin<T>(items: readonly T[], k: number): T[][] {
  const n = Math.max(1, Math.min(Math.floor(k), items.length))
  const batches: T[][] = Array.from({ length: n }, () => [])
  items.forEach((item, i) => (batches[i % n] as T[]).push(item))
  return batches.filter((b) => b.length > 0)
}

/** `-mod=` from GOFLAGS as go splits it (go/flags.ts; the last one wins, as in go's flag parsing), or undefined. */
export function modFlag(goflags: string): string | undefined {
  const parsed = parseGoflags(goflags)
  if ('error' in parsed) return undefined
  return parsed.flags.filter((f) => f.name === 'mod').at(-1)?.value
}

/**
 * Batches cut so that no go command line is longer than `maxChars` (the modules' `path@version`
 * arguments): Windows limits a whole command line to 32,767 characters (CreateProcess), which a few
 * hundred modules in one process pass; elsewhere the limit is far above any module list.
 */
export function limitCommandLine<T>(
  batches: readonly T[][],
  argLength: (item: T) => number,
  maxChars: number
): T[][] {
  return batches.flatMap((batch) => {
    const out: T[][] = [[]]
    let used = 0
    for (const item of batch) {
      const n = argLength(item) + 1
      if (used + n > maxChars && (out.at(-1) as T[]).length > 0) {
        out.push([])
        used = 0
      }
      ;(out.at(-1) as T[]).push(item)
      used += n
    }
    return out.filter((b) => b.length > 0)
  })
}

export type VendorDecision = { vendored: true } | { vendored: false; reason: string }

/**
 * Would go build from vendor/ here? Since go 1.14, go defaults to -mod=vendor when vendor/modules.txt
 * exists and go.mod says go >= 1.14 (cmd/go/internal/modload/init.go setDefaultBuildMod), unless
 * GOFLAGS sets another -mod. Then it checks vendor/modules.txt against go.mod: every requirement must be
 * listed with `## explicit`, and nothing else may be marked explicit ("inconsistent vendoring"). Only a
 * consistent vendor directory makes the download pointless.
 */
export function vendorDecision(p: {
  goMod: string
  modulesTxt: string | undefined
  goflags: string
}): VendorDecision {
  if (p.modulesTxt === undefined) return { vendored: false, reason: 'no vendor/modules.txt' }
  const mod = parseGoModFile(p.goMod)
  const goLine = mod.go?.version ?? ''
  const flag = modFlag(p.goflags)
  if (flag !== undefined && flag !== 'vendor') return { vendored: false, reason: `GOFLAGS sets -mod=${flag}` }
  if (flag === undefined && !goVersionAtLeast(goLine || '1.16', '1.14')) {
    return { vendored: false, reason: `go.mod says go ${goLine}: vendoring is opt-in before 1.14` }
  }
  const explicit = new Map<string, string>()
  let current: ModuleVersion | undefined
  for (const l of p.modulesTxt.split('\n')) {
    const header = /^# (\S+) (\S+)/.exec(l)
    if (header) {
      current = { path: header[1] as string, version: header[2] as string }
      continue
    }
    if (/^## .*\bexplicit\b/.test(l) && current) explicit.set(current.path, current.version)
  }
  for (const r of mod.requires) {
    if (explicit.get(r.path) !== r.version) {
      return {
        vendored: false,
        reason: `vendor/modules.txt does not list ${r.path} ${r.version} as explicit (inconsistent)`
      }
    }
  }
  if (explicit.size !== mod.requires.length) {
    return {
      vendored: false,
      reason: 'vendor/modules.txt marks modules explicit that go.mod does not require (inconsistent)'
    }
  }
  return { vendored: true }
}

/** `<gomodcache>/cache/download/github.com/!azure/x/@v/v1.2.0.zip` in go's text -> `github.com/Azure/x@v1.2.0`. */
export function moduleFromCachePath(text: string): string | undefined {
  const m = /cache\/download\/(\S+?)\/@v\/(v[^/\s:]+?)\.(?:zip|ziphash|mod|info)\b/.exec(text)
  if (!m) return undefined
  return `${unescapeModulePath(m[1] as string)}@${unescapeModulePath(m[2] as string)}`
}
