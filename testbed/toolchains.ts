/**
 * Real Go toolchains besides the local one, for the installer tests: prefetched by
 * scripts/fetch-test-toolchains.sh (through the machine's module proxy, as `GOTOOLCHAIN=go1.27.3 go version`
 * fetches them) into a cache directory OUTSIDE the repository, because `npm test` runs loopback-only.
 *
 *   cachedToolchain('1.27.3')  ->  { archive (go.dev layout, with its sha256), goroot, proxyDir }
 *
 * A missing toolchain is an error with one line naming the script (never a silent skip): tests that need
 * one fail until it is fetched.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { GoArchive } from './go-mirror.ts'

/** The newer toolchain the bench serves next to the local Go. */
export const NEXT_GO = '1.27.3'

/** Overrides the cache directory (default `${XDG_CACHE_HOME:-~/.cache}/setup-go-deps-testbed`). */
export const TOOLCHAIN_CACHE_ENV = 'SETUP_GO_DEPS_TESTBED_CACHE'

/** How to fill the cache (run from the repository root, where the module proxy is reachable). */
export const FETCH_TOOLCHAINS_COMMAND = 'bash scripts/fetch-test-toolchains.sh'

export function toolchainCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env[TOOLCHAIN_CACHE_ENV]) return path.resolve(env[TOOLCHAIN_CACHE_ENV])
  const base = env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : path.join(env.HOME ?? os.homedir(), '.cache')
  return path.join(base, 'setup-go-deps-testbed')
}

export interface CachedToolchain {
  version: string
  /** The go.dev-layout archive (`go1.27.3.linux-amd64.tar.gz`, top-level `go/`), for the Go mirror. */
  archive: GoArchive
  /** A working GOROOT (the unpacked golang.org/toolchain module). */
  goroot: string
  /** A GOPROXY file tree (`file://` + this) that serves `golang.org/toolchain@v0.0.1-go<version>.<os>-<arch>`. */
  proxyDir: string
  /** That module's version: v0.0.1-go1.27.3.linux-amd64. */
  moduleVersion: string
}

const GOOS: Record<string, string> = { linux: 'linux', darwin: 'darwin', win32: 'windows' }
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'armv6l' }

/** The prefetched toolchain, or an Error whose message is one line naming the fetch script. */
export function cachedToolchain(version = NEXT_GO): CachedToolchain {
  const goos = GOOS[process.platform] ?? process.platform
  const goarch = GOARCH[process.arch] ?? process.arch
  const dir = path.join(toolchainCacheDir(), `go${version}`)
  const filename = `go${version}.${goos}-${goarch}.tar.gz`
  const file = path.join(dir, filename)
  const moduleVersion = `v0.0.1-go${version}.${goos}-${goarch}`
  const goroot = path.join(dir, 'modcache', 'golang.org', `toolchain@${moduleVersion}`)
  if (!fs.existsSync(path.join(dir, 'READY')) || !fs.existsSync(file) || !fs.existsSync(goroot)) {
    throw new Error(
      `Go ${version} is not in the test toolchain cache ${dir}: run '${FETCH_TOOLCHAINS_COMMAND}' once where the module proxy is reachable (npm test runs offline).`
    )
  }
  return {
    version,
    archive: {
      path: file,
      sha256: fs.readFileSync(`${file}.sha256`, 'utf8').trim(),
      size: fs.statSync(file).size,
      goVersion: version,
      os: goos,
      arch: goarch
    },
    goroot,
    proxyDir: path.join(dir, 'modcache', 'cache', 'download'),
    moduleVersion
  }
}
