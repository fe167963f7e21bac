/**
 * The shapes that flow between the action's steps: what installing Go, restoring the cache and
 * downloading modules produce. Kept apart from the modules that produce them so `main.ts`, `post.ts` and
 * `summary.ts` depend on data, not on implementations.
 */

export type GoSource = 'path' | 'tool-cache' | 'manifest' | 'go.dev' | 'mirror'

export interface GoInstallation {
  /** As `go version` reports it, without the `go` prefix: 1.22.3, 1.23rc1. */
  version: string
  /** GOROOT. */
  root: string
  /** Where the toolchain came from. */
  source: GoSource
  /** What was asked for and where it was read, e.g. `1.22 (go.mod toolchain line)`. */
  requested: string
  /** Download/extract time in ms (0 when found in the tool cache or on PATH). */
  durationMs: number
}

/** The failure classes (action.yml's `error-class` output lists exactly these; a unit test checks). */
export const ERROR_CLASSES = [
  'network',
  'proxy',
  'git',
  'auth',
  'not-found',
  'checksum',
  'cache-corrupt',
  'config',
  'timeout',
  'unknown'
] as const

export type ErrorClass = (typeof ERROR_CLASSES)[number]

export interface Diagnosis {
  errorClass: ErrorClass
  retryable: boolean
  /** One sentence: what went wrong. */
  cause: string
  /** What to do about it, naming the input or variable. */
  hint: string
  /** `path@version` when the failure belongs to one module. */
  module?: string
  /** The line of go's output the diagnosis rests on. */
  evidence: string
  /** The user's file the failure is in, when known exactly (absolute path): a go.mod go cannot parse. */
  file?: string
  /** 1-based line in `file`. */
  line?: number
}

export type CacheOutcome = 'exact' | 'partial' | 'miss' | 'disabled' | 'unavailable' | 'corrupt'

export interface CacheRestore {
  outcome: CacheOutcome
  key: string
  restoreKeys: string[]
  matchedKey: string
  /** Absolute paths that were restored and will be saved. */
  paths: string[]
  sizeBytes: number
  durationMs: number
  /** Human-readable detail for the summary (why unavailable, what was corrupt, ...). */
  detail: string
  /** With `cache-build: true`: what happened to the build cache (GOCACHE), in words. */
  build?: string
  /** The content check of what the restore brought (absent when nothing was restored). */
  verification?: CacheVerification
}

/** Every restored module version checked against go.sum by content; what failed was purged. */
export interface CacheVerification {
  /** Module versions checked. */
  modules: number
  durationMs: number
  /** `altered`/`damaged`: content not what go.sum says; `untrusted`: no go.sum lists the version. */
  purged: { module: string; kind: 'altered' | 'damaged' | 'untrusted'; problem: string }[]
  /** `path@version`s whose zip go checks against go.sum itself in the download step (.ziphash removed). */
  deferred: string[]
}

export interface AttemptRecord {
  number: number
  durationMs: number
  /** Modules asked for in this attempt (count). */
  requested: number
  /** Modules that failed in this attempt (count). */
  failed: number
  /** Class of the attempt's failure, if it failed. */
  errorClass?: ErrorClass
  /** The GOPROXY used for this attempt. */
  proxy: string
  /** Module root directories this attempt covered, relative to `working-directory` ('.' for itself), as the summary shows them. */
  roots: string[]
  detail?: string
}

export interface DownloadResult {
  ok: boolean
  /** Why nothing was downloaded: 'disabled' (`download: false`) or 'vendored'. */
  skipped?: string
  attempts: AttemptRecord[]
  /** Modules required by the project(s), downloaded or already present. */
  modules: number
  /** When failed: what, why, and how to fix it. */
  failure?: Diagnosis
  /** Every module failure of the final attempt (for the summary and annotations). */
  moduleFailures: Diagnosis[]
  /** True when a corrupt module cache was detected (and purged); the post step must not save it. */
  cacheCorrupt: boolean
  /** Restored modules whose zip go found not matching go.sum (CacheVerification.deferred): purged and downloaded again. */
  alteredRestored: string[]
  /** The GOPROXY that finally worked (after fallback). */
  proxy: string
}

/** What the environment/credentials step applied (no secrets in here: it goes to the summary). */
export interface AppliedEnvironment {
  /** GOPRIVATE patterns in effect (private modules never go to a proxy, fallback ones included). */
  privatePatterns: string[]
  /** Hosts/prefixes that received credentials (for the summary), e.g. `github.com/acme/`. */
  credentialScopes: string[]
  /** Go variables the action exported for this and later steps (values are not secret). */
  exported: Record<string, string>
  /** Notes for the summary (e.g. "checkout's extraheader detected; scoped ours to ..."). */
  notes: string[]
}

export interface CacheSaveReport {
  saved: boolean
  key: string
  /** Why it was saved or not, in words for the summary. */
  reason: string
  sizeBytes: number
  durationMs: number
  /** With `cache-build: true`: what happened to the build cache, in words. */
  build?: string
}
