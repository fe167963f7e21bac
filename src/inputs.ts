/**
 * Every input, parsed and validated once, before any work, into one typed, immutable config. `parseInputs`
 * takes a getter, so tests pass a plain object and the action passes `core.getInput`; its only effects
 * are reads: working-directory must be a directory, go-version-file is read for its version line.
 *
 * Every error names the input, the value (never a secret's) and a valid example: the user fixes a
 * workflow file, not code. Per-input grammars live beside their users (Go versions in go/version.ts, ssh
 * keys in credentials/ssh-keys.ts, the Go variables in environment/validate.ts); this file calls each once.
 */
import fs from 'node:fs'
import path from 'node:path'
import { KNOWN_HOSTS_INPUT, parseKnownHosts } from './credentials/known-hosts.js'
import { parseSshKeys, secretLines } from './credentials/ssh-keys.js'
import { checkGrants } from './credentials/plan.js'
import { credentialScopeError } from './credentials/scope.js'
import { labelledRoutes } from './credentials/ssh.js'
import { normaliseSuffix } from './cache/key.js'
import { validateGoEnv, validateGoproxy, validatePatterns } from './environment/validate.js'
import { MAX_PROCESSES } from './download/modules.js'
import { MAX_DELAY_MS } from './download/policy.js'
import { parseArchitecture } from './go/platform.js'
import { chooseVersionInput, parseSpec, parseVersionFile, type VersionRequest } from './go/version.js'
import { InputError } from './input-error.js'
import { parseInputList, parseLines } from './list.js'
import type { CacheSaveMode, Config, CredentialLine, GoConfig } from './config.js'

export { InputError } from './input-error.js'

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

/** `90000` -> `1.5m`, `1000` -> `1s`: the shortest exact spelling, for messages. */
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    const n = ms / (UNIT_MS[unit] as number)
    if (ms >= (UNIT_MS[unit] as number) && Number.isInteger(n * 10)) return `${n}${unit}`
  }
  return `${ms}ms`
}

/**
 * The allowed ranges. Zero is refused for the timeouts (an attempt or budget of 0 fails the download at
 * once with a class that depends on what go was doing); the upper bounds stay far below Node's timer
 * limit (2^31-1 ms, about 24.8 days: a longer setTimeout fires at once with a TimeoutOverflowWarning) and
 * within a job's 6 h limit on GitHub-hosted runners.
 */
export const DURATION_RANGES = {
  // No longer than the cap on every wait (download/policy.ts): a longer base would wait the same.
  'retry-backoff': { min: 0, max: MAX_DELAY_MS, fallback: '2s' },
  'retry-timeout': { min: 1000, max: 6 * 3_600_000, fallback: '10m' },
  'attempt-timeout': { min: 1000, max: 6 * 3_600_000, fallback: '2m' }
} as const

export type DurationInput = keyof typeof DURATION_RANGES

/** A duration input within its DURATION_RANGES entry; empty means the default. */
export function parseDurationInput(input: DurationInput, value: string): number {
  const range = DURATION_RANGES[input]
  const ms = parseDuration(input, value.trim() === '' ? range.fallback : value)
  if (ms < range.min || ms > range.max) {
    throw new InputError(
      input,
      `Input '${input}' is '${value}'; it must be from ${formatDuration(range.min)} to ${formatDuration(range.max)}, e.g. ${range.fallback}.`
    )
  }
  return ms
}

/**
 * Not core.getBooleanInput, which throws on an empty value and takes only YAML 1.2's true/false
 * spellings: parseInputs takes a getter (tests pass a plain object), an empty input means the default,
 * and yes/no, on/off, 1/0 are accepted as workflow authors write them.
 */
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

/** `auto` (the default) or a whole number of go processes from 1 to 32. */
export function parseParallel(value: string): number | 'auto' {
  const v = value.trim()
  if (v === '' || v === 'auto') return 'auto'
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_PROCESSES) {
    throw new InputError(
      'parallel',
      `Input 'parallel' is '${value}'; expected auto or a whole number from 1 to ${MAX_PROCESSES}, e.g. 16.`
    )
  }
  return Number(v)
}

export function parseBaseUrl(input: string, value: string): string {
  const v = value.trim()
  if (v === '') return ''
  // The environment variable fallback is named as what it is, with where to change it.
  const subject =
    input === input.toUpperCase()
      ? `The environment variable ${input} (read when input 'go-download-base-url' is empty) is '${value}'`
      : `Input '${input}' is '${value}'`
  let url: URL
  try {
    url = new URL(v)
  } catch {
    throw new InputError(input, `${subject}; expected an http(s) URL like https://go.dev/dl.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(input, `${subject}; only http and https URLs are supported, e.g. https://go.dev/dl.`)
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
    if (!m && /^\S+\s+[^\s:]+:$/.test(line)) {
      throw new InputError(
        'credentials',
        `Input 'credentials' line ${index + 1} has an empty token after 'username:': a secret that is not set is empty (e.g. in a pull request from a fork, or a Dependabot run, where secrets are not passed). Set the secret, or skip the step when it is empty.`
      )
    }
    if (!m) {
      throw new InputError(
        'credentials',
        `Input 'credentials' line ${index + 1} does not parse; expected 'host[/path-prefix] username:token', e.g. 'gitlab.com/acme oauth2:<token>' (the line is not shown because it may hold a token).`
      )
    }
    const scope = (m[1] as string).replace(/\/+$/, '')
    const why = credentialScopeError(scope)
    if (why) {
      throw new InputError(
        'credentials',
        `Input 'credentials' line ${index + 1} is for '${scope}', ${why} Write 'host' or 'host/path-prefix', e.g. 'gitlab.com/acme oauth2:<token>'.`
      )
    }
    out.push({ scope, username: m[2] as string, token: m[3] as string })
  })
  return out
}

const CACHE_SAVE: readonly CacheSaveMode[] = ['auto', 'always', 'never']

/** working-directory, resolved against GITHUB_WORKSPACE: it must exist and be a directory. */
export function parseWorkingDirectory(value: string, workspace: string): string {
  const dir = path.resolve(workspace, value.trim() || '.')
  let stat: fs.Stats | undefined
  try {
    stat = fs.statSync(dir)
  } catch {
    stat = undefined
  }
  if (stat?.isDirectory()) return dir
  throw new InputError(
    'working-directory',
    `Input 'working-directory' is '${value}', but ${dir} ${stat ? 'is a file, not a directory' : 'does not exist'}. Give the directory of your go.mod or go.work, relative to the workspace (${workspace}), e.g. 'working-directory: backend'.`
  )
}

/**
 * The version request, read once: go-version, else go-version-file's version line (the file is read
 * here, so a missing file or a bad line fails before any work), else undefined (the Go on PATH). Only
 * the input that is used is read: go-version wins when both are set.
 */
function readGoVersionRequest(
  version: string,
  versionFile: string,
  workingDirectory: string
): Pick<GoConfig, 'request' | 'requestWarning'> {
  const choice = chooseVersionInput(version, versionFile)
  const warning = choice.warning ? { requestWarning: choice.warning } : {}
  if (choice.use === 'path') return { request: undefined }
  if (choice.use === 'go-version') {
    const request: VersionRequest = { spec: version, origin: "input 'go-version'", input: 'go-version' }
    parseSpec(request)
    return { request, ...warning }
  }
  // Messages name the file as the user wrote it (relative to working-directory): `go.mod:3`.
  const shownFile = path.relative(workingDirectory, versionFile) || versionFile
  let content: string
  try {
    content = fs.readFileSync(versionFile, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`
    throw new InputError(
      'go-version-file',
      `Input 'go-version-file' is '${shownFile}', but ${versionFile} ${why}. The path is relative to working-directory (${workingDirectory}); point it at a go.mod, go.work, .go-version or .tool-versions, or set input 'go-version'.`
    )
  }
  const request = parseVersionFile(shownFile, content)
  parseSpec(request)
  return { request, ...warning }
}

/** Newline-separated globs: a comma outside `{...}` followed by a space is a list written the wrong way. */
function parseGlobLines(input: string, value: string): string[] {
  const lines = parseLines(value)
  for (const line of lines) {
    if (/,\s/.test(line.replace(/\{[^}]*\}/g, ''))) {
      throw new InputError(
        input,
        `Input '${input}' has the line '${line}'; it takes one glob per line, not a comma-separated list. Write each glob on its own line (input: |).`
      )
    }
  }
  return lines
}

/** A token is one word; its value is never shown. */
function parseToken(value: string): string {
  const token = value.trim()
  if (/\s/.test(token)) {
    throw new InputError(
      'token',
      "Input 'token' holds whitespace inside it, which no token has (the value is not shown). Pass the secret alone, e.g. 'token: ${{ secrets.GO_MODULES_TOKEN }}'."
    )
  }
  return token
}

/** The credential inputs' own grammars (keys, labels, known_hosts lines), before anything is written. */
function checkSsh(key: string, knownHosts: string): void {
  labelledRoutes(parseSshKeys(key))
  parseKnownHosts(knownHosts, KNOWN_HOSTS_INPUT)
}

/** Each fallback proxy is one GOPROXY entry (a URL; not direct or off: falling back to those is GOPROXY's job). */
function parseFallbackProxies(value: string): string[] {
  const proxies = parseInputList('fallback-proxies', value, 'https://proxy.golang.org,https://goproxy.io')
  for (const proxy of proxies) {
    if (proxy === 'direct' || proxy === 'off' || /[|]/.test(proxy)) {
      throw new InputError(
        'fallback-proxies',
        `Input 'fallback-proxies' has '${proxy}'; each entry is one module proxy URL, e.g. 'https://proxy.golang.org'. Put 'direct' or '|' chains in 'goproxy'.`
      )
    }
    validateGoproxy('fallback-proxies', proxy)
  }
  return proxies
}

/**
 * The raw secret values to mask before parseInputs runs, so that not even a validation error could show
 * one: the token, each credentials line's `user:token` and token (and the whole line, whose shape a
 * parse error cannot vouch for), every line of the ssh keys. The credential step masks the derived forms
 * (base64 headers) itself before it builds them.
 */
export function secretInputValues(get: InputGetter): string[] {
  const out = new Set<string>()
  const token = get('token').trim()
  if (token !== '') out.add(token)
  for (const raw of get('credentials').split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    out.add(line)
    const last = line.split(/\s+/).pop() as string
    out.add(last)
    const colon = last.indexOf(':')
    if (colon >= 0 && colon < last.length - 1) out.add(last.slice(colon + 1))
  }
  for (const line of secretLines(get('ssh-private-key'))) out.add(line)
  return [...out]
}

export function parseInputs(get: InputGetter, env: NodeJS.ProcessEnv = {}): Config {
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const workingDirectory = parseWorkingDirectory(get('working-directory'), workspace)
  const version = get('go-version').trim()
  const rawVersionFile = get('go-version-file').trim()
  const versionFile = rawVersionFile === '' ? '' : path.resolve(workingDirectory, rawVersionFile)
  const versionRequest = readGoVersionRequest(version, versionFile, workingDirectory)

  const cacheSave = (get('cache-save').trim() || 'auto').toLowerCase()
  if (!CACHE_SAVE.includes(cacheSave as CacheSaveMode)) {
    throw new InputError(
      'cache-save',
      `Input 'cache-save' is '${get('cache-save')}'; expected one of ${CACHE_SAVE.join(', ')}.`
    )
  }
  const keySuffix = get('cache-key-suffix').trim()
  normaliseSuffix(keySuffix)

  const token = parseToken(get('token'))
  const privateModules = validatePatterns(
    'private-modules',
    parseInputList('private-modules', get('private-modules'), 'github.com/acme/*,gitlab.com/acme')
  )
  checkSsh(get('ssh-private-key'), get('ssh-known-hosts'))
  const auth = Object.freeze({
    privateModules,
    token,
    credentials: parseCredentials(get('credentials')),
    sshPrivateKey: get('ssh-private-key'),
    sshKnownHosts: get('ssh-known-hosts')
  })
  // Who serves each private scope (an empty token for a scope nothing else covers is refused here).
  checkGrants(auth, env.GITHUB_SERVER_URL)
  const goEnv = validateGoEnv({
    goproxy: get('goproxy').trim(),
    gosumdb: get('gosumdb').trim(),
    gonoproxy: get('gonoproxy').trim(),
    gonosumdb: get('gonosumdb').trim(),
    goflags: get('goflags').trim()
  })
  return Object.freeze({
    workingDirectory,
    go: Object.freeze({
      version,
      versionFile,
      ...versionRequest,
      checkLatest: parseBoolean('check-latest', get('check-latest'), false),
      architecture: parseArchitecture(get('architecture')),
      downloadBaseUrl:
        parseBaseUrl('go-download-base-url', get('go-download-base-url')) ||
        parseBaseUrl('GO_DOWNLOAD_BASE_URL', env.GO_DOWNLOAD_BASE_URL ?? ''),
      token
    }),
    cache: Object.freeze({
      enabled: parseBoolean('cache', get('cache'), true),
      dependencyPath: parseGlobLines('cache-dependency-path', get('cache-dependency-path')),
      keySuffix,
      build: parseBoolean('cache-build', get('cache-build'), false),
      save: cacheSave as CacheSaveMode
    }),
    auth,
    goEnv: Object.freeze(goEnv),
    download: Object.freeze({
      enabled: parseBoolean('download', get('download'), true),
      modules: parseGlobLines('modules', get('modules')),
      parallel: parseParallel(get('parallel')),
      retries: parseInteger('retries', get('retries'), 5, 1, 20),
      backoffMs: parseDurationInput('retry-backoff', get('retry-backoff')),
      timeoutMs: parseDurationInput('retry-timeout', get('retry-timeout')),
      attemptTimeoutMs: parseDurationInput('attempt-timeout', get('attempt-timeout')),
      fallbackProxies: parseFallbackProxies(get('fallback-proxies')),
      offlineAfterDownload: parseBoolean('offline-after-download', get('offline-after-download'), false)
    })
  })
}
