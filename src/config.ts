/**
 * The action's configuration, as parseInputs (inputs.ts) returns it: every input parsed, checked and
 * frozen. Types only, so that the modules that use a part of it do not import the parser.
 */
import type { VersionRequest } from './go/version.js'

export type CacheSaveMode = 'auto' | 'always' | 'never'

export interface GoConfig {
  /** go-version (empty when not given). */
  version: string
  /** go-version-file resolved against the working directory (empty when not given). */
  versionFile: string
  /** The version asked for, read once here (go-version, else go-version-file's line); undefined: the Go on PATH. */
  request: VersionRequest | undefined
  /** Both inputs set: go-version wins, and install says so. */
  requestWarning?: string
  checkLatest: boolean
  /** Normalised Go arch (amd64, arm64, 386, armv6l) or empty for the runner's. */
  architecture: string
  /** Mirror base URL without trailing slash, or empty for the default (go.dev/dl). */
  downloadBaseUrl: string
  /** Token for the versions manifest (may be empty). */
  token: string
}

export interface CacheConfig {
  enabled: boolean
  /** Globs whose files key the cache; empty means the default (every go.sum / go.work.sum). */
  dependencyPath: string[]
  keySuffix: string
  build: boolean
  save: CacheSaveMode
}

export interface CredentialLine {
  /** host, or host/path-prefix (no scheme, no trailing slash). */
  scope: string
  username: string
  token: string
}

export interface AuthConfig {
  /** GOPRIVATE patterns. */
  privateModules: string[]
  token: string
  credentials: CredentialLine[]
  sshPrivateKey: string
  sshKnownHosts: string
}

/** Go environment the user asked for (empty string: not set by the user). */
export interface GoEnvInputs {
  goproxy: string
  gosumdb: string
  gonoproxy: string
  gonosumdb: string
  goflags: string
}

export interface DownloadConfig {
  enabled: boolean
  /** Globs of module directories (empty: go.work workspace, else the working directory's module). */
  modules: string[]
  /** A fixed number of go processes, or 'auto': download/modules.ts processCount decides per attempt. */
  parallel: number | 'auto'
  retries: number
  backoffMs: number
  timeoutMs: number
  attemptTimeoutMs: number
  fallbackProxies: string[]
  offlineAfterDownload: boolean
}

export interface Config {
  /** Absolute working directory. */
  workingDirectory: string
  go: GoConfig
  cache: CacheConfig
  auth: AuthConfig
  goEnv: GoEnvInputs
  download: DownloadConfig
}
