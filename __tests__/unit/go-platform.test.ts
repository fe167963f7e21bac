import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { InputError } from '../../src/inputs.js'
import {
  type GoArch,
  type GoOS,
  archiveExtension,
  archiveFileName,
  detectPlatform,
  goArch,
  goExecutable,
  goOS,
  platformLabel,
  toolCacheArch
} from '../../src/go/platform.js'
import { archiveFor, parseListing } from '../../src/go/version.js'

const LISTING = parseListing(
  JSON.parse(
    fs.readFileSync(
      path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'go', 'golang-dl.json'),
      'utf8'
    )
  ),
  'fixture'
)

describe('runner platform -> Go platform', () => {
  it.each([
    ['linux', 'x64', 'linux', 'amd64'],
    ['linux', 'arm64', 'linux', 'arm64'],
    ['linux', 'ia32', 'linux', '386'],
    ['linux', 'arm', 'linux', 'armv6l'],
    ['darwin', 'x64', 'darwin', 'amd64'],
    ['darwin', 'arm64', 'darwin', 'arm64'],
    ['win32', 'x64', 'windows', 'amd64'],
    ['win32', 'arm64', 'windows', 'arm64'],
    ['win32', 'ia32', 'windows', '386']
  ])('process.platform %s / process.arch %s -> %s-%s', (platform, arch, os, goarch) => {
    expect(detectPlatform(platform, arch, '')).toEqual({ os, arch: goarch })
  })

  it.each([
    ['amd64', 'amd64'],
    ['arm64', 'arm64'],
    ['386', '386'],
    ['armv6l', 'armv6l']
  ])("the 'architecture' input %s wins over the runner's CPU", (input, goarch) => {
    expect(detectPlatform('linux', 'x64', input)).toEqual({ os: 'linux', arch: goarch })
  })

  it('fails on an unsupported runner CPU with a message naming the architecture input', () => {
    let error: unknown
    try {
      detectPlatform('linux', 'riscv64', '')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).input).toBe('architecture')
    expect((error as Error).message).toContain("'riscv64'")
    expect((error as Error).message).toContain("Set input 'architecture'")
  })

  it('fails on an operating system Go is not installed on', () => {
    expect(() => goOS('aix')).toThrow("'aix'")
  })

  it.each([
    ['x64', 'amd64'],
    ['X64', 'amd64'],
    ['x86', '386'],
    ['aarch64', 'arm64'],
    ['armv7l', 'armv6l'],
    ['ppc64', undefined]
  ])('reads the arch spelling %s as %s', (name, arch) => {
    expect(goArch(name)).toBe(arch)
  })
})

describe('archive names, extensions and the go executable per platform', () => {
  const oses: GoOS[] = ['linux', 'darwin', 'windows']
  const arches: GoArch[] = ['amd64', 'arm64', '386', 'armv6l']

  it.each(oses.flatMap((os) => arches.map((arch) => [os, arch] as const)))('%s-%s', (os, arch) => {
    const platform = { os, arch }
    const name = archiveFileName('1.22.3', platform)
    const ext = os === 'windows' ? 'zip' : 'tar.gz'
    expect(archiveExtension(os)).toBe(ext)
    expect(name).toBe(`go1.22.3.${os}-${arch}.${ext}`)
    expect(platformLabel(platform)).toBe(`${os}-${arch}`)
    expect(goExecutable(os)).toBe(os === 'windows' ? 'go.exe' : 'go')
  })

  it('builds the same names go.dev lists for the archives it publishes', () => {
    const platforms = [
      { os: 'linux', arch: 'amd64' },
      { os: 'linux', arch: 'arm64' },
      { os: 'linux', arch: '386' },
      { os: 'linux', arch: 'armv6l' },
      { os: 'darwin', arch: 'amd64' },
      { os: 'darwin', arch: 'arm64' },
      { os: 'windows', arch: 'amd64' },
      { os: 'windows', arch: '386' },
      { os: 'windows', arch: 'arm64' }
    ] as const
    for (const release of LISTING) {
      for (const platform of platforms) {
        const listed = archiveFor(release, platform)
        if (listed) expect(archiveFileName(release.version, platform)).toBe(listed.filename)
      }
    }
    // Spot checks that the loop above covered the interesting cases.
    expect(
      archiveFor(
        LISTING.find((r) => r.version === '1.20')!,
        { os: 'windows', arch: '386' }
      )?.filename
    ).toBe('go1.20.windows-386.zip')
    expect(
      archiveFor(
        LISTING.find((r) => r.version === '1.23rc1')!,
        { os: 'linux', arch: 'armv6l' }
      )?.filename
    ).toBe('go1.23rc1.linux-armv6l.tar.gz')
  })

  it('picks the archive, not the installer, on Windows and macOS', () => {
    const release = LISTING.find((r) => r.version === '1.22.3')!
    expect(archiveFor(release, { os: 'windows', arch: 'amd64' })?.filename).toMatch(/\.zip$/)
    expect(archiveFor(release, { os: 'darwin', arch: 'arm64' })?.filename).toMatch(/\.tar\.gz$/)
  })

  it('names tool cache directories as hosted runners do (x64, not amd64)', () => {
    expect(toolCacheArch('amd64')).toBe('x64')
    expect(toolCacheArch('arm64')).toBe('arm64')
    expect(toolCacheArch('386')).toBe('x86')
    expect(toolCacheArch('armv6l')).toBe('armv6l')
  })
})
