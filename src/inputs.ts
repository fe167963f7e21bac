/**
 * Every input, parsed and validated once into one typed, immutable config. Pure: `parseInputs` takes a
 * getter, so tests pass a plain object and the action passes `core.getInput`.
 *
 * Every error names the input, the value and a valid example: the user fixes a workflow file, not code.
 */
import path from 'node:path'
import { parseList } from './list.js'

export type CacheSaveMode = 'auto' | 'always' | 'never'

export interface GoConfig {
  /** go-version (empty when not given). */
  version: string
  /** go-version-file resolved against the working directory (empty when not given). */
  versionFile: string
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
  parallel: number
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

export class InputError extends Error {
  override name = 'InputError'
  readonly input: string
  constructor(input: string, message: string) {
    super(message)
    this.input = input
  }
}

export type InputGetter = (name: string) => string

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `500ms`, `2s`, `1.5m`, `1h` -> milliseconds. A bare number is seconds (as GitHub's timeout-minutes users expect a unit, we accept it but prefer one). */
export function parseDuration(input: string, value: string): number {
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const m = DURATION.exec(v)
  if (!m)
    throw new InputError(input, `Input '${input}' is '${value}'; expected a duration like 500ms, 2s or 10m.`)
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] as string] as number))
}

export function parseBoolean(input: string, value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase()
  if (v === '') return fallback
  if (['true', 'yes', '1', 'on'].includes(v)) return true
  if (['false', 'no', '0', 'off'].includes(v)) return false
  throw new InputError(input, `Input '${input}' is '${value}'; expected true or false.`)
}

export function parseInteger(
  input: string,
  value: string,
  fallback: number,
  min: number,
  max: number
): number {
  const v = value.trim()
  if (v === '') return fallback
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new InputError(
      input,
      `Input '${input}' is '${value}'; expected a whole number from ${min} to ${max}, e.g. ${fallback}.`
    )
  }
  return Number(v)
}

/** Newline-separated list (globs may contain commas inside braces). */
export function parseLines(value: string): string[] {
  return value
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'))
}

const ARCHITECTURES: Record<string, string> = {
  x64: 'amd64',
  amd64: 'amd64',
  x86_64: 'amd64',
  arm64: 'arm64',
  aarch64: 'arm64',
  x86: '386',
  '386': '386',
  ia32: '386',
  arm: 'armv6l',
  armv6l: 'armv6l',
  armv7l: 'armv6l'
}

export function parseArchitecture(value: string): string {
  const v = value.trim().toLowerCase()
  if (v === '') return ''
  const arch = ARCHITECTURES[v]
  if (!arch) {
    throw new InputError(
      'architecture',
      `Input 'architecture' is '${value}'; Go is published for x64, arm64, 386 and arm (armv6l). Use one of those, or leave it empty for the runner's.`
    )
  }
  return arch
}

export function parseBaseUrl(input: string, value: string): string {
  const v = value.trim()
  if (v === '') return ''
  let url: URL
  try {
    url = new URL(v)
  } catch {
    throw new InputError(
      input,
      `Input '${input}' is '${value}'; expected an http(s) URL like https://go.dev/dl.`
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(
      input,
      `Input '${input}' is '${value}'; only http and https URLs are supported, e.g. https://go.dev/dl.`
    )
  }
  return v.replace(/\/+$/, '')
}

/**
 * `credentials` lines: `host[/path-prefix] username:token`. Errors name the line number and never echo
 * the line (it holds a token).
 */
export function parseCredentials(value: string): CredentialLine[] {
  const out: CredentialLine[] = []
  value.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const m = /^(?:https?:\/\/)?([A-Za-z0-9.-]+(?::\d+)?(?:\/[^\s]*)?)\s+([^\s:]+):(\S+)$/.exec(line)
    if (!m) {
      throw new InputError(
        'credentials',
        `Input 'credentials' line ${index + 1} does not parse; expected 'host[/path-prefix] username:token', e.g. 'gitlab.com/acme oauth2:<token>' (the line is not shown because it may hold a token).`
      )
    }
    out.push({ scope: (m[1] as string).replace(/\/+$/, ''), username: m[2] as string, token: m[3] as string })
  })
  return out
}

const CACHE_SAVE: readonly CacheSaveMode[] = ['auto', 'always', 'never']

export function parseInputs(get: InputGetter, env: NodeJS.ProcessEnv = {}): Config {
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const workingDirectory = path.resolve(workspace, get('working-directory').trim() || '.')
  const versionFile = get('go-version-file').trim()

  const cacheSave = (get('cache-save').trim() || 'auto').toLowerCase()
  if (!CACHE_SAVE.includes(cacheSave as CacheSaveMode)) {
    throw new InputError(
      'cache-save',
      `Input 'cache-save' is '${get('cache-save')}'; expected one of ${CACHE_SAVE.join(', ')}.`
    )
  }

  const token = get('token').trim()
  return Object.freeze({
    workingDirectory,
    go: Object.freeze({
      version: get('go-version').trim(),
      versionFile: versionFile === '' ? '' : path.resolve(workingDirectory, versionFile),
      checkLatest: parseBoolean('check-latest', get('check-latest'), false),
      architecture: parseArchitecture(get('architecture')),
      downloadBaseUrl:
        parseBaseUrl('go-download-base-url', get('go-download-base-url')) ||
        parseBaseUrl('GO_DOWNLOAD_BASE_URL', env.GO_DOWNLOAD_BASE_URL ?? ''),
      token
    }),
    cache: Object.freeze({
      enabled: parseBoolean('cache', get('cache'), true),
      dependencyPath: parseLines(get('cache-dependency-path')),
      keySuffix: get('cache-key-suffix').trim(),
      build: parseBoolean('cache-build', get('cache-build'), false),
      save: cacheSave as CacheSaveMode
    }),
    auth: Object.freeze({
      privateModules: parseList(get('private-modules')),
      token,
      credentials: parseCredentials(get('credentials')),
      sshPrivateKey: get('ssh-private-key'),
      sshKnownHosts: get('ssh-known-hosts')
    }),
    goEnv: Object.freeze({
      goproxy: get('goproxy').trim(),
      gosumdb: get('gosumdb').trim(),
      gonoproxy: get('gonoproxy').trim(),
      gonosumdb: get('gonosumdb').trim(),
      goflags: get('goflags').trim()
    }),
    download: Object.freeze({
      enabled: parseBoolean('download', get('download'), true),
      modules: parseLines(get('modules')),
      parallel: parseInteger('parallel', get('parallel'), 8, 1, 32),
      retries: parseInteger('retries', get('retries'), 5, 1, 20),
      backoffMs: parseDuration('retry-backoff', get('retry-backoff') || '2s'),
      timeoutMs: parseDuration('retry-timeout', get('retry-timeout') || '10m'),
      attemptTimeoutMs: parseDuration('attempt-timeout', get('attempt-timeout') || '2m'),
      fallbackProxies: parseList(get('fallback-proxies')),
      offlineAfterDownload: parseBoolean('offline-after-download', get('offline-after-download'), false)
    })
  })
}
