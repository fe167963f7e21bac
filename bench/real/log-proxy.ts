/**
 * A logging forward proxy on loopback in front of the machine's real module proxy, so the real-world
 * benchmark can count what plain `go` and the action ask for (requests by kind, bytes received) without
 * changing either of them: both get GOPROXY=<this proxy>, which forwards every GET unchanged (path, query,
 * Accept-Encoding) to the upstream URL and streams the answer back. Nothing is cached here: each request
 * reaches the upstream, as it would without the proxy.
 */
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'

export type RequestKind = 'zip' | 'mod' | 'info' | 'list' | 'latest' | 'sumdb' | 'other'

export interface Counts {
  requests: number
  /** Response body bytes received from the upstream (as sent: compressed when the upstream compressed). */
  bytes: number
  byKind: Record<RequestKind, number>
  /** Answers other than 200, by status. */
  notOk: Record<string, number>
}

export interface LogProxy {
  /** The GOPROXY value for the contestants. */
  url: string
  /** Counts since the proxy started. */
  counts(): Counts
  close(): Promise<void>
}

export function emptyCounts(): Counts {
  return {
    requests: 0,
    bytes: 0,
    byKind: { zip: 0, mod: 0, info: 0, list: 0, latest: 0, sumdb: 0, other: 0 },
    notOk: {}
  }
}

/** b - a: what happened between two snapshots. */
export function countsBetween(a: Counts, b: Counts): Counts {
  const d = emptyCounts()
  d.requests = b.requests - a.requests
  d.bytes = b.bytes - a.bytes
  for (const k of Object.keys(d.byKind) as RequestKind[]) d.byKind[k] = b.byKind[k] - a.byKind[k]
  for (const [s, n] of Object.entries(b.notOk)) {
    const diff = n - (a.notOk[s] ?? 0)
    if (diff) d.notOk[s] = diff
  }
  return d
}

/** What a module proxy request asks for (the GOPROXY protocol's paths). */
export function requestKind(urlPath: string): RequestKind {
  const p = urlPath.split('?')[0] ?? ''
  if (p.includes('/sumdb/')) return 'sumdb'
  if (p.endsWith('/@v/list')) return 'list'
  if (p.endsWith('/@latest')) return 'latest'
  if (p.endsWith('.zip')) return 'zip'
  if (p.endsWith('.mod')) return 'mod'
  if (p.endsWith('.info')) return 'info'
  return 'other'
}

/**
 * The first proxy URL of a GOPROXY list (`https://a,https://b|direct`): the one go asks first. `direct`
 * and `off` are not proxies; undefined when the list has no URL.
 */
export function firstProxyUrl(goproxy: string): string | undefined {
  return goproxy
    .split(/[,|]/)
    .map((s) => s.trim())
    .find((s) => /^https?:\/\//.test(s))
}

export async function startLogProxy(upstream: string): Promise<LogProxy> {
  const base = new URL(upstream.endsWith('/') ? upstream : `${upstream}/`)
  const client = base.protocol === 'https:' ? https : http
  const agent = new client.Agent({ keepAlive: true, maxSockets: 64 })
  const total = emptyCounts()
  const server = http.createServer((req, res) => {
    const target = new URL((req.url ?? '/').replace(/^\//, ''), base)
    const kind = requestKind(target.pathname)
    total.requests++
    total.byKind[kind]++
    const headers: http.OutgoingHttpHeaders = {}
    for (const h of ['accept', 'accept-encoding', 'user-agent', 'range'])
      if (req.headers[h]) headers[h] = req.headers[h]
    const up = client.request(target, { method: req.method, headers, agent }, (upRes) => {
      const status = upRes.statusCode ?? 502
      if (status !== 200) total.notOk[String(status)] = (total.notOk[String(status)] ?? 0) + 1
      const out: http.OutgoingHttpHeaders = {}
      for (const [k, v] of Object.entries(upRes.headers))
        if (v !== undefined && !['connection', 'keep-alive', 'transfer-encoding'].includes(k)) out[k] = v
      res.writeHead(status, out)
      upRes.on('data', (chunk: Buffer) => (total.bytes += chunk.length))
      upRes.pipe(res)
    })
    up.on('error', (err) => {
      total.notOk.error = (total.notOk.error ?? 0) + 1
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`log proxy: upstream error: ${err.message}\n`)
    })
    req.pipe(up)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => structuredClone(total),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    }
  }
}
