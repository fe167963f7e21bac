import { describe, expect, it } from '@jest/globals'
import path from 'node:path'
import {
  BUILD_KEY_PREFIX,
  cacheKey,
  commonDirectory,
  defaultKeyPatterns,
  escapeGlob,
  exclusionBase,
  inExcludedDir,
  MAX_SUFFIX_LENGTH,
  normaliseSuffix,
  resolvePatterns,
  runnerPlatform,
  buildPlatform,
  selectKeyFiles
} from '../../src/cache/key.js'
import { InputError } from '../../src/inputs.js'

const HASH = 'a3f1c0de'.repeat(8)

describe('cacheKey', () => {
  it('puts os, arch, Go version and hash in the key', () => {
    const { key } = cacheKey({ os: 'linux', arch: 'x64', goVersion: '1.22.3', hash: HASH })
    expect(key).toBe(`setup-go-deps-linux-x64-go1.22.3-${HASH}`)
  })

  it('restores the same Go version with any go.sum first, then any patch of the same minor', () => {
    const { key, restoreKeys } = cacheKey({ os: 'linux', arch: 'x64', goVersion: '1.22.3', hash: HASH })
    expect(restoreKeys).toEqual(['setup-go-deps-linux-x64-go1.22.3-', 'setup-go-deps-linux-x64-go1.22'])
    for (const prefix of restoreKeys) expect(key.startsWith(prefix)).toBe(true)
  })

  it('keeps the suffix inside every restore-key so matrix variants never restore each other', () => {
    const race = cacheKey({ os: 'linux', arch: 'x64', goVersion: '1.22.3', hash: HASH, suffix: 'race' })
    const plain = cacheKey({ os: 'linux', arch: 'x64', goVersion: '1.22.3', hash: HASH })
    expect(race.key).toBe(`setup-go-deps-linux-x64-race-go1.22.3-${HASH}`)
    for (const prefix of race.restoreKeys) {
      expect(prefix).toContain('-race-')
      expect(plain.key.startsWith(prefix)).toBe(false)
    }
    for (const prefix of plain.restoreKeys) expect(race.key.startsWith(prefix)).toBe(false)
  })

  it('changes with every part: os, arch, version, hash, suffix', () => {
    const base = { os: 'linux', arch: 'x64', goVersion: '1.22.3', hash: HASH, suffix: '' }
    const variants = [
      base,
      { ...base, os: 'macos' },
      { ...base, arch: 'arm64' },
      { ...base, goVersion: '1.22.4' },
      { ...base, hash: 'b'.repeat(64) },
      { ...base, suffix: 'x' }
    ].map((p) => cacheKey(p).key)
    expect(new Set(variants).size).toBe(variants.length)
  })

  it('a release without patch number (go1.20) and a release candidate restore from their minor', () => {
    expect(cacheKey({ os: 'linux', arch: 'x64', goVersion: '1.20', hash: HASH }).restoreKeys).toEqual([
      'setup-go-deps-linux-x64-go1.20-'
    ])
    const rc = cacheKey({ os: 'linux', arch: 'x64', goVersion: '1.23rc1', hash: HASH })
    expect(rc.restoreKeys).toEqual(['setup-go-deps-linux-x64-go1.23rc1-', 'setup-go-deps-linux-x64-go1.23'])
  })

  it('without key files the key is the version prefix and nothing more', () => {
    const { key, restoreKeys } = cacheKey({ os: 'linux', arch: 'x64', goVersion: '1.22.3', hash: '' })
    expect(key).toBe('setup-go-deps-linux-x64-go1.22.3')
    expect(restoreKeys).toEqual(['setup-go-deps-linux-x64-go1.22'])
  })

  it('builds the build-cache key under its own prefix', () => {
    const k = cacheKey({
      os: 'linux',
      arch: 'x64',
      goVersion: '1.22.3',
      hash: HASH,
      prefix: 'setup-go-deps-build'
    })
    expect(k.key.startsWith('setup-go-deps-build-linux-x64-go1.22.3-')).toBe(true)
    const mod = cacheKey({ os: 'linux', arch: 'x64', goVersion: '1.22.3', hash: HASH })
    for (const prefix of mod.restoreKeys) expect(k.key.startsWith(prefix)).toBe(false)
  })

  it('rejects a comma in cache-key-suffix, naming the input and a fix', () => {
    expect(() =>
      cacheKey({ os: 'linux', arch: 'x64', goVersion: '1.22.3', hash: HASH, suffix: 'a, b' })
    ).toThrow(InputError)
    expect(() => normaliseSuffix('a, b')).toThrow(/'cache-key-suffix' is 'a, b'.*e\.g\. 'a-b'/)
  })

  it('rejects a suffix that makes the key longer than the service accepts', () => {
    expect(() =>
      cacheKey({ os: 'linux', arch: 'x64', goVersion: '1.22.3', hash: HASH, suffix: 'x'.repeat(500) })
    ).toThrow(/cache-key-suffix.*512/)
  })

  it('refuses a suffix too long for any runner with the inputs, and the longest one allowed fits every key', () => {
    expect(() => normaliseSuffix('x'.repeat(MAX_SUFFIX_LENGTH + 1))).toThrow(/cache-key-suffix.*512/)
    const longest = 'x'.repeat(MAX_SUFFIX_LENGTH)
    const keys = cacheKey({
      os: 'windows',
      arch: 'ppc64le',
      goVersion: '1.100.100rc100',
      hash: HASH,
      suffix: longest,
      prefix: BUILD_KEY_PREFIX
    })
    expect(keys.key.length).toBeLessThanOrEqual(512)
  })

  it('replaces whitespace in the suffix', () => {
    expect(normaliseSuffix(' ubuntu latest ')).toBe('ubuntu_latest')
  })
})

describe('runnerPlatform', () => {
  it('names platforms as runner.os / runner.arch do', () => {
    expect(runnerPlatform('linux', 'x64')).toEqual({ os: 'linux', arch: 'x64' })
    expect(runnerPlatform('darwin', 'arm64')).toEqual({ os: 'macos', arch: 'arm64' })
    expect(runnerPlatform('win32', 'ia32')).toEqual({ os: 'windows', arch: 'x86' })
  })

  it("keys the build cache on the arch go compiles for when it is not the runner's", () => {
    const x64 = runnerPlatform('linux', 'x64')
    // architecture: 386 on an x64 runner, or GOARCH=arm64 for a cross build: their own build entries
    expect(buildPlatform(x64, 'x64', '386')).toEqual({ os: 'linux', arch: '386' })
    expect(buildPlatform(x64, 'x64', 'arm64')).toEqual({ os: 'linux', arch: 'arm64' })
    // native: the same names as the module cache's key (existing entries keep matching)
    expect(buildPlatform(x64, 'x64', 'amd64')).toEqual(x64)
    expect(buildPlatform(runnerPlatform('win32', 'ia32'), 'ia32', '386')).toEqual({
      os: 'windows',
      arch: 'x86'
    })
    expect(buildPlatform(runnerPlatform('darwin', 'arm64'), 'arm64', 'arm64')).toEqual({
      os: 'macos',
      arch: 'arm64'
    })
    expect(buildPlatform(x64, 'x64', undefined)).toEqual(x64)
  })
})

describe('selectKeyFiles', () => {
  const wd = '/w'
  it('keys on every go.sum and go.work.sum, sorted whatever the listing order', () => {
    const found = ['/w/b/go.sum', '/w/go.work.sum', '/w/a/go.sum', '/w/a/go.mod', '/w/b/go.mod']
    const expected = ['/w/a/go.sum', '/w/b/go.sum', '/w/go.work.sum']
    expect(selectKeyFiles(found, wd)).toEqual(expected)
    expect(selectKeyFiles([...found].reverse(), wd)).toEqual(expected)
  })

  it('falls back to go.mod for a module without go.sum', () => {
    expect(selectKeyFiles(['/w/go.mod', '/w/tool/go.mod', '/w/tool/go.sum'], wd)).toEqual([
      '/w/go.mod',
      '/w/tool/go.sum'
    ])
  })

  it('ignores vendor/ and testdata/ copies', () => {
    const found = ['/w/go.sum', '/w/vendor/x/go.sum', '/w/pkg/testdata/mod/go.mod', '/w/testdata/go.sum']
    expect(selectKeyFiles(found, wd)).toEqual(['/w/go.sum'])
  })

  it('returns nothing when nothing was found', () => {
    expect(selectKeyFiles([], wd)).toEqual([])
  })

  it('default patterns search go.sum, go.work.sum and go.mod below the working directory, excluding vendor and testdata', () => {
    expect(defaultKeyPatterns(`${wd}/`)).toEqual([
      '/w/**/go.sum',
      '/w/**/go.work.sum',
      '/w/**/go.mod',
      '!/w/**/vendor/**',
      '!/w/**/testdata/**'
    ])
  })

  it('resolves custom globs against the working directory and keeps exclusions', () => {
    expect(resolvePatterns(['go.sum', 'tools/**/go.sum', '!tools/old/**', '/abs/go.sum'], wd)).toEqual([
      '/w/go.sum',
      '/w/tools/**/go.sum',
      '!/w/tools/old/**',
      '/abs/go.sum'
    ])
  })
})

describe('glob helpers', () => {
  it('finds the deepest common directory of the key files', () => {
    expect(commonDirectory(['/w/a/go.sum', '/w/b/c/go.sum'])).toBe(path.normalize('/w'))
    expect(commonDirectory(['/w/a/go.sum'])).toBe(path.normalize('/w/a'))
    expect(commonDirectory(['/x/go.sum', '/y/go.sum'])).toBe(path.sep)
  })

  it('escapes glob syntax in literal paths', () => {
    expect(escapeGlob('/w/a[1]/b*/c?/go.sum')).toBe('/w/a[[]1]/b[*]/c[?]/go.sum')
  })
})

describe('inExcludedDir', () => {
  it('is true under vendor/ or testdata/ at any depth below the base, not for a file merely named so', () => {
    const w = path.join('/w')
    expect(inExcludedDir(path.join('/w', 'vendor', 'x', 'go.sum'), w)).toBe(true)
    expect(inExcludedDir(path.join('/w', 'a', 'testdata', 'go.mod'), w)).toBe(true)
    expect(inExcludedDir(path.join('/w', 'a', 'go.sum'), w)).toBe(false)
    expect(inExcludedDir(path.join('/w', 'vendor'), w)).toBe(false)
    expect(inExcludedDir(path.join('/w', 'vendored', 'go.sum'), w)).toBe(false)
  })

  it('counts from the checkout when the working directory is in it, else from the working directory', () => {
    const ws = path.join('/home/runner/work/app/app')
    expect(exclusionBase(path.join(ws, 'svc', 'api'), ws)).toBe(ws)
    expect(exclusionBase(ws, ws)).toBe(ws)
    expect(exclusionBase(path.join('/elsewhere/mod'), ws)).toBe(path.join('/elsewhere/mod'))
    expect(exclusionBase(path.join(ws, 'svc'), undefined)).toBe(path.join(ws, 'svc'))
    // a glob beside the working directory still drops what lies in vendor/ of the checkout
    expect(
      inExcludedDir(path.join(ws, 'other', 'vendor', 'x', 'go.sum'), exclusionBase(path.join(ws, 'svc'), ws))
    ).toBe(true)
  })

  it('looks only below the base: a checkout in a directory named vendor or testdata is not excluded', () => {
    const repo = path.join('/home/runner/work/vendor/vendor')
    expect(inExcludedDir(path.join(repo, 'go.sum'), repo)).toBe(false)
    expect(inExcludedDir(path.join(repo, 'api', 'go.sum'), repo)).toBe(false)
    expect(inExcludedDir(path.join(repo, 'vendor', 'x', 'go.sum'), repo)).toBe(true)
    expect(selectKeyFiles([path.join(repo, 'go.sum')], repo)).toEqual([path.join(repo, 'go.sum')])
    // a file go uses from outside the working directory (a go.work member) is never excluded
    expect(inExcludedDir(path.join('/r/testdata/shared/go.sum'), path.join('/r/api'))).toBe(false)
  })
})
