/**
 * Pure: the cache key, its restore-keys, and which files key the cache. No fs, no env: every input is a
 * plain value, so the tests feed real paths and versions and compare strings.
 *
 * Key layout (decided here, documented in the README):
 *
 *   setup-go-deps-<os>-<arch>[-<suffix>]-go<version>-<hash>
 *
 * The suffix sits BEFORE the Go version, not at the end: @actions/cache matches restore-keys by prefix, so
 * anything after the hash can never take part in a restore-key. With the suffix in front of the version
 * both restore-keys keep it (a `matrix: [race, norace]` suffix never restores the other variant's cache):
 *
 *   setup-go-deps-linux-x64-race-go1.22.3-<hash>   the key (exact hit: nothing to download)
 *   setup-go-deps-linux-x64-race-go1.22.3-         same Go, any go.sum: a dependency bump downloads the delta
 *   setup-go-deps-linux-x64-race-go1.22            same Go minor, any patch (the module cache format does not
 *                                                  change between patch releases)
 */
import path from 'node:path'
import { goArch } from '../go/platform.js'
import { goMinorOf } from '../go/version.js'
import { InputError } from '../input-error.js'

export const KEY_PREFIX = 'setup-go-deps'
/** The build cache (GOCACHE, `cache-build: true`) lives in its own entry under this prefix. */
export const BUILD_KEY_PREFIX = 'setup-go-deps-build'

export interface KeyParts {
  /** Runner OS in key form: linux, macos, windows. */
  os: string
  /** Runner architecture in key form: x64, arm64, x86, arm. */
  arch: string
  /** Go version as `go version` prints it without `go`: 1.22.3, 1.20, 1.23rc1. */
  goVersion: string
  /** sha256 of the key files (hex); empty when there is no file to hash. */
  hash: string
  /** `cache-key-suffix` (may be empty). */
  suffix?: string
  /** KEY_PREFIX (default) or BUILD_KEY_PREFIX. */
  prefix?: string
}

export interface CacheKeys {
  key: string
  /** Most specific first, as @actions/cache tries them. */
  restoreKeys: string[]
}

/** @actions/cache rejects keys over 512 characters and keys with a comma (it joins keys with commas). */
const MAX_KEY_LENGTH = 512

/**
 * The longest suffix any key of any runner can carry: what is left of the service's limit beside the
 * longest prefix, OS and arch names, a long Go version and the hash. Checked with the inputs, before any
 * work, so a suffix is refused before Go is installed rather than at the restore.
 */
export const MAX_SUFFIX_LENGTH =
  MAX_KEY_LENGTH - `${BUILD_KEY_PREFIX}-windows-ppc64le--go1.100.100rc100-${'0'.repeat(64)}`.length

function suffixTooLong(suffix: string): InputError {
  return new InputError(
    'cache-key-suffix',
    `Input 'cache-key-suffix' is ${suffix.length} characters long, which makes the cache key longer than the ${MAX_KEY_LENGTH} characters the cache service accepts (at most ${MAX_SUFFIX_LENGTH} characters are safe); use a short value such as the matrix entry's name.`
  )
}

export function cacheKey(p: KeyParts): CacheKeys {
  const suffix = normaliseSuffix(p.suffix ?? '')
  const head = [p.prefix ?? KEY_PREFIX, p.os, p.arch, ...(suffix ? [suffix] : [])].join('-')
  const version = `${head}-go${p.goVersion}`
  const key = p.hash ? `${version}-${p.hash}` : version
  if (key.length > MAX_KEY_LENGTH) throw suffixTooLong(suffix)
  const restoreKeys: string[] = []
  // Without a hash the key itself is the version prefix: one restore-key fewer.
  if (p.hash) restoreKeys.push(`${version}-`)
  const minor = goMinorOf(p.goVersion)
  if (minor && minor !== p.goVersion) restoreKeys.push(`${head}-go${minor}`)
  return { key, restoreKeys }
}

/**
 * The suffix is user input: whitespace becomes `_` (a key is one token in logs and in `gh cache list`);
 * a comma cannot be stored at all, so it is an input error that names the fix.
 */
export function normaliseSuffix(suffix: string): string {
  const s = suffix.trim()
  if (s.includes(',')) {
    throw new InputError(
      'cache-key-suffix',
      `Input 'cache-key-suffix' is '${suffix}'; cache keys cannot contain a comma. Use '-' or '_' instead, e.g. '${s.replace(/,\s*/g, '-')}'.`
    )
  }
  const normalised = s.replace(/\s+/g, '_')
  if (normalised.length > MAX_SUFFIX_LENGTH) throw suffixTooLong(normalised)
  return normalised
}

/**
 * The build cache's platform: the runner's, but with the architecture go compiles for when that is
 * another (an `architecture: 386` job on an x64 runner, or GOARCH set for a cross build): its objects
 * are of no use to the native job, which would otherwise take them as an exact hit and never save its
 * own. The module cache holds sources and keeps the runner's platform.
 */
export function buildPlatform(
  runner: { os: string; arch: string },
  nodeArch: string,
  goarch: string | undefined
): { os: string; arch: string } {
  // go.dev names 32-bit ARM builds armv6l; GOARCH says arm.
  const native = goArch(nodeArch) === 'armv6l' ? 'arm' : goArch(nodeArch)
  return goarch && goarch !== native ? { ...runner, arch: goarch } : runner
}

/** process.platform / process.arch -> the names a reader expects in a key (as runner.os / runner.arch). */
export function runnerPlatform(platform: string, arch: string): { os: string; arch: string } {
  const os = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'macos' : platform
  const a = arch === 'ia32' ? 'x86' : arch
  return { os, arch: a }
}

// ---------------------------------------------------------------------------------------------------------
// Which files key the cache

/** Directories never searched for key files: vendored copies and test fixtures hold go.sum files that
 * are not the project's dependencies. */
export const EXCLUDED_DIRS = ['vendor', 'testdata'] as const

/**
 * The globs that find candidate key files under the working directory (for @actions/glob). go.mod is
 * searched too, only so that `selectKeyFiles` can fall back to it for a module without go.sum.
 */
export function defaultKeyPatterns(workingDirectory: string): string[] {
  const base = toGlobPath(workingDirectory)
  return [
    `${base}/**/go.sum`,
    `${base}/**/go.work.sum`,
    `${base}/**/go.mod`,
    ...EXCLUDED_DIRS.map((d) => `!${base}/**/${d}/**`)
  ]
}

/**
 * From every go.sum / go.work.sum / go.mod found, the files whose content keys the cache, sorted (the hash
 * is order-sensitive and directory listing order differs between file systems):
 * every go.sum and go.work.sum, and go.mod only where that module has no go.sum (a module without
 * dependencies has none, and its requirements still decide what go downloads). Files under vendor/ or
 * testdata/ below `base` (exclusionBase) are dropped here too, so custom globs get the same rule; with no
 * base, the files were filtered already.
 */
export function selectKeyFiles(found: readonly string[], base?: string): string[] {
  const files = [...new Set(found.map((f) => path.normalize(f)))].filter(
    (f) => base === undefined || !inExcludedDir(f, base)
  )
  const sums = new Set(files.filter((f) => path.basename(f) === 'go.sum').map((f) => path.dirname(f)))
  const selected = files.filter((f) => {
    const name = path.basename(f)
    if (name === 'go.mod') return !sums.has(path.dirname(f))
    return true
  })
  return selected.sort(compareStrings)
}

/** Custom `cache-dependency-path` globs: relative ones are relative to the working directory (like the
 * default). A leading `!` (exclusion) is kept in front. */
export function resolvePatterns(patterns: readonly string[], workingDirectory: string): string[] {
  return patterns.map((p) => {
    const negate = p.startsWith('!')
    const body = negate ? p.slice(1) : p
    const abs = path.isAbsolute(body) ? body : path.join(workingDirectory, body)
    return `${negate ? '!' : ''}${toGlobPath(abs)}`
  })
}

/** The deepest directory that contains every file (hashFiles only hashes files under its workspace). */
export function commonDirectory(files: readonly string[]): string {
  const dirs = files.map((f) => path.dirname(path.resolve(f)).split(path.sep))
  const first = dirs[0]
  if (!first) return ''
  let n = first.length
  for (const d of dirs) {
    let i = 0
    while (i < n && i < d.length && d[i] === first[i]) i++
    n = i
  }
  const joined = first.slice(0, n).join(path.sep)
  return joined === '' ? path.sep : joined
}

/**
 * A literal path as an @actions/glob pattern: `*`, `?` and `[` are glob syntax there, so a directory
 * named `a[1]` must be written `a[[]1]`. (The globber's own escaping helper is internal.)
 */
export function escapeGlob(literal: string): string {
  return toGlobPath(literal).replace(/\[/g, '[[]').replace(/\*/g, '[*]').replace(/\?/g, '[?]')
}

/**
 * The directory below which vendor/ and testdata/ count (inExcludedDir): the checkout (GITHUB_WORKSPACE)
 * when the working directory is in it, so a glob that reaches beside the working directory (`../svc/**`)
 * keeps the rule, and what lies above the checkout (its own directory's name) never counts.
 */
export function exclusionBase(workingDirectory: string, workspace: string | undefined): string {
  if (!workspace) return workingDirectory
  const rel = path.relative(workspace, workingDirectory)
  return rel.startsWith('..') || path.isAbsolute(rel) ? workingDirectory : workspace
}

/**
 * Whether a file lies in a vendor/ or testdata/ directory (EXCLUDED_DIRS) below `base`, the directory
 * searched: the one rule for both the cache key and the download's module roots. Only the part below
 * `base` counts (a checkout at /home/runner/work/vendor/vendor is not vendored), and a file outside it
 * (one go itself uses, go/workspace.ts) is never excluded.
 */
export function inExcludedDir(file: string, base: string): boolean {
  const rel = path.relative(base, file)
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false
  return rel
    .split(path.sep)
    .slice(0, -1)
    .some((p) => (EXCLUDED_DIRS as readonly string[]).includes(p))
}

function toGlobPath(p: string): string {
  return p.replace(/[\\/]+$/, '') || p
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
