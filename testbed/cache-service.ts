/**
 * Emulation of the GitHub Actions cache service that the real, unmodified `@actions/cache` v6 client talks
 * to, with entries on disk and fault injection on every request (twirp, REST and blob).
 *
 * Protocols (both served at once, one port):
 *  - v2 (github.com today; client picks it when ACTIONS_CACHE_SERVICE_V2 is set and GITHUB_SERVER_URL is
 *    not GHES): twirp JSON at
 *      POST /twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL {key, restore_keys, version}
 *      POST …/CreateCacheEntry {key, version}         → {ok, signed_upload_url}; 409 already_exists on a 2nd save
 *      POST …/FinalizeCacheEntryUpload {key, version, size_bytes} → {ok, entry_id}
 *    and Azure-Blob-like storage at `<blobBase>/actions-cache/<id>?sig=…` which the client's Azure SDK
 *    (@azure/storage-blob BlockBlobClient) uploads to (PUT Put Blob, PUT ?comp=block&blockid=, PUT
 *    ?comp=blocklist) and downloads from (GET, or HEAD + GET with x-ms-range/Range when the URL's host is
 *    *.blob.core.windows.net, i.e. through testbed/mitm.ts with `blobBaseUrl`).
 *  - v1 (GHES; legacy): REST under /_apis/artifactcache/: GET cache?keys=&version= (204 on a miss),
 *    GET caches?key=, POST caches {key, version, cacheSize} (→ {cacheId}; 409 when it exists),
 *    PATCH caches/<id> (Content-Range chunk), POST caches/<id> {size} (commit); archiveLocation = blob URL.
 *
 * Matching like the real service: same `version` (hash of paths + compression method) only; for the primary
 * key, then each restore key in order: an exact match, else the newest entry whose key it prefixes.
 * Requests need `Authorization: Bearer <token>` (401 otherwise); blob URLs need a `sig` parameter (403).
 *
 * Usage:
 *   const cache = await startCacheService({ dir })
 *   const r = await runCacheClient({ op: 'save', paths: ['mod'], key: 'k1', cwd: ws, env: cache.env })
 *   cache.faults.add({ fault: { kind: 'status', status: 503 } })   // every request, twirp and blob
 *   cache.entries() ; await cache.close()
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync
} from 'node:fs'
import type http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { pipeline } from 'node:stream/promises'
import { startServer, type BenchServer } from './server.ts'
import { corrupt, type FaultKind } from './faults.ts'

export interface CacheServiceOptions {
  /** Directory for entries (index.json + blobs/). An existing index is loaded, so entries outlive a server. */
  dir: string
  latencyMs?: number
  /** Base URL the clients are told to use for the service (default: the loopback URL). Set e.g.
   * 'https://results-receiver.actions.githubusercontent.com' when reached through testbed/mitm.ts. */
  publicUrl?: string
  /** Base of blob URLs (default `<url>/devstoreaccount1`, path-style like Azurite). Set e.g.
   * 'https://benchcache.blob.core.windows.net' (through the MITM) to make the v2 client download with the Azure SDK. */
  blobBaseUrl?: string
  /** Bearer token the client must send (default: a fake JWT, see `fakeRuntimeToken`). */
  token?: string
  /** Scope recorded on entries (default 'refs/heads/main'). */
  scope?: string
}

export interface CacheEntry {
  id: number
  key: string
  version: string
  scope: string
  /** Size of the stored archive in bytes (0 until uploaded). */
  size: number
  /** Creation time (ms); newest wins among prefix matches. */
  createdAt: number
  /** True once finalized (v2) or committed (v1); only committed entries are restorable. */
  committed: boolean
  protocol: 'v1' | 'v2'
  /** Path of the archive on disk. */
  file: string
}

export interface CacheService extends BenchServer {
  dir: string
  /** Env for the action process, v2 protocol (what github.com uses). */
  env: Record<string, string>
  /** Env for the action process, v1 protocol (GHES / legacy). */
  envV1: Record<string, string>
  token: string
  /** All entries, oldest first (a copy). */
  entries(): CacheEntry[]
  /** Remove entries whose key equals `key` (all when omitted). */
  deleteEntries(key?: string): void
  /** Replace the stored archive of the entry (e.g. to corrupt it). */
  writeArchive(id: number, data: Buffer): void
  blobBaseUrl: string
  /** Twirp/REST/blob requests the service answered (faults.log also has faulted ones). */
  calls: { method: string; path: string; op: string; status: number }[]
  /**
   * Make archive downloads (GET of a blob) stop sending after `afterBytes` bytes of the body, the
   * connection left open (a stalled restore, actions/cache#1115). Returns a function that ends it.
   */
  stallDownloads(afterBytes: number): () => void
  /**
   * Answer every v2 CreateCacheEntry as the service does for a run whose cache token is read-only
   * (`{ok: false, message: 'cache write denied: ...'}`). Returns a function that ends it.
   */
  denyWrites(): () => void
}

/**
 * A twirp error answer for `faults.add`: the status with a JSON body (the client parses every answer as
 * JSON before it looks at the status) and, for a 429, Retry-After as the service sends it.
 */
export function twirpFault(status: number, retryAfterSeconds?: number): FaultKind {
  return {
    kind: 'status',
    status,
    headers: {
      'content-type': 'application/json',
      ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {})
    },
    body: JSON.stringify({
      code: status === 429 ? 'resource_exhausted' : 'unavailable',
      msg: `injected ${status}`
    })
  }
}

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/'

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url')
}

/** A JWT-shaped runtime token (the client only sends it as a Bearer token; nothing parses it). */
export function fakeRuntimeToken(): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5t: 'bench' }))
  const payload = b64url(
    JSON.stringify({
      scp: 'Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:bench-run:bench-job',
      iss: 'vstoken.actions.githubusercontent.com',
      aud: 'vso:bench',
      exp: Math.floor(Date.now() / 1000) + 86400
    })
  )
  return `${header}.${payload}.${b64url('bench-signature')}`
}

async function readBody(req: http.IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = []
  let n = 0
  for await (const chunk of req) {
    const b = chunk as Buffer
    n += b.length
    if (n > limit) throw new Error('request body too large')
    parts.push(b)
  }
  return Buffer.concat(parts)
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m) return undefined
  let start: number
  let end: number
  if (m[1] === '' && m[2] !== '') {
    start = Math.max(0, size - parseInt(m[2] ?? '0', 10))
    end = size - 1
  } else {
    start = parseInt(m[1] ?? '0', 10)
    end = m[2] ? Math.min(parseInt(m[2], 10), size - 1) : size - 1
  }
  return { start, end }
}

export async function startCacheService(opts: CacheServiceOptions): Promise<CacheService> {
  const dir = path.resolve(opts.dir)
  const blobDir = path.join(dir, 'blobs')
  const blockDir = path.join(dir, 'blocks')
  mkdirSync(blobDir, { recursive: true })
  mkdirSync(blockDir, { recursive: true })
  const indexFile = path.join(dir, 'index.json')
  const token = opts.token ?? fakeRuntimeToken()
  const scope = opts.scope ?? 'refs/heads/main'
  let entries: CacheEntry[] = existsSync(indexFile)
    ? (JSON.parse(readFileSync(indexFile, 'utf8')) as CacheEntry[])
    : []
  let nextId = entries.reduce((m, e) => Math.max(m, e.id), 0) + 1
  let lastCreated = 0
  const calls: CacheService['calls'] = []
  const save = () => writeFileSync(indexFile, JSON.stringify(entries, null, 1))
  const now = () => {
    // Strictly increasing creation times, so "newest first" is well defined within one millisecond.
    lastCreated = Math.max(Date.now(), lastCreated + 1)
    return lastCreated
  }

  const state = { url: '', blobBase: '', stallAfter: -1, denyWrites: false }
  const stalled = new Set<http.ServerResponse>()
  const blobUrl = (id: number) =>
    `${state.blobBase}/actions-cache/${id}?sv=2023-11-03&sr=b&sp=rcw&sig=${randomBytes(12).toString('base64url')}`

  const find = (keys: string[], version: string): CacheEntry | undefined => {
    const usable = entries
      .filter((e) => e.committed && e.version === version)
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
    const [primary, ...restore] = keys
    if (primary === undefined) return undefined
    // Each key in order: an exact match, else the newest entry it prefixes.
    for (const k of [primary, ...restore]) {
      const hit = usable.find((e) => e.key === k) ?? usable.find((e) => e.key.startsWith(k))
      if (hit) return hit
    }
    return undefined
  }

  const createEntry = (key: string, version: string, protocol: 'v1' | 'v2'): CacheEntry | undefined => {
    if (entries.some((e) => e.key === key && e.version === version)) return undefined
    const id = nextId++
    const entry: CacheEntry = {
      id,
      key,
      version,
      scope,
      size: 0,
      createdAt: now(),
      committed: false,
      protocol,
      file: path.join(blobDir, String(id))
    }
    entries.push(entry)
    save()
    return entry
  }

  type Send = (status: number, body: Buffer | string, headers?: http.OutgoingHttpHeaders) => void

  const handleTwirp = async (
    method: string,
    req: http.IncomingMessage,
    send: Send,
    record: { op: string; status: number }
  ) => {
    record.op = `v2 ${method}`
    const twirpError = (status: number, code: string, msg: string) => {
      record.status = status
      send(status, JSON.stringify({ code, msg }), { 'content-type': 'application/json' })
    }
    const ok = (body: unknown) => {
      record.status = 200
      send(200, JSON.stringify(body), { 'content-type': 'application/json' })
    }
    let body: Record<string, unknown>
    try {
      body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>
    } catch {
      return twirpError(400, 'malformed', 'the request body is not JSON')
    }
    const key = typeof body.key === 'string' ? body.key : ''
    const version = typeof body.version === 'string' ? body.version : ''
    switch (method) {
      case 'GetCacheEntryDownloadURL': {
        const restoreKeys = Array.isArray(body.restore_keys) ? (body.restore_keys as string[]) : []
        if (!key || !version) return twirpError(400, 'invalid_argument', 'key and version are required')
        const hit = find([key, ...restoreKeys], version)
        if (!hit) return ok({ ok: false, signed_download_url: '', matched_key: '' })
        return ok({ ok: true, signed_download_url: blobUrl(hit.id), matched_key: hit.key })
      }
      case 'CreateCacheEntry': {
        if (!key || !version) return twirpError(400, 'invalid_argument', 'key and version are required')
        if (state.denyWrites)
          return ok({
            ok: false,
            signed_upload_url: '',
            message: 'cache write denied: the cache token of this run is read-only'
          })
        const entry = createEntry(key, version, 'v2')
        if (!entry)
          return twirpError(
            409,
            'already_exists',
            'cache entry with the same key, version, and scope already exists'
          )
        return ok({ ok: true, signed_upload_url: blobUrl(entry.id) })
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = entries.find(
          (e) => e.key === key && e.version === version && !e.committed && e.protocol === 'v2'
        )
        if (!entry) return twirpError(404, 'not_found', 'cache entry not found')
        const size = existsSync(entry.file) ? statSync(entry.file).size : -1
        if (size < 0) return ok({ ok: false, entry_id: '0', message: 'cache entry has no uploaded archive' })
        if (body.size_bytes !== undefined && Number(body.size_bytes) !== size)
          return ok({
            ok: false,
            entry_id: '0',
            message: `uploaded size ${size} does not match size_bytes ${String(body.size_bytes)}`
          })
        entry.size = size
        entry.committed = true
        save()
        return ok({ ok: true, entry_id: String(entry.id) })
      }
      default:
        return twirpError(404, 'bad_route', `no handler for ${method}`)
    }
  }

  const handleV1 = async (
    rest: string,
    url: URL,
    req: http.IncomingMessage,
    send: Send,
    record: { op: string; status: number }
  ) => {
    const json = (status: number, v: unknown) => {
      record.status = status
      send(status, JSON.stringify(v), { 'content-type': 'application/json' })
    }
    const empty = (status: number) => {
      record.status = status
      send(status, '')
    }
    const method = req.method ?? 'GET'
    if (method === 'GET' && rest === 'cache') {
      record.op = 'v1 getCacheEntry'
      const keys = (url.searchParams.get('keys') ?? '').split(',').filter((k) => k !== '')
      const hit = find(keys, url.searchParams.get('version') ?? '')
      if (!hit) return empty(204)
      return json(200, {
        scope: hit.scope,
        cacheKey: hit.key,
        cacheVersion: hit.version,
        creationTime: new Date(hit.createdAt).toISOString(),
        archiveLocation: blobUrl(hit.id)
      })
    }
    if (method === 'GET' && rest === 'caches') {
      record.op = 'v1 listCaches'
      const key = url.searchParams.get('key') ?? ''
      const list = entries.filter((e) => e.committed && e.key === key)
      return json(200, {
        totalCount: list.length,
        artifactCaches: list.map((e) => ({
          scope: e.scope,
          cacheKey: e.key,
          cacheVersion: e.version,
          creationTime: new Date(e.createdAt).toISOString()
        }))
      })
    }
    if (method === 'POST' && rest === 'caches') {
      record.op = 'v1 reserveCache'
      const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>
      const key = typeof body.key === 'string' ? body.key : ''
      const version = typeof body.version === 'string' ? body.version : ''
      if (!key || !version) return json(400, { message: 'key and version are required' })
      const entry = createEntry(key, version, 'v1')
      if (entry) writeFileSync(entry.file + '.upload', '')
      if (!entry)
        return json(409, {
          $id: '1',
          innerException: null,
          message: `Cache already exists. Scope: ${scope}, Key: ${key}, Version: ${version}`,
          typeName: 'Microsoft.Azure.DevOps.PipelineCache.WebApi.ArtifactCacheAlreadyExistsException',
          typeKey: 'ArtifactCacheAlreadyExistsException',
          errorCode: 0,
          eventId: 3000
        })
      return json(201, { cacheId: entry.id })
    }
    const m = /^caches\/(\d+)$/.exec(rest)
    if (m) {
      const entry = entries.find((e) => e.id === Number(m[1]) && e.protocol === 'v1')
      if (!entry) {
        req.resume()
        return json(404, { message: `cache ${m[1]} not found` })
      }
      if (method === 'PATCH') {
        record.op = 'v1 uploadChunk'
        const range = /^bytes (\d+)-(\d+)\/(\*|\d+)$/.exec(req.headers['content-range'] ?? '')
        if (!range || entry.committed) {
          req.resume()
          return json(400, { message: 'bad Content-Range or cache already committed' })
        }
        const data = await readBody(req)
        const start = Number(range[1])
        if (Number(range[2]) - start + 1 !== data.length)
          return json(400, { message: 'Content-Range does not match the body' })
        const partial = entry.file + '.upload'
        const fd = openSync(partial, 'r+')
        try {
          writeSync(fd, data, 0, data.length, start)
        } finally {
          closeSync(fd)
        }
        return empty(204)
      }
      if (method === 'POST') {
        record.op = 'v1 commitCache'
        const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>
        const partial = entry.file + '.upload'
        const size = existsSync(partial) ? statSync(partial).size : 0
        if (Number(body.size) !== size)
          return json(400, { message: `size ${String(body.size)} does not match uploaded ${size}` })
        renameSync(partial, entry.file)
        entry.size = size
        entry.committed = true
        save()
        return empty(204)
      }
    }
    req.resume()
    return json(404, { message: `no route for ${method} _apis/artifactcache/${rest}` })
  }

  const handleBlob = async (
    id: number,
    url: URL,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    send: Send,
    isCorrupt: boolean,
    record: { op: string; status: number }
  ) => {
    const requestId = randomBytes(8).toString('hex')
    const common = { 'x-ms-request-id': requestId, 'x-ms-version': '2023-11-03' }
    const azureError = (status: number, code: string, message: string) => {
      record.status = status
      req.resume()
      send(
        status,
        `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
        {
          'content-type': 'application/xml',
          'x-ms-error-code': code,
          ...common
        }
      )
    }
    if (!url.searchParams.get('sig'))
      return azureError(403, 'AuthenticationFailed', 'Server failed to authenticate the request.')
    const entry = entries.find((e) => e.id === id)
    if (!entry) return azureError(404, 'BlobNotFound', 'The specified blob does not exist.')
    const method = req.method ?? 'GET'
    const comp = url.searchParams.get('comp')
    const etag = `"0x${(entry.createdAt * 7 + entry.size).toString(16).toUpperCase()}"`
    const lastModified = new Date(entry.createdAt).toUTCString()
    if (method === 'PUT') {
      if (entry.committed) return azureError(409, 'BlobImmutable', 'The cache entry is already finalized.')
      const created = (extra: http.OutgoingHttpHeaders = {}) => {
        record.status = 201
        send(201, '', {
          ...common,
          etag,
          'last-modified': new Date().toUTCString(),
          'x-ms-request-server-encrypted': 'true',
          ...extra
        })
      }
      if (comp === 'block') {
        record.op = 'blob putBlock'
        const blockId = url.searchParams.get('blockid') ?? ''
        if (!blockId) return azureError(400, 'InvalidQueryParameterValue', 'blockid is required')
        const d = path.join(blockDir, String(id))
        mkdirSync(d, { recursive: true })
        await pipeline(req, createWriteStream(path.join(d, Buffer.from(blockId, 'base64').toString('hex'))))
        return created()
      }
      if (comp === 'blocklist') {
        record.op = 'blob putBlockList'
        const xml = (await readBody(req)).toString('utf8')
        const ids = [...xml.matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1] ?? '')
        const d = path.join(blockDir, String(id))
        const out = openSync(entry.file, 'w')
        try {
          for (const b of ids) {
            const f = path.join(d, Buffer.from(b, 'base64').toString('hex'))
            if (!existsSync(f)) {
              closeSync(out)
              rmSync(entry.file, { force: true })
              return azureError(400, 'InvalidBlockList', `block ${b} was not uploaded`)
            }
            const data = readFileSync(f)
            writeSync(out, data)
          }
        } finally {
          try {
            closeSync(out)
          } catch {
            // closed above
          }
        }
        rmSync(d, { recursive: true, force: true })
        entry.size = statSync(entry.file).size
        save()
        return created()
      }
      if (comp) return azureError(400, 'UnsupportedQueryParameter', `comp=${comp} is not supported`)
      record.op = 'blob putBlob'
      await pipeline(req, createWriteStream(entry.file))
      entry.size = statSync(entry.file).size
      save()
      return created()
    }
    if (method === 'GET' || method === 'HEAD') {
      if (!entry.committed || !existsSync(entry.file))
        return azureError(404, 'BlobNotFound', 'The specified blob does not exist.')
      const size = statSync(entry.file).size
      const headers: http.OutgoingHttpHeaders = {
        ...common,
        etag,
        'last-modified': lastModified,
        'accept-ranges': 'bytes',
        'content-type': 'application/octet-stream',
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-creation-time': lastModified,
        'x-ms-lease-status': 'unlocked',
        'x-ms-lease-state': 'available',
        'x-ms-server-encrypted': 'true'
      }
      if (method === 'HEAD') {
        record.op = 'blob getProperties'
        record.status = 200
        res.writeHead(200, { ...headers, 'content-length': String(size) })
        res.end()
        return
      }
      const rangeHeader = (req.headers['x-ms-range'] as string | undefined) ?? req.headers.range
      const range = parseRange(rangeHeader, size)
      record.op = range ? 'blob getRange' : 'blob get'
      if (range && (range.start >= size || range.start > range.end)) {
        record.status = 416
        return send(416, '', { ...common, 'content-range': `bytes */${size}` })
      }
      const start = range?.start ?? 0
      const end = range?.end ?? size - 1
      const status = range ? 206 : 200
      record.status = status
      if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`
      if (isCorrupt) {
        // Read the slice, flip bytes in its middle, send.
        const fd = openSync(entry.file, 'r')
        const buf = Buffer.alloc(Math.max(0, end - start + 1))
        try {
          if (buf.length) readSyncAll(fd, buf, start)
        } finally {
          closeSync(fd)
        }
        const bad = corrupt(buf)
        res.writeHead(status, { ...headers, 'content-length': String(bad.length) })
        res.end(bad)
        return
      }
      res.writeHead(status, { ...headers, 'content-length': String(end - start + 1) })
      if (end < start) return void res.end()
      if (state.stallAfter >= 0) {
        // Send the first bytes, then nothing more on an open connection.
        record.op += ' (stalled)'
        stalled.add(res)
        res.on('close', () => stalled.delete(res))
        const head = Math.min(state.stallAfter, end - start + 1)
        if (head > 0) {
          const fd = openSync(entry.file, 'r')
          const buf = Buffer.alloc(head)
          try {
            readSyncAll(fd, buf, start)
          } finally {
            closeSync(fd)
          }
          res.write(buf)
        }
        return
      }
      await pipeline(createReadStream(entry.file, { start, end }), res)
      return
    }
    return azureError(405, 'UnsupportedHttpVerb', `${method} is not supported`)
  }

  const server = await startServer(
    async (req, res, ctx) => {
      const url = new URL(req.url ?? '/', 'http://bench.invalid')
      const record = { method: req.method ?? 'GET', path: url.pathname, op: 'unknown', status: 0 }
      calls.push(record)
      const blob = /\/actions-cache\/(\d+)$/.exec(url.pathname)
      if (blob) return handleBlob(Number(blob[1]), url, req, res, ctx.send, ctx.corrupt, record)
      const auth = req.headers.authorization ?? ''
      if (auth !== `Bearer ${token}`) {
        record.status = 401
        req.resume()
        return ctx.send(
          401,
          JSON.stringify({
            code: 'unauthenticated',
            msg: 'invalid or missing runtime token',
            message: 'Unauthorized'
          }),
          {
            'content-type': 'application/json'
          }
        )
      }
      if (url.pathname.startsWith(TWIRP_PREFIX)) {
        if (req.method !== 'POST') {
          record.status = 405
          req.resume()
          return ctx.send(405, JSON.stringify({ code: 'bad_route', msg: 'twirp needs POST' }), {
            'content-type': 'application/json'
          })
        }
        return handleTwirp(url.pathname.slice(TWIRP_PREFIX.length), req, ctx.send, record)
      }
      const v1 = /\/_apis\/artifactcache\/(.*)$/.exec(url.pathname)
      if (v1) return handleV1(v1[1] ?? '', url, req, ctx.send, record)
      record.status = 404
      req.resume()
      ctx.send(404, JSON.stringify({ code: 'bad_route', msg: `no route ${url.pathname}` }), {
        'content-type': 'application/json'
      })
    },
    { latencyMs: opts.latencyMs }
  )
  state.url = server.url
  state.blobBase = (opts.blobBaseUrl ?? `${server.url}/devstoreaccount1`).replace(/\/$/, '')
  const publicUrl = (opts.publicUrl ?? server.url).replace(/\/$/, '')
  const env = {
    ACTIONS_CACHE_SERVICE_V2: 'true',
    ACTIONS_RESULTS_URL: `${publicUrl}/`,
    ACTIONS_CACHE_URL: `${publicUrl}/`,
    ACTIONS_RUNTIME_TOKEN: token
  }
  const envV1 = { ...env, ACTIONS_CACHE_SERVICE_V2: '' }

  return {
    url: server.url,
    port: server.port,
    faults: server.faults,
    get latencyMs() {
      return server.latencyMs
    },
    set latencyMs(v: number) {
      server.latencyMs = v
    },
    dir,
    env,
    envV1,
    token,
    calls,
    get blobBaseUrl() {
      return state.blobBase
    },
    set blobBaseUrl(v: string) {
      state.blobBase = v.replace(/\/$/, '')
    },
    entries: () => entries.map((e) => ({ ...e })),
    deleteEntries(key?: string) {
      for (const e of entries.filter((x) => key === undefined || x.key === key))
        rmSync(e.file, { force: true })
      entries = entries.filter((x) => key !== undefined && x.key !== key)
      save()
    },
    writeArchive(id: number, data: Buffer) {
      const e = entries.find((x) => x.id === id)
      if (!e) throw new Error(`no cache entry ${id}`)
      writeFileSync(e.file, data)
      e.size = data.length
      save()
    },
    denyWrites() {
      state.denyWrites = true
      return () => {
        state.denyWrites = false
      }
    },
    stallDownloads(afterBytes: number) {
      state.stallAfter = afterBytes
      return () => {
        state.stallAfter = -1
        for (const res of stalled) res.socket?.destroy()
        stalled.clear()
      }
    },
    close: () => {
      for (const res of stalled) res.socket?.destroy()
      return server.close()
    }
  }
}

function readSyncAll(fd: number, buf: Buffer, position: number): void {
  // fs.readSync may return fewer bytes than asked; loop.
  let off = 0
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, position + off)
    if (n <= 0) break
    off += n
  }
}

// ---------------------------------------------------------------------------------------------------------
// Running the real client

export interface CacheClientRun {
  op: 'save' | 'restore'
  paths: string[]
  key: string
  restoreKeys?: string[]
  /** restore only: lookupOnly. */
  lookupOnly?: boolean
  /** Working directory (paths are relative to it; also GITHUB_WORKSPACE). */
  cwd: string
  /** Environment of the service (cache.env or cache.envV1) plus anything else (e.g. mitm.env). */
  env: Record<string, string>
  /**
   * Shorten the client's own retry sleeps (2..20 s: the twirp client's 3 s × 1.5^n backoff, the v1 5 s
   * delay) to 20 ms by wrapping setTimeout in the child. Download/segment timeouts (≥ 30 s) are untouched.
   */
  fastRetry?: boolean
  /** Kill the child after this many ms (default 60000). */
  timeoutMs?: number
}

export interface CacheClientResult {
  /** restoreCache → the matched key or undefined; saveCache → the cache id (-1 when not saved). */
  value: string | number | undefined
  /** A thrown error (only ValidationError and friends escape the client). */
  error?: { name: string; message: string }
  exitCode: number | null
  stdout: string
  stderr: string
  /** Messages of `::warning::`, `::error::`, info and `::debug::` lines. */
  warnings: string[]
  errors: string[]
  infos: string[]
  debug: string[]
}

/** Path of the child script that calls @actions/cache (run with process.execPath = Node 24). */
export const cacheClientScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cache-client.ts')

/**
 * A Node that runs .ts files directly: this one when it is ≥ 23 (type stripping on by default), else the
 * project's devDependency node@24 (node_modules/node/bin/node), e.g. when jest was started by a system Node 20.
 */
export function nodeForTs(): string {
  if (Number(process.versions.node.split('.')[0]) >= 23) return process.execPath
  const local = path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    'node_modules',
    'node',
    'bin',
    'node'
  )
  return existsSync(local) ? local : process.execPath
}

/**
 * Run `saveCache` / `restoreCache` of the real @actions/cache in a child Node process with `env` (the
 * parent's ACTIONS_*, GITHUB_* and proxy variables are dropped first, so a CI runner's real cache service is
 * never reached).
 */
export function runCacheClient(run: CacheClientRun): Promise<CacheClientResult> {
  const base: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue
    if (/^(ACTIONS_|GITHUB_|RUNNER_|INPUT_|STATE_)/.test(k)) continue
    if (/^(https?_proxy|no_proxy|all_proxy|NODE_OPTIONS|NODE_EXTRA_CA_CERTS)$/i.test(k)) continue
    base[k] = v
  }
  const runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'bench-cache-client-'))
  const env: Record<string, string> = {
    ...base,
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: run.cwd,
    BENCH_CACHE_ARGS: JSON.stringify({
      op: run.op,
      paths: run.paths,
      key: run.key,
      restoreKeys: run.restoreKeys ?? [],
      lookupOnly: run.lookupOnly ?? false
    }),
    ...(run.fastRetry ? { BENCH_FAST_RETRY: '1' } : {}),
    ...run.env
  }
  return new Promise((resolve, reject) => {
    const child = spawn(nodeForTs(), [cacheClientScript], {
      cwd: run.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs ?? 60000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      rmSync(runnerTemp, { recursive: true, force: true })
      const warnings: string[] = []
      const errors: string[] = []
      const infos: string[] = []
      const debug: string[] = []
      let value: CacheClientResult['value']
      let error: CacheClientResult['error']
      for (const line of stdout.split('\n')) {
        if (line.startsWith('BENCH_RESULT ')) {
          const r = JSON.parse(line.slice('BENCH_RESULT '.length)) as {
            value?: string | number
            error?: { name: string; message: string }
          }
          value = r.value
          error = r.error
        } else if (line.startsWith('::warning')) warnings.push(line.replace(/^::warning[^:]*::/, ''))
        else if (line.startsWith('::error')) errors.push(line.replace(/^::error[^:]*::/, ''))
        else if (line.startsWith('::debug::')) debug.push(line.slice(9))
        else if (line.trim() && !line.startsWith('::')) infos.push(line)
      }
      resolve({ value, error, exitCode: code, stdout, stderr, warnings, errors, infos, debug })
    })
  })
}

/** List the files under dir (relative paths, sorted) — handy to compare a restored tree with the saved one. */
export function listTree(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${name.name}` : name.name
      if (name.isDirectory()) walk(path.join(d, name.name), r)
      else out.push(r)
    }
  }
  if (existsSync(dir)) walk(dir, '')
  return out.sort()
}
