import { describe, expect, it } from '@jest/globals'
import {
  PROXY_REQUEST_TRIES,
  proxySecrets,
  redactUserinfo,
  withFallback,
  withRequestRetries
} from '../../src/go/proxylist.js'

describe('GOPROXY with request retries (the download processes only)', () => {
  it('gives each http(s) proxy a second try with |, spelled with or without its trailing slash', () => {
    expect(PROXY_REQUEST_TRIES).toBe(2)
    expect(withRequestRetries('https://proxy.golang.org,direct')).toBe(
      'https://proxy.golang.org|https://proxy.golang.org/,direct'
    )
    expect(withRequestRetries('http://127.0.0.1:8080/mod/')).toBe(
      'http://127.0.0.1:8080/mod/|http://127.0.0.1:8080/mod'
    )
  })

  it("keeps the user's separators: ',' after the second try still falls back on 404/410 only, '|' on any error", () => {
    expect(withRequestRetries('https://a.example|https://b.example,off')).toBe(
      'https://a.example|https://a.example/|https://b.example|https://b.example/,off'
    )
  })

  it('adds https:// to a bare host as go does, and leaves direct, off, file:// and URLs with a query alone', () => {
    expect(withRequestRetries('goproxy.cn,direct')).toBe('https://goproxy.cn|https://goproxy.cn/,direct')
    expect(withRequestRetries('file:///srv/mods,off')).toBe('file:///srv/mods,off')
    expect(withRequestRetries('https://p.example/?org=a')).toBe('https://p.example/?org=a')
    expect(withRequestRetries('https://p.example/mods//')).toBe('https://p.example/mods//')
    expect(withRequestRetries('direct')).toBe('direct')
    expect(withRequestRetries('')).toBe('')
  })

  it("both spellings make the same request paths under go's two joins (one trailing slash trimmed, then the path appended)", () => {
    const join = (base: string, rest: string) => new URL(base).pathname.replace(/\/$/, '') + '/' + rest
    for (const list of [
      'https://p.example',
      'https://p.example/',
      'https://p.example/a/b',
      'https://p.example/a/b/'
    ]) {
      const tries = withRequestRetries(list).split('|')
      expect(tries).toHaveLength(PROXY_REQUEST_TRIES)
      const [one, two] = tries as [string, string]
      expect(one).not.toBe(two)
      expect(join(two, 'sumdb/sum.golang.org/supported')).toBe(join(one, 'sumdb/sum.golang.org/supported'))
    }
  })
})

describe('a login in a GOPROXY list', () => {
  it('is redacted for display and its parts are the secrets to mask (raw and percent-decoded)', () => {
    const list = 'https://ci:p%40ss@goproxy.corp/x|https://proxy.golang.org,direct'
    expect(redactUserinfo(list)).toBe('https://***@goproxy.corp/x|https://proxy.golang.org,direct')
    expect(proxySecrets(list).sort()).toEqual(['ci:p%40ss', 'ci:p@ss', 'p%40ss', 'p@ss'].sort())
    expect(proxySecrets('https://token@goproxy.corp')).toEqual(['token'])
    expect(proxySecrets('https://proxy.golang.org,direct')).toEqual([])
  })
})

describe('withFallback', () => {
  it("replaces the failing first entry and keeps the rest of the user's list", () => {
    expect(withFallback('https://corp.example/go,direct', 'https://proxy.golang.org')).toBe(
      'https://proxy.golang.org,direct'
    )
    expect(withFallback('https://a.example|https://b.example,off', 'https://f.example')).toBe(
      'https://f.example|https://b.example,off'
    )
    expect(withFallback('https://a.example', 'https://f.example')).toBe('https://f.example')
    // go's default when none is configured
    expect(withFallback('', 'https://goproxy.io')).toBe('https://goproxy.io,direct')
  })
})
