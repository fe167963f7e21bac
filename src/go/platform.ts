/**
 * Platform facts in one place (pure): how Node names the runner's OS and CPU, how go.dev names them in
 * archive file names, how the actions/go-versions manifest and the hosted runner tool cache name them.
 * Four naming schemes for the same two facts are where installers go wrong, so every mapping is here and
 * unit-tested per platform.
 */
import { InputError } from '../input-error.js'

export type GoOS = 'linux' | 'darwin' | 'windows'
export type GoArch = 'amd64' | 'arm64' | '386' | 'armv6l'

export interface Platform {
  os: GoOS
  arch: GoArch
}

/** process.platform -> go.dev's GOOS. */
const NODE_PLATFORM: Readonly<Record<string, GoOS>> = { linux: 'linux', darwin: 'darwin', win32: 'windows' }

/**
 * process.arch (and the manifest's / tool cache's spellings) -> go.dev's arch. Go publishes 32-bit ARM
 * only as armv6l (it runs on v7 too), so every 32-bit ARM name maps there.
 */
const NODE_ARCH: Readonly<Record<string, GoArch>> = {
  x64: 'amd64',
  amd64: 'amd64',
  x86_64: 'amd64',
  arm64: 'arm64',
  aarch64: 'arm64',
  ia32: '386',
  x86: '386',
  '386': '386',
  arm: 'armv6l',
  armv6l: 'armv6l',
  armv7l: 'armv6l'
}

/**
 * Tool cache directory names (`<RUNNER_TOOL_CACHE>/go/<version>/<arch>`). Hosted runners ship Go under
 * `x64` / `arm64` (actions/setup-go caches with Node's arch names), so we use the same names: a Go the
 * runner image already has is found without a download.
 */
const TOOL_CACHE_ARCH: Readonly<Record<GoArch, string>> = {
  amd64: 'x64',
  arm64: 'arm64',
  '386': 'x86',
  armv6l: 'armv6l'
}

/** The runner's OS in Go's naming; throws for an OS Go setup is not supported on. */
export function goOS(nodePlatform: string): GoOS {
  const os = NODE_PLATFORM[nodePlatform]
  if (!os) {
    throw new Error(
      `This runner's operating system is '${nodePlatform}'; setup-go-deps installs Go on linux, darwin (macOS) and windows runners only.`
    )
  }
  return os
}

/** Any of Node's / the manifest's / go.dev's arch spellings -> go.dev's, or undefined when Go has no build for it here. */
export function goArch(name: string): GoArch | undefined {
  return NODE_ARCH[name.toLowerCase()]
}

/** The `architecture` input in any of the spellings above -> go.dev's arch, or '' for the runner's CPU. */
export function parseArchitecture(value: string): GoArch | '' {
  const v = value.trim()
  if (v === '') return ''
  const arch = goArch(v)
  if (!arch) {
    throw new InputError(
      'architecture',
      `Input 'architecture' is '${value}'; Go is published for x64, arm64, 386 and arm (armv6l). Use one of those, or leave it empty for the runner's.`
    )
  }
  return arch
}

/**
 * The platform to install for: the runner's OS, and the `architecture` input (already normalised by
 * inputs.ts) or else the runner's CPU.
 */
export function detectPlatform(nodePlatform: string, nodeArch: string, architectureInput: string): Platform {
  const os = goOS(nodePlatform)
  const chosen = parseArchitecture(architectureInput)
  if (chosen !== '') return { os, arch: chosen }
  const arch = goArch(nodeArch)
  if (!arch) {
    throw new InputError(
      'architecture',
      `This runner's CPU is '${nodeArch}', for which setup-go-deps does not install Go. Set input 'architecture' to one of x64, arm64, 386 or arm.`
    )
  }
  return { os, arch }
}

/** go.dev publishes .zip archives for Windows and .tar.gz everywhere else. */
export function archiveExtension(os: GoOS): 'zip' | 'tar.gz' {
  return os === 'windows' ? 'zip' : 'tar.gz'
}

/** go.dev's archive name: `go1.22.3.linux-amd64.tar.gz`, `go1.20.windows-386.zip`. */
export function archiveFileName(goVersion: string, platform: Platform): string {
  return `go${goVersion}.${platform.os}-${platform.arch}.${archiveExtension(platform.os)}`
}

export function goExecutable(os: GoOS): 'go' | 'go.exe' {
  return os === 'windows' ? 'go.exe' : 'go'
}

export function toolCacheArch(arch: GoArch): string {
  return TOOL_CACHE_ARCH[arch]
}

/** `linux-amd64`, as go.dev and the logs write it. */
export function platformLabel(platform: Platform): string {
  return `${platform.os}-${platform.arch}`
}

/** The versions manifest (actions/go-versions) names platforms as Node does: win32, not windows. */
export function goOSFromManifest(platform: string): GoOS | undefined {
  return NODE_PLATFORM[platform]
}
