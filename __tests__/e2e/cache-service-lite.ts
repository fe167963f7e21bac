/**
 * A minimal Actions cache service (the v1 REST protocol @actions/cache speaks when
 * ACTIONS_CACHE_SERVICE_V2 is unset) on a bench server, for the module cache tests until
 * bench/cache-service.ts exists. Entries are kept in memory; `entries` lets a test corrupt one.
 *
 *   GET   _apis/artifactcache/cache?keys=k1,k2&version=v   exact key first, then each key as a prefix
 *                                                           (newest first); 204 on a miss
 *   POST  _apis/artifactcache/caches {key, version}         reserve -> {cacheId}; 409 when the key exists
 *   PATCH _apis/artifactcache/caches/:id                    upload a chunk (Content-Range)
 *   POST  _apis/artifactcache/caches/:id {size}             commit
 *   GET   /archive/:id                                      the archive (archiveLocation)
 */
import { startServer, type BenchServer } from '../../bench/server.ts'

export interface LiteEntry {
  id: number
  key: string
  version: string
  created: number
  data: Buffer
  committed: boolean
}

export interface LiteCacheService extends BenchServer {
  entries: LiteEntry[]
  /** Environment for @actions/cache (v1). */
  env: Record<string, string>
}

export async function startLiteCacheService(): Promise<LiteCacheService> {
  const entries: LiteEntry[] = []
  const chunks = new Map<number, Array<[start: number, data: Buffer]>>()
  let clock = 0
  const server = await startServer(async (req, res, { send }) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const body = await new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = []
      req.on('data', (c: Buffer) => parts.push(c))
      req.on('end', () => resolve(Buffer.concat(parts)))
    })
    const json = (status: number, v: unknown) =>
      send(status, JSON.stringify(v), { 'content-type': 'application/json' })
    const p = url.pathname
    if (req.method === 'GET' && p.endsWith('/_apis/artifactcache/cache')) {
      const keys = (url.searchParams.get('keys') ?? '').split(',')
      const version = url.searchParams.get('version') ?? ''
      const usable = entries
        .filter((e) => e.committed && e.version === version)
        .sort((a, b) => b.created - a.created)
      const [primary, ...rest] = keys
      const hit =
        usable.find((e) => e.key === primary) ??
        [primary, ...rest].map((k) => usable.find((e) => e.key.startsWith(k as string))).find(Boolean)
      if (!hit) return send(204, '')
      return json(200, {
        cacheKey: hit.key,
        scope: 'refs/heads/main',
        archiveLocation: `${server.url}/archive/${hit.id}`
      })
    }
    if (req.method === 'POST' && p.endsWith('/_apis/artifactcache/caches')) {
      const { key, version } = JSON.parse(body.toString()) as { key: string; version: string }
      if (entries.some((e) => e.key === key && e.version === version)) {
        return json(409, {
          message: `Cache already exists. Scope: refs/heads/main, Key: ${key}, Version: ${version}`
        })
      }
      const entry = {
        id: entries.length + 1,
        key,
        version,
        created: ++clock,
        data: Buffer.alloc(0),
        committed: false
      }
      entries.push(entry)
      chunks.set(entry.id, [])
      return json(201, { cacheId: entry.id })
    }
    const m = /\/_apis\/artifactcache\/caches\/(\d+)$/.exec(p)
    if (m) {
      const entry = entries.find((e) => e.id === Number(m[1]))
      if (!entry) return send(404, '')
      if (req.method === 'PATCH') {
        const start = Number(/bytes (\d+)-/.exec(req.headers['content-range'] ?? '')?.[1] ?? 0)
        chunks.get(entry.id)?.push([start, body])
        return send(204, '')
      }
      if (req.method === 'POST') {
        const parts = (chunks.get(entry.id) ?? []).sort((x, y) => x[0] - y[0])
        entry.data = Buffer.concat(parts.map((x) => x[1]))
        entry.committed = true
        return send(204, '')
      }
    }
    const a = /^\/archive\/(\d+)$/.exec(p)
    if (req.method === 'GET' && a) {
      const entry = entries.find((e) => e.id === Number(a[1]))
      if (!entry) return send(404, '')
      return send(200, entry.data, { 'content-type': 'application/octet-stream' })
    }
    send(404, `lite cache service: no route for ${req.method} ${p}\n`)
  })
  return Object.assign(server, {
    entries,
    env: { ACTIONS_CACHE_URL: `${server.url}/`, ACTIONS_RUNTIME_TOKEN: 'bench-token' }
  })
}
