import { afterAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArchitecture } from '../../src/go/platform.js'
import {
  parseCredentials,
  parseDuration,
  parseDurationInput,
  parseInputs,
  parseInteger,
  parseParallel,
  secretInputValues
} from '../../src/inputs.js'
import { inputErrorOf as errorOf } from '../helpers/input-error.ts'

/** A real workspace: parseInputs checks that working-directory exists. */
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'inputs-ws-'))
fs.mkdirSync(path.join(ws, 'svc', 'api'), { recursive: true })
fs.writeFileSync(path.join(ws, 'svc', 'api', 'go.mod'), 'module example.com/api\n\ngo 1.22\n')
fs.writeFileSync(path.join(ws, 'README'), 'a file\n')
afterAll(() => fs.rmSync(ws, { recursive: true, force: true }))
const WS = { GITHUB_WORKSPACE: ws }

const getter =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? ''

describe('parseInputs', () => {
  it('applies the documented defaults when nothing is set', () => {
    const config = parseInputs(getter({}), WS)
    expect(config.workingDirectory).toBe(ws)
    expect(config.cache).toEqual({
      enabled: true,
      dependencyPath: [],
      keySuffix: '',
      build: false,
      save: 'auto'
    })
    expect(config.download.retries).toBe(5)
    expect(config.download.parallel).toBe('auto')
    expect(config.download.backoffMs).toBe(2000)
    expect(config.download.timeoutMs).toBe(600_000)
    expect(config.download.attemptTimeoutMs).toBe(120_000)
    expect(config.go.downloadBaseUrl).toBe('')
  })

  it('resolves working-directory and go-version-file against the workspace', () => {
    const config = parseInputs(getter({ 'working-directory': 'svc/api', 'go-version-file': 'go.mod' }), WS)
    expect(config.workingDirectory).toBe(path.join(ws, 'svc', 'api'))
    expect(config.go.versionFile).toBe(path.join(ws, 'svc', 'api', 'go.mod'))
  })

  it('takes the mirror from GO_DOWNLOAD_BASE_URL when the input is empty, and the input wins over it', () => {
    expect(
      parseInputs(getter({}), { ...WS, GO_DOWNLOAD_BASE_URL: 'https://m.example/dl/' }).go.downloadBaseUrl
    ).toBe('https://m.example/dl')
    expect(
      parseInputs(getter({ 'go-download-base-url': 'http://127.0.0.1:9/x' }), {
        ...WS,
        GO_DOWNLOAD_BASE_URL: 'https://m.example/dl'
      }).go.downloadBaseUrl
    ).toBe('http://127.0.0.1:9/x')
  })

  it('names GO_DOWNLOAD_BASE_URL as the environment variable it is when its value is bad', () => {
    const e = errorOf(() => parseInputs(getter({}), { ...WS, GO_DOWNLOAD_BASE_URL: 'ftp://m.example' }))
    expect(e.message).toBe(
      "The environment variable GO_DOWNLOAD_BASE_URL (read when input 'go-download-base-url' is empty) is 'ftp://m.example'; only http and https URLs are supported, e.g. https://go.dev/dl."
    )
  })

  it('rejects an unknown cache-save value and lists the allowed ones', () => {
    const e = errorOf(() => parseInputs(getter({ 'cache-save': 'sometimes' }), WS))
    expect(e.input).toBe('cache-save')
    expect(e.message).toContain("'sometimes'")
    expect(e.message).toContain('auto, always, never')
  })

  it('rejects a mirror URL that is not http(s)', () => {
    const e = errorOf(() => parseInputs(getter({ 'go-download-base-url': 'ftp://mirror/go' }), WS))
    expect(e.message).toMatch(/Input 'go-download-base-url' is 'ftp:\/\/mirror\/go'.*https:\/\/go.dev\/dl/)
  })

  it('returns a frozen config', () => {
    const config = parseInputs(getter({}), WS)
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.download)).toBe(true)
  })
})

describe('durations, integers, lists', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1.5m', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['30', 30_000]
  ])('parses %s', (value, ms) => {
    expect(parseDuration('retry-backoff', value)).toBe(ms)
  })

  it('names the input and gives examples for a bad duration', () => {
    const e = errorOf(() => parseDuration('retry-backoff', '2 seconds'))
    expect(e.message).toBe("Input 'retry-backoff' is '2 seconds'; expected a duration like 500ms, 2s or 10m.")
  })

  it.each(['0', '-1', '21', 'five', '2.5'])('rejects retries=%s with the valid range', (value) => {
    const e = errorOf(() => parseInteger('retries', value, 5, 1, 20))
    expect(e.message).toContain('from 1 to 20')
  })

  it.each([
    ['', 'auto'],
    ['auto', 'auto'],
    [' 16 ', 16],
    ['32', 32]
  ])('parses parallel=%j', (value, want) => {
    expect(parseParallel(value)).toBe(want)
  })

  it.each(['0', '33', 'max', '8.5'])('rejects parallel=%s naming auto and the range', (value) => {
    const e = errorOf(() => parseParallel(value))
    expect(e.message).toBe(
      `Input 'parallel' is '${value}'; expected auto or a whole number from 1 to 32, e.g. 16.`
    )
  })
})

describe('architecture', () => {
  it.each([
    ['x64', 'amd64'],
    ['ARM64', 'arm64'],
    ['386', '386'],
    ['x86', '386'],
    ['arm', 'armv6l'],
    ['', '']
  ])('maps %s to %s', (input, arch) => {
    expect(parseArchitecture(input)).toBe(arch)
  })

  it('rejects an unsupported architecture', () => {
    expect(() => parseArchitecture('riscv64')).toThrow(/Input 'architecture' is 'riscv64'/)
  })
})

describe('credentials', () => {
  it('says a line whose token is empty holds an unset secret (fork pull requests, Dependabot)', () => {
    const e = errorOf(() => parseInputs(getter({ credentials: 'gitlab.com/acme oauth2:' }), WS))
    expect(e.input).toBe('credentials')
    expect(e.message).toContain(
      "line 1 has an empty token after 'username:': a secret that is not set is empty"
    )
  })

  it('parses host and host/prefix lines', () => {
    expect(
      parseCredentials('gitlab.com/acme oauth2:glpat-abc\nhttps://bitbucket.org x-token-auth:bb1\n')
    ).toEqual([
      { scope: 'gitlab.com/acme', username: 'oauth2', token: 'glpat-abc' },
      { scope: 'bitbucket.org', username: 'x-token-auth', token: 'bb1' }
    ])
  })

  it('names the line of a bad entry without echoing it', () => {
    const e = errorOf(() => parseCredentials('gitlab.com oauth2:ok\nghes.corp s3cr3t-token-no-user'))
    expect(e.message).toContain('line 2')
    expect(e.message).not.toContain('s3cr3t')
  })
})

/** The InputError parseInputs throws for these inputs (in the test workspace). */
const refuse = (values: Record<string, string>) => errorOf(() => parseInputs(getter(values), WS))

describe('every input is checked up front', () => {
  it.each([
    ['does not exist', { 'working-directory': 'no/such/dir' }, /does not exist/],
    ['is a file', { 'working-directory': 'README' }, /is a file, not a directory/]
  ])('refuses a working-directory that %s, naming the input', (_what, values, why) => {
    const e = refuse(values)
    expect(e.input).toBe('working-directory')
    expect(e.message).toMatch(/^Input 'working-directory' is '[^']+', but /)
    expect(e.message).toMatch(why)
  })

  it('refuses a go-version that is not a version, and a go-version-file that does not exist', () => {
    expect(refuse({ 'go-version': '1.2.3.4' }).input).toBe('go-version')
    const e = refuse({ 'go-version-file': 'missing.mod' })
    expect(e.input).toBe('go-version-file')
    expect(e.message).toContain('does not exist')
  })

  it('ignores go-version-file when go-version wins (install warns about both)', () => {
    expect(
      parseInputs(getter({ 'go-version': '1.22', 'go-version-file': 'missing.mod' }), WS).go.version
    ).toBe('1.22')
  })

  it.each([
    ['not a url', 'contains a space'],
    ['notaurl', 'neither a URL'],
    ['ftp://x,,https://y.example', 'entry 2 is empty'],
    ['ftp://x.example', 'go accepts only https, http and file'],
    ['https://a.example,direct', 'each entry is one module proxy URL'],
    ['https://a.example|https://b.example', 'each entry is one module proxy URL']
  ])('refuses fallback-proxies %j', (value, why) => {
    const e = refuse({ 'fallback-proxies': value })
    expect(e.input).toBe('fallback-proxies')
    expect(e.message).toContain(why)
  })

  it('accepts fallback proxies one per line or comma separated', () => {
    expect(
      parseInputs(getter({ 'fallback-proxies': 'https://a.example,\nhttps://b.example/x' }), WS).download
        .fallbackProxies
    ).toEqual(['https://a.example', 'https://b.example/x'])
  })

  it.each([
    ['github.com/acme/..', "'..' path element"],
    ['github.com/acme/%2e%2e', "'%'"],
    ['github.com//acme', 'empty path element'],
    ['github.com/./acme', "'.' path element"],
    ['*', 'matches every module path'],
    ['***', 'matches every module path'],
    ['*/*', 'matches every module path'],
    ['?*/x', 'matches every module path'],
    ['github.com/acme,,gitlab.com/x', 'entry 2 is empty'],
    [',github.com/acme', 'entry 1 is empty']
  ])('refuses private-modules %j, naming the input', (value, why) => {
    const e = refuse({ 'private-modules': value })
    expect(e.input).toBe('private-modules')
    expect(e.message).toContain(why)
  })

  it.each(['gonoproxy', 'gonosumdb'])('refuses %s with an empty entry or a .. element', (input) => {
    expect(refuse({ [input]: 'github.com/acme,,x.example' }).message).toMatch(
      new RegExp(`^Input '${input}'.*entry 2 is empty`)
    )
    expect(refuse({ [input]: 'github.com/acme/..' }).input).toBe(input)
  })

  it('allows gonosumdb: * (a choice the Go environment step warns about)', () => {
    expect(parseInputs(getter({ gonosumdb: '*' }), WS).goEnv.gonosumdb).toBe('*')
  })

  it('refuses a token with whitespace inside without echoing it', () => {
    const e = refuse({ token: 'ghp_abc def-s3cr3t' })
    expect(e.input).toBe('token')
    expect(e.message).not.toContain('s3cr3t')
  })

  it.each([
    ['gitlab.com/acme/* oauth2:glpat-s3cr3t', 'wildcard'],
    ['gitlab.com/acme/.. oauth2:glpat-s3cr3t', "'..' path element"],
    ['gitlab.com/acme/%2e%2e oauth2:glpat-s3cr3t', "'%'"]
  ])('refuses a credentials scope %j that git would widen, without the token', (line, why) => {
    const e = refuse({ credentials: line })
    expect(e.input).toBe('credentials')
    expect(e.message).toContain(why)
    expect(e.message).not.toContain('s3cr3t')
  })

  it.each([
    ['cache-dependency-path', 'go.sum, tools/go.sum'],
    ['modules', 'services/a, services/b']
  ])('refuses a comma-separated list in the one-glob-per-line input %s', (input, value) => {
    expect(refuse({ [input]: value }).message).toMatch(new RegExp(`^Input '${input}'.*one glob per line`))
  })

  it('keeps brace alternatives in globs', () => {
    expect(parseInputs(getter({ modules: 'svc/{a,b}' }), WS).download.modules).toEqual(['svc/{a,b}'])
  })

  it('refuses a cache-key-suffix with a comma, and a bad ssh key, before any work', () => {
    expect(refuse({ 'cache-key-suffix': 'a,b' }).input).toBe('cache-key-suffix')
    expect(refuse({ 'ssh-private-key': 'not a key' }).input).toBe('ssh-private-key')
    expect(refuse({ 'ssh-known-hosts': 'github.com' }).input).toBe('ssh-known-hosts')
  })

  it('checks goproxy, gosumdb and goflags in parseInputs', () => {
    expect(refuse({ goproxy: 'noproxy' }).input).toBe('goproxy')
    expect(refuse({ gosumdb: 'bogus' }).input).toBe('gosumdb')
    expect(refuse({ goflags: '-ldflags="-s -w' }).input).toBe('goflags')
  })
})

describe('duration ranges', () => {
  it.each([
    ['retry-timeout', '0', 'from 1s to 6h'],
    ['retry-timeout', '0s', 'from 1s to 6h'],
    ['retry-timeout', '1000h', 'from 1s to 6h'],
    ['attempt-timeout', '0ms', 'from 1s to 6h'],
    ['attempt-timeout', '500ms', 'from 1s to 6h'],
    ['attempt-timeout', '7h', 'from 1s to 6h'],
    ['retry-backoff', '2m', 'from 0ms to 1m'],
    ['retry-backoff', '1000h', 'from 0ms to 1m']
  ] as const)('refuses %s=%s with the allowed range', (input, value, range) => {
    const e = errorOf(() => parseDurationInput(input, value))
    expect(e.input).toBe(input)
    expect(e.message).toBe(
      `Input '${input}' is '${value}'; it must be ${range}, e.g. ${input === 'retry-backoff' ? '2s' : input === 'retry-timeout' ? '10m' : '2m'}.`
    )
  })

  it('accepts the bounds, zero backoff, and the defaults for empty values', () => {
    expect(parseDurationInput('retry-timeout', '6h')).toBe(6 * 3_600_000)
    expect(parseDurationInput('attempt-timeout', '1s')).toBe(1000)
    expect(parseDurationInput('retry-backoff', '0')).toBe(0)
    expect(parseDurationInput('retry-backoff', '')).toBe(2000)
    expect(parseDurationInput('attempt-timeout', '')).toBe(120_000)
  })
})

describe('secret inputs are masked before they are parsed', () => {
  it('lists the token, each credentials token and line, and every ssh key line', () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAAbm9uZQAAAARub25l\n-----END OPENSSH PRIVATE KEY-----'
    const secrets = secretInputValues(
      getter({
        token: ' ghp_tok ',
        credentials: '# comment\ngitlab.com/acme oauth2:glpat-abc\nbroken-line-s3cr3t\n',
        'ssh-private-key': key
      })
    )
    expect(secrets).toEqual([
      'ghp_tok',
      'gitlab.com/acme oauth2:glpat-abc',
      'oauth2:glpat-abc',
      'glpat-abc',
      'broken-line-s3cr3t',
      'b3BlbnNzaC1rZXktdjEAAAAA',
      'AAAAbm9uZQAAAARub25l'
    ])
  })
})
