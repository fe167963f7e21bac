/**
 * Pure: which Go to install. Version files and specs in, a concrete release out.
 *
 * Go spells versions its own way and the tools around it use semver, so every comparison goes through
 * one conversion (`goToSemver`):
 *   go1.22.3 -> 1.22.3    go1.20 -> 1.20.0 (releases before 1.21 had no `.0`)
 *   go1.23rc1 -> 1.23.0-rc.1    go1.21beta1 -> 1.21.0-beta.1 (a prerelease sorts before its release)
 * and a *language version* (`go 1.21` in go.mod, no patch) sorts before all of them (1.21.0-0), as in Go's
 * own ordering 1.21 < 1.21rc1 < 1.21.0 (https://go.dev/doc/toolchain#version, golang/go#57001).
 */
import path from 'node:path'
import semver from 'semver'
import { InputError } from '../input-error.js'
import { parseGoModFile } from './gomod.js'
import { type Platform, goArch, goOSFromManifest, platformLabel } from './platform.js'

/** One downloadable file of a release, as the go.dev listing describes it. */
export interface GoFile {
  filename: string
  /** Go's GOOS / GOARCH (empty for the source archive). */
  os: string
  arch: string
  /** 'archive' | 'installer' | 'source' */
  kind: string
  /** Lower-case hex sha256; empty when the source publishes none (the versions manifest). */
  sha256: string
  size: number
  /** Absolute URL when the source gives one (the manifest); otherwise `<base>/<filename>`. */
  url?: string
}

export interface GoRelease {
  /** Go's spelling without the `go` prefix: 1.22.3, 1.20, 1.23rc1. */
  version: string
  /** The same version as semver: 1.22.3, 1.20.0, 1.23.0-rc.1. */
  semver: string
  stable: boolean
  files: GoFile[]
}

export type VersionInput = 'go-version' | 'go-version-file'

/** What the user asked for, before resolution: the raw text and where it came from. */
export interface VersionRequest {
  /** The version text as written: 1.22, 1.22.3, ^1.21, stable, 1.23rc1. */
  spec: string
  /** Where it was read, for logs and errors: "input 'go-version'", 'go.mod toolchain line'. */
  origin: string
  /** The input to name in an error message. */
  input: VersionInput
  /** For a version file: `<file>:<line>` of the line the version was read from, e.g. `go.mod:3`. */
  location?: string
  /**
   * From a go.mod/go.work `go` line without a patch: a language version (1.22), which any 1.22 toolchain
   * satisfies, prereleases included. Used only when no 1.22.x release exists yet.
   */
  languageVersion?: boolean
}

export type VersionSpec =
  | { kind: 'exact'; semver: string; request: VersionRequest }
  | { kind: 'range'; range: string; request: VersionRequest }
  | { kind: 'stable' | 'oldstable'; request: VersionRequest }

const GO_VERSION = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(alpha|beta|rc)(\d+))?$/

/** `go1.22.3` / `1.22.3` / `1.20` / `1.23rc1` -> semver, or undefined when it is not a Go version. */
export function goToSemver(version: string): string | undefined {
  const m = GO_VERSION.exec(version.trim().replace(/^go/, ''))
  if (!m) return undefined
  const [, major, minor = '0', patch = '0', pre, preNumber] = m
  const base = `${Number(major)}.${Number(minor)}.${Number(patch)}`
  return pre ? `${base}-${pre}.${Number(preNumber)}` : base
}

/** semver -> Go's spelling: 1.20.0 -> 1.20, 1.21.0 -> 1.21.0, 1.23.0-rc.1 -> 1.23rc1. */
export function semverToGo(version: string): string {
  const v = semver.parse(version)
  if (!v) return version
  const [tag, n] = v.prerelease
  if (typeof tag === 'string' && typeof n === 'number') {
    return `${v.major}.${v.minor}${v.patch > 0 ? `.${v.patch}` : ''}${tag}${n}`
  }
  // From Go 1.21 the first release of a line is named 1.21.0; before that it was plain go1.20.
  if (v.patch === 0 && v.major === 1 && v.minor < 21) return `${v.major}.${v.minor}`
  return `${v.major}.${v.minor}.${v.patch}`
}

/** Go's ordering of a language version (`1.21`, from a go line) against releases: before 1.21rc1. */
function languageSemver(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version)
  return m ? `${Number(m[1])}.${Number(m[2])}.0-0` : goToSemver(version)
}

/**
 * Whether Go version `a` is at least `b`, in Go's order (go/version.Compare): 1.21 < 1.21rc1 < 1.21.0 <
 * 1.21.1, so `goVersionAtLeast('1.24rc1', '1.24')` (a 1.24 prerelease has the 1.24 language) but not
 * `goVersionAtLeast('1.21', '1.21.0')`. Either may carry a `go` prefix (`go version`'s spelling). As
 * go/version does, an invalid version sorts before every valid one (so an unreadable `a` is never "at
 * least" anything valid).
 */
export function goVersionAtLeast(a: string, b: string): boolean {
  const sa = languageSemver(a.trim().replace(/^go/, ''))
  const sb = languageSemver(b.trim().replace(/^go/, ''))
  if (sb === undefined) return true
  if (sa === undefined) return false
  return semver.gte(sa, sb)
}

/**
 * The language line of a Go version (go/version.Lang): 1.21rc1 -> 1.21, go1.22.0 -> 1.22, 1.21 -> 1.21,
 * also with what a custom build or semver spelling puts after it (1.22.3-corp, 1.22.0-rc.1); undefined
 * for what does not start with `major.minor` (devel builds). semver.coerce reads the numbers; Go's
 * prerelease suffixes are not semver's, hence coerce, not parse.
 */
export function goMinorOf(version: string): string | undefined {
  const v = version.trim().replace(/^go/, '')
  if (!/^\d+\.\d+(?:\D|$)/.test(v)) return undefined
  const c = semver.coerce(v)
  return c ? `${c.major}.${c.minor}` : undefined
}

const SPEC_EXAMPLES = "1.22.3, 1.22, 1.22.x, ^1.21, '>=1.21 <1.23', 1.23rc1, stable or oldstable"

/** ` (go.mod:3)` when the request was read from a line of a file. */
function at(request: VersionRequest): string {
  return request.location ? ` (${request.location})` : ''
}

function malformed(request: VersionRequest, why: string): InputError {
  if (request.input === 'go-version') {
    return new InputError(
      'go-version',
      `Input 'go-version' is '${request.spec}'; ${why} Use a Go version like ${SPEC_EXAMPLES}.`
    )
  }
  return new InputError(
    'go-version-file',
    `The ${request.origin}${at(request)} says '${request.spec}', which is not a Go version (${why.replace(/\.$/, '')}). Write a version like 1.22.3 there, or set input 'go-version'.`
  )
}

/** Parse what the user wrote into a spec. Throws an InputError naming the input, the value and the fix. */
export function parseSpec(request: VersionRequest): VersionSpec {
  const raw = request.spec.trim()
  const lower = raw.toLowerCase()
  if (lower === '') throw malformed(request, 'it is empty.')
  if (lower === 'stable' || lower === 'oldstable') return { kind: lower, request }
  // Users write go1.22.3 (as `go version` prints it) or v1.22.3 (as module versions look).
  const v = lower.replace(/^go(?=\d)/, '').replace(/^v(?=\d)/, '')

  // Exact releases in Go's spelling: 1.22.3, 1.23rc1, 1.21.0rc2 (never published, but well-formed).
  if (/^\d+\.\d+\.\d+$/.test(v) || /^\d+\.\d+(?:\.\d+)?(?:alpha|beta|rc)\d+$/.test(v)) {
    return supported({ kind: 'exact', semver: goToSemver(v) as string, request })
  }
  // A release already in semver spelling, prerelease included: 1.23.0-rc.1.
  const asSemver = semver.valid(v)
  if (asSemver) return supported({ kind: 'exact', semver: asSemver, request })
  if (/^\d+\.\d+\.\d+\./.test(v)) throw malformed(request, 'Go versions have at most three numbers.')
  // 1.22 (the newest 1.22.x), 1.22.x, ^1.21, >=1.21 <1.23, ~1.21.3, 1.21 - 1.22, 1.21 || 1.22.
  const range = semver.validRange(v)
  if (range !== null) return supported({ kind: 'range', range: v, request })
  throw malformed(request, 'it is neither a Go version nor a semver range.')
}

/**
 * The oldest Go the action works with: `go env GOMODCACHE`, which the cache, its verification and the
 * download all rely on, exists from Go 1.15 (older go prints nothing for it).
 */
export const OLDEST_SUPPORTED_GO = '1.15'

/** The spec, or an InputError when every version it allows is older than OLDEST_SUPPORTED_GO. */
function supported(spec: VersionSpec & { kind: 'exact' | 'range' }): VersionSpec {
  const floor = `>=${OLDEST_SUPPORTED_GO}.0-0`
  const allowed =
    spec.kind === 'exact'
      ? semver.satisfies(spec.semver, floor, { includePrerelease: true })
      : semver.intersects(spec.range, floor, { includePrerelease: true })
  if (allowed) return spec
  const { request } = spec
  const why = `it asks for a Go older than ${OLDEST_SUPPORTED_GO}, the oldest this action supports (go env GOMODCACHE, which the module cache relies on, exists from Go ${OLDEST_SUPPORTED_GO})`
  if (request.input === 'go-version') {
    // YAML reads an unquoted 1.20 as the number 1.2 (actions/setup-go#326).
    const written = request.spec.trim()
    // 1.2 to 1.9 only: 1.1 would mean 1.10, itself too old.
    const yaml = /^1\.[2-9]$/.test(written)
      ? ` If you meant ${written}0, quote it: go-version: '${written}0' (YAML reads an unquoted ${written}0 as the number ${written}).`
      : ` Use ${OLDEST_SUPPORTED_GO} or newer, e.g. go-version: stable.`
    throw new InputError('go-version', `Input 'go-version' is '${request.spec}'; ${why}.${yaml}`)
  }
  throw new InputError(
    'go-version-file',
    `The ${request.origin}${at(request)} says '${request.spec}'; ${why}. The go line is a minimum: raise it (any newer Go builds the module), or set input 'go-version', e.g. stable.`
  )
}

/** The release's archive for this platform (go.dev also lists installers and sources), if it has one. */
export function archiveFor(release: GoRelease, platform: Platform): GoFile | undefined {
  return release.files.find((f) => f.os === platform.os && f.arch === platform.arch && f.kind === 'archive')
}

function newestFirst(a: GoRelease, b: GoRelease): number {
  return semver.rcompare(a.semver, b.semver)
}

function newestStable(releases: GoRelease[]): GoRelease | undefined {
  return releases.filter((r) => r.stable && semver.prerelease(r.semver) === null).sort(newestFirst)[0]
}

/**
 * The release a spec means, among the releases published for this platform:
 * - exact: that version;
 * - range: the newest stable release in it (a prerelease only when the range names one, as semver does;
 *   or, for a go.mod `go 1.23` line, the newest 1.23 prerelease when 1.23.0 is not out yet, which go
 *   itself accepts);
 * - stable: the newest stable release; oldstable: the newest release of the minor line before it (what
 *   go.dev calls the two supported lines).
 */
export function resolveVersion(
  spec: VersionSpec,
  releases: GoRelease[],
  platform: Platform
): GoRelease | undefined {
  const available = releases.filter((r) => archiveFor(r, platform) !== undefined)
  switch (spec.kind) {
    case 'exact':
      return available.find((r) => semver.eq(r.semver, spec.semver))
    case 'range': {
      const pick = (includePrerelease: boolean) => {
        const best = semver.maxSatisfying(
          available.map((r) => r.semver),
          spec.range,
          { includePrerelease }
        )
        return best === null ? undefined : available.find((r) => r.semver === best)
      }
      const stable = pick(false)
      if (stable || !spec.request.languageVersion) return stable
      return pick(true)
    }
    case 'stable':
      return newestStable(available)
    case 'oldstable': {
      const newest = newestStable(available)
      if (!newest) return undefined
      const line = semver.parse(newest.semver) as semver.SemVer
      return newestStable(
        available.filter((r) => {
          const v = semver.parse(r.semver) as semver.SemVer
          return v.major < line.major || (v.major === line.major && v.minor < line.minor)
        })
      )
    }
  }
}

/**
 * Whether the tool cache may answer without a listing, and with which of its versions (semver, as the
 * tool cache names its directories). Exact versions always may; ranges only without check-latest (which
 * asks for the newest release, so the listing decides and the cache is used only when it has that one);
 * stable/oldstable move with every release, so they always need the listing.
 */
export function selectCached(spec: VersionSpec, cached: string[], checkLatest: boolean): string | undefined {
  const versions = cached.filter((v) => semver.valid(v) !== null)
  switch (spec.kind) {
    case 'exact':
      return versions.find((v) => semver.eq(v, spec.semver))
    case 'range': {
      if (checkLatest) return undefined
      const stable = semver.maxSatisfying(versions, spec.range)
      if (stable !== null || !spec.request.languageVersion) return stable ?? undefined
      return semver.maxSatisfying(versions, spec.range, { includePrerelease: true }) ?? undefined
    }
    default:
      return undefined
  }
}

/**
 * Up to `count` published versions nearest to what was asked (same minor line first), newest first, for
 * an error message that lets the user pick one.
 */
export function nearestVersions(
  spec: VersionSpec,
  releases: GoRelease[],
  platform: Platform,
  count = 5
): string[] {
  const available = releases.filter((r) => archiveFor(r, platform) !== undefined)
  let target: semver.SemVer | null = null
  if (spec.kind === 'exact') target = semver.parse(spec.semver)
  else if (spec.kind === 'range') target = semver.minVersion(spec.range)
  const wantPrerelease = target !== null && target.prerelease.length > 0
  const candidates = available.filter((r) => wantPrerelease || semver.prerelease(r.semver) === null)
  if (!target)
    return candidates
      .sort(newestFirst)
      .slice(0, count)
      .map((r) => r.version)
  const t = target
  const distance = (r: GoRelease) => {
    const v = semver.parse(r.semver) as semver.SemVer
    const lines = Math.abs(v.major - t.major) * 1000 + Math.abs(v.minor - t.minor)
    // In the asked-for line, the nearest patches; in other lines, their newest patches first.
    return lines * 1000 + (lines === 0 ? Math.abs(v.patch - t.patch) : 999 - Math.min(v.patch, 999))
  }
  return candidates
    .map((r) => ({ r, d: distance(r) }))
    .sort((a, b) => a.d - b.d || newestFirst(a.r, b.r))
    .slice(0, count)
    .map((x) => x.r)
    .sort(newestFirst)
    .map((r) => r.version)
}

/** The error for a spec no release satisfies: what was asked, where it was looked up, what exists. */
export function notFoundMessage(
  spec: VersionSpec,
  releases: GoRelease[],
  platform: Platform,
  where: string
): string {
  const nearest = nearestVersions(spec, releases, platform)
  const asked =
    spec.request.input === 'go-version'
      ? `Input 'go-version' is '${spec.request.spec}'`
      : `The ${spec.request.origin} (${spec.request.location ? `${spec.request.location}, ` : ''}input 'go-version-file') asks for '${spec.request.spec}'`
  const what =
    spec.kind === 'range'
      ? `no stable Go release in that range is published for ${platformLabel(platform)}`
      : `that Go release is not published for ${platformLabel(platform)}`
  const fix =
    spec.request.input === 'go-version'
      ? "Set 'go-version' to one of them"
      : "Change the file to one of them, or set input 'go-version'"
  return nearest.length > 0
    ? `${asked}, but ${what} in ${where}. Nearest available: ${nearest.join(', ')}. ${fix}.`
    : `${asked}, but ${where} lists no Go release for ${platformLabel(platform)} at all. Check input 'architecture' and the listing.`
}

/**
 * Which input decides the version. Both given: go-version wins (with a warning, as actions/setup-go);
 * neither: the Go already on PATH.
 */
export function chooseVersionInput(
  version: string,
  versionFile: string
): { use: 'go-version' | 'go-version-file' | 'path'; warning?: string } {
  if (version !== '' && versionFile !== '') {
    return {
      use: 'go-version',
      warning: `Both inputs 'go-version' ('${version}') and 'go-version-file' ('${versionFile}') are set; using 'go-version'. Remove one of them to silence this warning.`
    }
  }
  if (version !== '') return { use: 'go-version' }
  if (versionFile !== '') return { use: 'go-version-file' }
  return { use: 'path' }
}

/** Go toolchain names: go1.22.3, go1.23rc1, and custom builds with a suffix (go1.22.3-corp). */
const TOOLCHAIN = /^go(\d+(?:\.\d+){0,2}(?:(?:alpha|beta|rc)\d+)?)(?:[-+].*)?$/

function stripComment(line: string, marker: string): string {
  const i = line.indexOf(marker)
  return (i >= 0 ? line.slice(0, i) : line).trim()
}

/**
 * go.mod / go.work: the `toolchain` line when present (the toolchain the module asks for), else the `go`
 * line. As go does, the newer of the two wins: a toolchain line older than the go line is ignored (go
 * mod tidy removes such lines), and `toolchain default` means "the go line".
 * `go 1.21.0` names a release and is installed exactly; `go 1.21` is a language version, for which go's
 * own toolchain switch picks the newest 1.21.x release, and so do we.
 */
function parseGoMod(filePath: string, content: string): VersionRequest | undefined {
  const base = path.basename(filePath)
  const file = parseGoModFile(content)
  const input: VersionInput = 'go-version-file'
  const { go, toolchain } = file
  const fromGoLine = (): VersionRequest | undefined =>
    go === undefined
      ? undefined
      : {
          spec: go.version,
          origin: `${base} go line`,
          input,
          location: `${filePath}:${go.line}`,
          languageVersion: /^\d+\.\d+$/.test(go.version)
        }
  if (toolchain === undefined || toolchain.name === 'default') return fromGoLine()
  const location = `${filePath}:${toolchain.line}`
  const m = TOOLCHAIN.exec(toolchain.name)
  if (!m) return { spec: toolchain.name, origin: `${base} toolchain line`, input, location }
  const toolchainVersion = m[1] as string
  const goSemver = go === undefined ? undefined : languageSemver(go.version)
  const tcSemver = goToSemver(toolchainVersion)
  if (goSemver && tcSemver && semver.lt(tcSemver, goSemver)) return fromGoLine()
  return { spec: toolchainVersion, origin: `${base} toolchain line`, input, location }
}

/** asdf / mise: `golang 1.22.3` (asdf's plugin name) or `go 1.22.3` (mise); the first version on the line. */
function parseToolVersions(filePath: string, content: string): VersionRequest | undefined {
  const lines = content.split(/\r?\n/)
  for (const [i, raw] of lines.entries()) {
    const m = /^(golang|go)\s+(\S+)/.exec(stripComment(raw, '#'))
    if (m)
      return {
        spec: m[2] as string,
        origin: `.tool-versions ${m[1]} line`,
        input: 'go-version-file',
        location: `${filePath}:${i + 1}`
      }
  }
  return undefined
}

/** .go-version (goenv) and any other plain file: the first non-empty, non-comment line. */
function parsePlain(filePath: string, content: string): VersionRequest | undefined {
  const lines = content.split(/\r?\n/)
  for (const [i, raw] of lines.entries()) {
    const line = stripComment(raw, '#')
    if (line !== '')
      return {
        spec: line,
        origin: path.basename(filePath),
        input: 'go-version-file',
        location: `${filePath}:${i + 1}`
      }
  }
  return undefined
}

/**
 * Read the version a file asks for. The kind of file is told by its name: go.mod and go.work (or any
 * `*.mod` / `*.work`), .tool-versions, else a plain version file like .go-version. Throws an InputError
 * when the file names no version. `filePath` is how messages name the file (`location`: `go.mod:3`).
 */
export function parseVersionFile(filePath: string, content: string): VersionRequest {
  const base = path.basename(filePath)
  let request: VersionRequest | undefined
  let expected: string
  if (base.endsWith('.mod') || base.endsWith('.work')) {
    request = parseGoMod(filePath, content)
    expected = "a 'go 1.22' or 'toolchain go1.22.3' line"
  } else if (base === '.tool-versions') {
    request = parseToolVersions(filePath, content)
    expected = "a 'golang 1.22.3' line"
  } else {
    request = parsePlain(filePath, content)
    expected = 'a version like 1.22.3 on its first line'
  }
  if (!request) {
    throw new InputError(
      'go-version-file',
      `Input 'go-version-file' is '${filePath}', but that file names no Go version: expected ${expected}. Add one, or set input 'go-version'.`
    )
  }
  return request
}

/** Releases from a go.dev-style listing (`<base>/?mode=json&include=all`). Unparseable entries are skipped. */
export function parseListing(json: unknown, source: string): GoRelease[] {
  if (!Array.isArray(json))
    throw new Error(`The Go release listing at ${source} is not a JSON array of releases.`)
  const out: GoRelease[] = []
  for (const entry of json as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue
    const e = entry as { version?: unknown; stable?: unknown; files?: unknown }
    if (typeof e.version !== 'string') continue
    const sv = goToSemver(e.version)
    if (!sv) continue
    const files: GoFile[] = []
    for (const f of Array.isArray(e.files) ? (e.files as unknown[]) : []) {
      if (typeof f !== 'object' || f === null) continue
      const file = f as Record<string, unknown>
      if (typeof file.filename !== 'string') continue
      files.push({
        filename: file.filename,
        os: typeof file.os === 'string' ? file.os : '',
        arch: typeof file.arch === 'string' ? file.arch : '',
        kind: typeof file.kind === 'string' ? file.kind : '',
        sha256: typeof file.sha256 === 'string' ? file.sha256.toLowerCase() : '',
        size: typeof file.size === 'number' ? file.size : 0
      })
    }
    out.push({ version: e.version.replace(/^go/, ''), semver: sv, stable: e.stable === true, files })
  }
  return out
}

/**
 * Releases from the actions/go-versions manifest. It names platforms and arches as Node does (win32,
 * x64) and publishes no checksums; its archives hold the Go tree at the top level, not under `go/`.
 */
export function parseManifest(json: unknown, source: string): GoRelease[] {
  if (!Array.isArray(json)) throw new Error(`The Go versions manifest at ${source} is not a JSON array.`)
  const out: GoRelease[] = []
  for (const entry of json as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue
    const e = entry as { version?: unknown; stable?: unknown; files?: unknown }
    if (typeof e.version !== 'string') continue
    const sv = semver.valid(e.version) ?? goToSemver(e.version)
    if (!sv) continue
    const files: GoFile[] = []
    for (const f of Array.isArray(e.files) ? (e.files as unknown[]) : []) {
      if (typeof f !== 'object' || f === null) continue
      const file = f as Record<string, unknown>
      if (typeof file.filename !== 'string' || typeof file.download_url !== 'string') continue
      const os = goOSFromManifest(typeof file.platform === 'string' ? file.platform : '')
      const arch = goArch(typeof file.arch === 'string' ? file.arch : '')
      if (!os || !arch) continue
      files.push({
        filename: file.filename,
        os,
        arch,
        kind: 'archive',
        sha256: '',
        size: 0,
        url: file.download_url
      })
    }
    out.push({ version: semverToGo(sv), semver: sv, stable: e.stable === true, files })
  }
  return out
}

/** How a request reads in logs: `'1.22' from the go.mod toolchain line`, `go-version '1.22'`. */
export function describeRequest(request: VersionRequest): string {
  return request.input === 'go-version'
    ? `go-version '${request.spec}'`
    : `'${request.spec}' from the ${request.origin}`
}
