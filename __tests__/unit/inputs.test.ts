import { describe, expect, it } from '@jest/globals'
import path from 'node:path'
import {
  parseArchitecture,
  parseCredentials,
  parseDuration,
  parseInputs,
  parseInteger
} from '../../src/inputs.js'
import { inputErrorOf as errorOf } from '../helpers/input-error.ts'

const getter =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? ''

describe('parseInputs', () => {
  it('applies the documented defaults when nothing is set', () => {
    const config = parseInputs(getter({}), { GITHUB_WORKSPACE: '/ws' })
    expect(config.workingDirectory).toBe(path.resolve('/ws'))
    expect(config.cache).toEqual({
      enabled: true,
      dependencyPath: [],
      keySuffix: '',
      build: false,
      save: 'auto'
    })
    expect(config.download.retries).toBe(5)
    expect(config.download.parallel).toBe(8)
    expect(config.download.backoffMs).toBe(2000)
    expect(config.download.timeoutMs).toBe(600_000)
    expect(config.download.attemptTimeoutMs).toBe(120_000)
    expect(config.go.downloadBaseUrl).toBe('')
  })

  it('resolves working-directory and go-version-file against the workspace', () => {
    const config = parseInputs(getter({ 'working-directory': 'svc/api', 'go-version-file': 'go.mod' }), {
      GITHUB_WORKSPACE: '/ws'
    })
    expect(config.workingDirectory).toBe(path.resolve('/ws/svc/api'))
    expect(config.go.versionFile).toBe(path.resolve('/ws/svc/api/go.mod'))
  })

  it('takes the mirror from GO_DOWNLOAD_BASE_URL when the input is empty, and the input wins over it', () => {
    expect(
      parseInputs(getter({}), { GO_DOWNLOAD_BASE_URL: 'https://m.example/dl/' }).go.downloadBaseUrl
    ).toBe('https://m.example/dl')
    expect(
      parseInputs(getter({ 'go-download-base-url': 'http://127.0.0.1:9/x' }), {
        GO_DOWNLOAD_BASE_URL: 'https://m.example/dl'
      }).go.downloadBaseUrl
    ).toBe('http://127.0.0.1:9/x')
  })

  it('rejects an unknown cache-save value and lists the allowed ones', () => {
    const e = errorOf(() => parseInputs(getter({ 'cache-save': 'sometimes' })))
    expect(e.input).toBe('cache-save')
    expect(e.message).toContain("'sometimes'")
    expect(e.message).toContain('auto, always, never')
  })

  it('rejects a mirror URL that is not http(s)', () => {
    const e = errorOf(() => parseInputs(getter({ 'go-download-base-url': 'ftp://mirror/go' })))
    expect(e.message).toMatch(/Input 'go-download-base-url' is 'ftp:\/\/mirror\/go'.*https:\/\/go.dev\/dl/)
  })

  it('returns a frozen config', () => {
    const config = parseInputs(getter({}))
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
