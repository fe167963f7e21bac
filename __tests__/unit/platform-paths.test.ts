/**
 * The path-handling pure functions of src/cache/key.ts with each runner's real paths. key.ts uses
 * `node:path`, which on a runner is path.win32 on Windows and path.posix elsewhere; here the same
 * module is loaded twice, once with `node:path` bound to each, so the Windows behaviour (drive letters,
 * `\` separators, D:\a\_work workspaces) is tested on any machine. platform.ts's per-OS naming (zip vs
 * tar.gz, go.exe) is covered with every OS in go-platform.test.ts; here only how the two meet on paths.
 */
import { beforeAll, describe, expect, jest, test } from '@jest/globals'
import path from 'node:path'

type KeyModule = typeof import('../../src/cache/key.js')
type PlatformModule = typeof import('../../src/go/platform.js')

async function loadWith(flavour: typeof path.posix): Promise<{ key: KeyModule; platform: PlatformModule }> {
  let loaded: { key: KeyModule; platform: PlatformModule } | undefined
  await jest.isolateModulesAsync(async () => {
    jest.unstable_mockModule('node:path', () => ({ ...flavour, default: flavour }))
    loaded = {
      key: await import('../../src/cache/key.js'),
      platform: await import('../../src/go/platform.js')
    }
  })
  return loaded!
}

const runners = [
  { name: 'Windows', flavour: path.win32, nodePlatform: 'win32', ws: 'D:\\a\\_work\\app\\app', sep: '\\' },
  { name: 'Linux', flavour: path.posix, nodePlatform: 'linux', ws: '/home/runner/work/app/app', sep: '/' },
  { name: 'macOS', flavour: path.posix, nodePlatform: 'darwin', ws: '/Users/runner/work/app/app', sep: '/' }
] as const

describe.each(runners)('on a $name runner', ({ flavour, nodePlatform, ws, sep }) => {
  let key: KeyModule
  let platform: PlatformModule
  const at = (...parts: string[]) => [ws, ...parts].join(sep)
  beforeAll(async () => {
    ;({ key, platform } = await loadWith(flavour))
  })

  test('the loaded module really uses this platform’s path rules', () => {
    expect(key.commonDirectory([at('go.sum')])).toBe(ws)
  })

  test('default key globs are rooted at the workspace and exclude vendor/ and testdata/', () => {
    const patterns = key.defaultKeyPatterns(ws + sep)
    expect(patterns).toEqual([
      `${ws}/**/go.sum`,
      `${ws}/**/go.work.sum`,
      `${ws}/**/go.mod`,
      `!${ws}/**/vendor/**`,
      `!${ws}/**/testdata/**`
    ])
  })

  test('go.mod keys the cache only where its module has no go.sum; vendor and testdata never do', () => {
    const found = [
      at('go.mod'),
      at('go.sum'),
      at('tools', 'go.mod'),
      at('vendor', 'example.com', 'x', 'go.sum'),
      at('internal', 'testdata', 'go.sum'),
      at('go.work.sum')
    ]
    expect(key.selectKeyFiles(found, ws)).toEqual(
      [at('go.sum'), at('go.work.sum'), at('tools', 'go.mod')].sort()
    )
  })

  test('relative cache-dependency-path globs resolve against the working directory', () => {
    const resolved = key.resolvePatterns(['services/*/go.sum', '!services/legacy/go.sum'], ws)
    expect(resolved).toEqual([
      flavour.join(ws, 'services/*/go.sum'),
      '!' + flavour.join(ws, 'services/legacy/go.sum')
    ])
    expect(resolved[0]!.startsWith(ws)).toBe(true)
  })

  test('the common directory of key files in several modules is their shared parent', () => {
    expect(key.commonDirectory([at('api', 'go.sum'), at('worker', 'go.sum'), at('go.work.sum')])).toBe(ws)
  })

  test('the key names the runner the way runner.os does, and the archive and executable match the OS', () => {
    const runner = key.runnerPlatform(nodePlatform, 'x64')
    const goos = platform.goOS(nodePlatform)
    expect(key.cacheKey({ ...runner, goVersion: '1.22.3', hash: 'abc' }).key).toBe(
      `setup-go-deps-${runner.os}-x64-go1.22.3-abc`
    )
    expect(platform.archiveFileName('1.22.3', { os: goos, arch: 'amd64' })).toBe(
      `go1.22.3.${goos}-amd64.${goos === 'windows' ? 'zip' : 'tar.gz'}`
    )
    expect(platform.goExecutable(goos)).toBe(goos === 'windows' ? 'go.exe' : 'go')
  })
})

describe('Windows-only path facts', () => {
  let key: KeyModule
  beforeAll(async () => {
    ;({ key } = await loadWith(path.win32))
  })

  test('forward and back slashes in one list name the same file once', () => {
    expect(
      key.selectKeyFiles(
        ['D:\\a\\_work\\app\\app\\go.sum', 'D:/a/_work/app/app/go.sum'],
        'D:\\a\\_work\\app\\app'
      )
    ).toEqual(['D:\\a\\_work\\app\\app\\go.sum'])
  })

  test('glob metacharacters in a Windows workspace path are escaped, separators kept', () => {
    expect(key.escapeGlob('D:\\a\\_work\\app[1]\\go.sum')).toBe('D:\\a\\_work\\app[[]1]\\go.sum')
  })
})
