import { describe, expect, it } from '@jest/globals'
import { PROXY_REQUEST_TRIES, withRequestRetries } from '../../src/go/proxylist.js'

describe('GOPROXY with request retries (the download processes only)', () => {
  it('repeats each http(s) proxy with | in spellings go turns into the same requests', () => {
    expect(PROXY_REQUEST_TRIES).toBe(3)
    expect(withRequestRetries('https://proxy.golang.org,direct')).toBe(
      'https://proxy.golang.org|https://proxy.golang.org/|https://proxy.golang.org/./,direct'
    )
    expect(withRequestRetries('http://127.0.0.1:8080/mod/', 2)).toBe(
      'http://127.0.0.1:8080/mod|http://127.0.0.1:8080/mod/'
    )
  })

  it("keeps the user's separators: ',' after the last try still falls back on 404/410 only, '|' on any error", () => {
    expect(withRequestRetries('https://a.example|https://b.example,off', 2)).toBe(
      'https://a.example|https://a.example/|https://b.example|https://b.example/,off'
    )
  })

  it('adds https:// to a bare host as go does, and leaves direct, off, file:// and URLs with a query alone', () => {
    expect(withRequestRetries('goproxy.cn,direct', 2)).toBe('https://goproxy.cn|https://goproxy.cn/,direct')
    expect(withRequestRetries('file:///srv/mods,off')).toBe('file:///srv/mods,off')
    expect(withRequestRetries('https://p.example/?org=a')).toBe('https://p.example/?org=a')
    expect(withRequestRetries('direct')).toBe('direct')
    expect(withRequestRetries('')).toBe('')
  })

  it('each spelling differs (go memoizes lookups, errors included, per proxy string)', () => {
    const tries = withRequestRetries('https://p.example/', 4).split('|')
    expect(new Set(tries).size).toBe(4)
    for (const t of tries)
      expect(new URL('x/@v/list', t.endsWith('/') ? t : t + '/').pathname).toBe('/x/@v/list')
  })

  it('one try is the list as it is', () => {
    expect(withRequestRetries('https://p.example,direct', 1)).toBe('https://p.example,direct')
  })
})
