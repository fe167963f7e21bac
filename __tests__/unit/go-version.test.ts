import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import semver from 'semver'
import { inputErrorOf } from '../helpers/input-error.ts'
import type { Platform } from '../../src/go/platform.js'
import {
  type GoRelease,
  type VersionRequest,
  type VersionSpec,
  chooseVersionInput,
  goMinorOf,
  goToSemver,
  goVersionAtLeast,
  nearestVersions,
  notFoundMessage,
  parseListing,
  parseManifest,
  parseSpec,
  parseVersionFile,
  resolveVersion,
  selectCached,
  semverToGo,
  OLDEST_SUPPORTED_GO
} from '../../src/go/version.js'

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'go')
const fixture = (name: string) => path.join(FIXTURES, name)
const readFixture = (name: string) => fs.readFileSync(fixture(name), 'utf8')

const LISTING: GoRelease[] = parseListing(JSON.parse(readFixture('golang-dl.json')), 'golang-dl.json')
const LINUX: Platform = { os: 'linux', arch: 'amd64' }
const DARWIN_ARM: Platform = { os: 'darwin', arch: 'arm64' }
const WINDOWS_ARM: Platform = { os: 'windows', arch: 'arm64' }

const input = (spec: string): VersionRequest => ({ spec, origin: "input 'go-version'", input: 'go-version' })
const spec = (s: string): VersionSpec => parseSpec(input(s))
const resolve = (s: string, platform: Platform = LINUX) => resolveVersion(spec(s), LISTING, platform)?.version
const fromFile = (name: string) => parseVersionFile(fixture(name), readFixture(name))

describe('Go version spelling <-> semver', () => {
  it.each([
    ['1.22.3', '1.22.3'],
    ['go1.22.3', '1.22.3'],
    ['1.20', '1.20.0'],
    ['1.21.0', '1.21.0'],
    ['1.23rc1', '1.23.0-rc.1'],
    ['1.21beta1', '1.21.0-beta.1'],
    ['1', '1.0.0']
  ])('reads %s as semver %s', (go, sv) => {
    expect(goToSemver(go)).toBe(sv)
  })

  it.each(['1.22.x', 'stable', '1.22.3.4', '', 'latest'])('refuses %p as a Go version', (v) => {
    expect(goToSemver(v)).toBeUndefined()
  })

  it.each([
    ['1.20.0', '1.20'],
    ['1.19.8', '1.19.8'],
    ['1.21.0', '1.21.0'],
    ['1.23.0-rc.1', '1.23rc1'],
    ['1.18.0-beta.1', '1.18beta1']
  ])('writes semver %s as Go spells it: %s', (sv, go) => {
    expect(semverToGo(sv)).toBe(go)
  })

  it('round-trips every version of the go.dev listing', () => {
    for (const r of LISTING) expect(semverToGo(goToSemver(r.version) as string)).toBe(r.version)
  })

  it("keeps Go's ordering: go1.20.14 < go1.21rc2 < go1.21rc4 < go1.21.0 < go1.21.1 < go1.21.10", () => {
    const inGoOrder = ['go1.20.14', 'go1.21rc2', 'go1.21rc4', 'go1.21.0', 'go1.21.1', 'go1.21.10']
    const asSemver = inGoOrder.map((v) => goToSemver(v) as string)
    expect([...asSemver].reverse().sort(semver.compare)).toEqual(asSemver)
  })
})

describe('parseSpec', () => {
  it.each([
    ['1.22.3', 'exact'],
    ['go1.22.3', 'exact'],
    ['v1.22.3', 'exact'],
    ['1.23rc1', 'exact'],
    ['1.23beta1', 'exact'],
    ['1.23.0-rc.1', 'exact'],
    ['1.22', 'range'],
    ['1.22.x', 'range'],
    ['1.x', 'range'],
    ['^1.21', 'range'],
    ['~1.21.3', 'range'],
    ['>=1.21 <1.23', 'range'],
    ['stable', 'stable'],
    ['Stable', 'stable'],
    ['oldstable', 'oldstable']
  ])('reads %p as %s', (s, kind) => {
    expect(spec(s).kind).toBe(kind)
  })

  it.each(['', 'latest-ish', '1.22.3.4', 'one.two', '1.2x', 'go', '>=go1.21'])(
    'refuses %p naming the input, the value and examples',
    (s) => {
      const error = inputErrorOf(() => spec(s))
      expect(error.input).toBe('go-version')
      expect(error.message).toContain(`Input 'go-version' is '${s}'`)
      expect(error.message).toContain('1.22.3, 1.22, 1.22.x')
    }
  )

  it('names the file and the line when a version file holds garbage', () => {
    const request = parseVersionFile('/repo/.go-version', 'one-point-twenty-two\n')
    const error = inputErrorOf(() => parseSpec(request))
    expect(error.input).toBe('go-version-file')
    expect(error.message).toContain("The .go-version (/repo/.go-version:1) says 'one-point-twenty-two'")
    expect(error.message).toContain("set input 'go-version'")
  })

  it('refuses an unquoted 1.20 (YAML makes it 1.2) with the quoting fix, before any listing is read', () => {
    const error = inputErrorOf(() => spec('1.2'))
    expect(error.input).toBe('go-version')
    expect(error.message).toContain("Input 'go-version' is '1.2'; it asks for a Go older than 1.15")
    expect(error.message).toContain(
      "quote it: go-version: '1.20' (YAML reads an unquoted 1.20 as the number 1.2)"
    )
  })

  it.each(['1.14.15', '1.14', '1.13.x', '>=1.10 <1.15', 'go1.12', '1.1'])(
    'refuses %p: every version it allows is older than the oldest supported Go',
    (s) => {
      const error = inputErrorOf(() => spec(s))
      expect(error.message).toContain(
        `Input 'go-version' is '${s}'; it asks for a Go older than ${OLDEST_SUPPORTED_GO}`
      )
      expect(error.message).toContain('Use 1.15 or newer')
    }
  )

  it.each(['1.15', '1.15.0', '1.15rc1', '^1.2', '>=1.10', '1.14 || 1.22', '1.26.x'])(
    'accepts %p: it allows a supported Go',
    (s) => {
      expect(() => spec(s)).not.toThrow()
    }
  )

  it('refuses a go.mod whose go line asks for an unsupported Go, naming the line and the fix', () => {
    const request = parseVersionFile('go.mod', 'module example.com/old\n\ngo 1.12\n')
    const error = inputErrorOf(() => parseSpec(request))
    expect(error.input).toBe('go-version-file')
    expect(error.message).toContain("(go.mod:3) says '1.12'; it asks for a Go older than 1.15")
    expect(error.message).toContain('The go line is a minimum: raise it')
  })
})

describe('resolveVersion against the go.dev listing', () => {
  it.each([
    ['1.22.3', '1.22.3'],
    ['1.22', '1.22.5'],
    ['1.22.x', '1.22.5'],
    ['^1.21', '1.22.5'],
    ['~1.21.3', '1.21.12'],
    ['>=1.21 <1.22', '1.21.12'],
    ['>=1.19 <1.21', '1.20.14'],
    ['1.20', '1.20.14'],
    ['1.20.0', '1.20'],
    ['1.23rc1', '1.23rc1'],
    ['1.21rc2', '1.21rc2'],
    ['1.18beta1', '1.18beta1'],
    ['stable', '1.22.5'],
    ['oldstable', '1.21.12']
  ])('resolves %p to %s', (s, version) => {
    expect(resolve(s)).toBe(version)
  })

  it('never picks a release candidate for a range that names no prerelease', () => {
    // 1.23rc1 is the newest entry in the listing and satisfies >=1.22 only as a prerelease.
    expect(resolve('>=1.22')).toBe('1.22.5')
    expect(resolve('1.23')).toBeUndefined()
  })

  it('accepts the newest prerelease for a go.mod language version that has no release yet', () => {
    const request: VersionRequest = {
      spec: '1.23',
      origin: 'go.mod go line',
      input: 'go-version-file',
      languageVersion: true
    }
    expect(resolveVersion(parseSpec(request), LISTING, LINUX)?.version).toBe('1.23rc1')
  })

  it('does not resolve go1.21rc1, which was never published', () => {
    expect(resolve('1.21rc1')).toBeUndefined()
  })

  it('resolves only releases published for the platform', () => {
    // darwin-arm64 archives start at go1.16, windows-arm64 at go1.17.
    expect(resolve('1.15.15', DARWIN_ARM)).toBeUndefined()
    expect(resolve('1.15.15', LINUX)).toBe('1.15.15')
    expect(resolve('1.16', WINDOWS_ARM)).toBeUndefined()
    expect(resolve('<1.17', DARWIN_ARM)).toBe('1.16.15')
    expect(resolve('1.16.15', { os: 'linux', arch: 'armv6l' })).toBe('1.16.15')
  })

  it('finds nothing for a version the listing does not have', () => {
    expect(resolve('1.22.99')).toBeUndefined()
    expect(resolve('1.99')).toBeUndefined()
  })

  it('picks stable and oldstable from the stable flags, not from the newest entry', () => {
    const listing = LISTING.filter((r) => !r.version.startsWith('1.22'))
    expect(resolveVersion(spec('stable'), listing, LINUX)?.version).toBe('1.21.12')
    expect(resolveVersion(spec('oldstable'), listing, LINUX)?.version).toBe('1.20.14')
  })
})

describe('nearestVersions and the not-found message', () => {
  it('lists the same minor line first for an unknown patch', () => {
    expect(nearestVersions(spec('1.22.99'), LISTING, LINUX, 3)).toEqual(['1.22.5', '1.22.4', '1.22.3'])
  })

  it('lists neighbouring lines for an unknown minor line', () => {
    const nearest = nearestVersions(spec('1.99'), LISTING, LINUX, 2)
    expect(nearest).toEqual(['1.22.5', '1.22.4'])
  })

  it('includes prereleases only when a prerelease was asked for', () => {
    expect(nearestVersions(spec('1.22.6'), LISTING, LINUX).some((v) => v.includes('rc'))).toBe(false)
    expect(nearestVersions(spec('1.21rc1'), LISTING, LINUX)).toContain('1.21rc2')
  })

  it('tells the user what was asked, where, and what exists', () => {
    const message = notFoundMessage(
      spec('1.22.99'),
      LISTING,
      LINUX,
      'https://go.dev/dl/?mode=json&include=all'
    )
    expect(message).toContain("Input 'go-version' is '1.22.99'")
    expect(message).toContain('linux-amd64')
    expect(message).toContain('https://go.dev/dl/?mode=json&include=all')
    expect(message).toMatch(/Nearest available: 1\.22\.5, 1\.22\.4, /)
  })

  it('points a version-file user at the file', () => {
    const request = parseVersionFile('sub/go.mod', 'module x\n\ngo 1.22\n\ntoolchain go1.22.99\n')
    const message = notFoundMessage(parseSpec(request), LISTING, LINUX, 'the mirror')
    expect(message).toContain(
      "The go.mod toolchain line (sub/go.mod:5, input 'go-version-file') asks for '1.22.99'"
    )
    expect(message).toContain("Change the file to one of them, or set input 'go-version'")
  })
})

describe('selectCached (the runner tool cache)', () => {
  const cached = ['1.21.5', '1.22.1', '1.22.3', '1.20.14', 'not-a-version']

  it('finds an exact version, with or without check-latest', () => {
    expect(selectCached(spec('1.22.3'), cached, false)).toBe('1.22.3')
    expect(selectCached(spec('1.22.3'), cached, true)).toBe('1.22.3')
    expect(selectCached(spec('1.22.2'), cached, false)).toBeUndefined()
  })

  it('answers a range with the newest cached match unless check-latest is set', () => {
    expect(selectCached(spec('1.22'), cached, false)).toBe('1.22.3')
    expect(selectCached(spec('^1.20'), cached, false)).toBe('1.22.3')
    expect(selectCached(spec('1.22'), cached, true)).toBeUndefined()
  })

  it('always asks the listing for stable and oldstable', () => {
    expect(selectCached(spec('stable'), cached, false)).toBeUndefined()
    expect(selectCached(spec('oldstable'), cached, false)).toBeUndefined()
  })

  it('finds a cached prerelease by its exact name', () => {
    expect(selectCached(spec('1.23rc1'), ['1.23.0-rc.1'], false)).toBe('1.23.0-rc.1')
    expect(selectCached(spec('1.23'), ['1.23.0-rc.1'], false)).toBeUndefined()
  })
})

describe('parseVersionFile with real files', () => {
  it('prefers the go.mod toolchain line over the go line', () => {
    expect(fromFile('toolchain/go.mod')).toEqual({
      spec: '1.22.3',
      origin: 'go.mod toolchain line',
      input: 'go-version-file',
      location: `${fixture('toolchain/go.mod')}:5`
    })
  })

  it('reads a go line without a patch as a language version (newest patch release)', () => {
    const request = fromFile('go-line/go.mod')
    expect(request).toEqual({
      spec: '1.21',
      origin: 'go.mod go line',
      input: 'go-version-file',
      location: `${fixture('go-line/go.mod')}:3`,
      languageVersion: true
    })
    expect(resolveVersion(parseSpec(request), LISTING, LINUX)?.version).toBe('1.21.12')
  })

  it('reads a go line with a patch as that exact release', () => {
    const request = fromFile('go-patch/go.mod')
    expect(request.spec).toBe('1.21.0')
    expect(request.languageVersion).toBe(false)
    expect(resolveVersion(parseSpec(request), LISTING, LINUX)?.version).toBe('1.21.0')
  })

  it('reads a pre-1.21 go line as its minor line (go1.16 had no .0 release name)', () => {
    const request = fromFile('go-old/go.mod')
    expect(request.spec).toBe('1.16')
    expect(resolveVersion(parseSpec(request), LISTING, LINUX)?.version).toBe('1.16.15')
  })

  it('ignores a toolchain line older than the go line, as go does', () => {
    expect(fromFile('toolchain-older/go.mod')).toMatchObject({ spec: '1.22.5', origin: 'go.mod go line' })
  })

  it('treats toolchain default as the go line', () => {
    expect(fromFile('toolchain-default/go.mod')).toMatchObject({ spec: '1.22.1', origin: 'go.mod go line' })
  })

  it('reads go.work the same way', () => {
    expect(fromFile('workspace/go.work')).toEqual({
      spec: '1.22.5',
      origin: 'go.work toolchain line',
      input: 'go-version-file',
      location: `${fixture('workspace/go.work')}:3`
    })
  })

  it('strips a custom toolchain suffix', () => {
    expect(parseVersionFile('go.mod', 'module m\ngo 1.22\ntoolchain go1.22.3-corp.1\n').spec).toBe('1.22.3')
  })

  it('reads a toolchain release candidate', () => {
    const request = parseVersionFile('go.mod', 'module m\r\ngo 1.22\r\ntoolchain go1.23rc1\r\n')
    expect(request.spec).toBe('1.23rc1')
    expect(resolveVersion(parseSpec(request), LISTING, LINUX)?.version).toBe('1.23rc1')
  })

  it('reads .go-version', () => {
    expect(fromFile('.go-version')).toEqual({
      spec: '1.22.3',
      origin: '.go-version',
      input: 'go-version-file',
      location: `${fixture('.go-version')}:1`
    })
  })

  it('reads the first golang version of .tool-versions and skips other tools', () => {
    expect(fromFile('.tool-versions')).toEqual({
      spec: '1.22.3',
      origin: '.tool-versions golang line',
      input: 'go-version-file',
      location: `${fixture('.tool-versions')}:${
        readFixture('.tool-versions')
          .split('\n')
          .findIndex((l) => l.startsWith('golang')) + 1
      }`
    })
  })

  it('reads mise-style go lines in .tool-versions', () => {
    expect(parseVersionFile('.tool-versions', 'go 1.21.5\n').spec).toBe('1.21.5')
  })

  it.each([
    ['no-version/go.mod', "a 'go 1.22' or 'toolchain go1.22.3' line"],
    ['.tool-versions-empty', 'a version like 1.22.3']
  ])('fails for %s, which names no version, naming the file and the fix', (name, expected) => {
    const content = name.endsWith('go.mod') ? readFixture(name) : '# nothing here\n\n'
    const error = inputErrorOf(() => parseVersionFile(fixture(name), content))
    expect(error.input).toBe('go-version-file')
    expect(error.message).toContain(fixture(name))
    expect(error.message).toContain(expected)
    expect(error.message).toContain("set input 'go-version'")
  })

  it('fails for a .tool-versions without a golang line', () => {
    const error = inputErrorOf(() => parseVersionFile('/r/.tool-versions', 'nodejs 20.11.0\n'))
    expect(error.message).toContain("expected a 'golang 1.22.3' line")
  })
})

describe('goVersionAtLeast and goMinorOf (Go order: 1.21 < 1.21rc1 < 1.21.0 < 1.21.1)', () => {
  it.each([
    ['1.26.8', '1.24', true],
    ['go1.26.8', 'go1.26.8', true],
    ['1.24rc1', '1.24', true],
    ['1.24rc1', '1.24.0', false],
    ['1.21', '1.21rc1', false],
    ['1.21rc2', '1.21rc1', true],
    ['1.21', '1.21.0', false],
    ['1.22.0', '1.21', true],
    ['1.21.0', '1.22', false],
    ['1.9', '1.10', false],
    ['1.20', '1.19.13', true],
    ['1.23beta1', '1.23rc1', false],
    ['devel', '1.21', false],
    ['1.21', 'not-a-version', true]
  ])('goVersionAtLeast(%s, %s) is %s', (a, b, expected) => {
    expect(goVersionAtLeast(a, b)).toBe(expected)
  })

  it.each([
    ['1.21rc1', '1.21'],
    ['1.22.0', '1.22'],
    ['1.21', '1.21'],
    ['go1.26.8', '1.26'],
    ['1.20', '1.20'],
    ['1.22.3', '1.22'],
    ['1.21rc2', '1.21'],
    ['1.19beta1', '1.19'],
    ['1.21alpha1', '1.21'],
    ['1.22.0-rc.1', '1.22'],
    ['1.22.3-corp', '1.22'],
    ['devel', undefined],
    ['devel +abc', undefined]
  ])('goMinorOf(%s) is %s', (v, expected) => {
    expect(goMinorOf(v)).toBe(expected)
  })
})

describe('version file locations', () => {
  it('names the line the version was read from, for go.mod go and toolchain lines', () => {
    const text = 'module m\n\n// the language\ngo 1.26\n'
    expect(parseVersionFile('go.mod', text).location).toBe('go.mod:4')
    expect(parseVersionFile('svc/go.mod', `${text}\ntoolchain go1.27.3\n`).location).toBe('svc/go.mod:6')
  })

  it('puts the location in the error for a version no source has', () => {
    const request = parseVersionFile('go.mod', 'module m\n\ngo 1.99\n')
    const message = notFoundMessage(parseSpec(request), LISTING, LINUX, 'the mirror')
    expect(message).toContain("The go.mod go line (go.mod:3, input 'go-version-file') asks for '1.99'")
  })

  it('puts the location in the error for a line that is not a version', () => {
    const error = inputErrorOf(() => parseSpec(parseVersionFile('go.mod', 'module m\ntoolchain gofast\n')))
    expect(error.message).toContain("The go.mod toolchain line (go.mod:2) says 'gofast'")
  })
})

describe('chooseVersionInput', () => {
  it('prefers go-version with a warning naming both inputs', () => {
    const choice = chooseVersionInput('1.22', '/repo/go.mod')
    expect(choice.use).toBe('go-version')
    expect(choice.warning).toContain("'go-version' ('1.22')")
    expect(choice.warning).toContain("'go-version-file' ('/repo/go.mod')")
  })

  it.each([
    ['1.22', '', 'go-version'],
    ['', 'go.mod', 'go-version-file'],
    ['', '', 'path']
  ])('go-version %p and go-version-file %p -> %s without a warning', (v, f, use) => {
    expect(chooseVersionInput(v, f)).toEqual({ use })
  })
})

describe('parseListing and parseManifest', () => {
  it('reads every release of the go.dev listing with its stable flag and files', () => {
    expect(LISTING).toHaveLength(30)
    const rc = LISTING.find((r) => r.version === '1.23rc1')
    expect(rc).toMatchObject({ semver: '1.23.0-rc.1', stable: false })
    const go120 = LISTING.find((r) => r.version === '1.20')
    expect(go120?.semver).toBe('1.20.0')
    const archive = go120?.files.find((f) => f.filename === 'go1.20.linux-amd64.tar.gz')
    expect(archive).toMatchObject({ os: 'linux', arch: 'amd64', kind: 'archive' })
    expect(archive?.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses a listing that is not an array, naming where it came from', () => {
    expect(() => parseListing({ error: 'rate limited' }, 'https://mirror/?mode=json')).toThrow(
      'https://mirror/?mode=json'
    )
  })

  it('skips entries it cannot read instead of failing the whole listing', () => {
    const releases = parseListing(
      [{ version: 'go1.22.3', stable: true, files: [] }, { version: 'weekly.2011-01-01' }, null, 7],
      't'
    )
    expect(releases.map((r) => r.version)).toEqual(['1.22.3'])
  })

  it('maps the manifest to Go names and keeps its download URLs', () => {
    const manifest = parseManifest(JSON.parse(readFixture('versions-manifest.json')), 'manifest')
    const r = manifest.find((m) => m.version === '1.22.5')
    expect(r?.files.map((f) => `${f.os}-${f.arch}`)).toEqual(['darwin-arm64', 'linux-amd64', 'windows-amd64'])
    expect(r?.files[2]?.url).toMatch(/go-1\.22\.5-win32-x64\.zip$/)
    expect(manifest.find((m) => m.semver === '1.23.0-rc.1')).toMatchObject({
      version: '1.23rc1',
      stable: false
    })
    expect(resolveVersion(spec('1.21'), manifest, { os: 'linux', arch: 'arm64' })?.version).toBe('1.21.12')
    expect(resolveVersion(spec('stable'), manifest, LINUX)?.version).toBe('1.22.5')
    expect(resolveVersion(spec('oldstable'), manifest, LINUX)?.version).toBe('1.21.12')
  })
})
