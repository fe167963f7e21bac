/**
 * testbed/cache-service.ts with the real, unmodified @actions/cache v6 client (saveCache / restoreCache in a
 * Node 24 child, testbed/cache-client.ts): v2 twirp + Azure blob (what github.com uses) and v1 REST (GHES),
 * key / restore-key matching, version scoping, collisions, 503 everywhere, a corrupted download, the
 * Azure SDK's block upload and ranged download (through the MITM under *.blob.core.windows.net), and
 * persistence across restarts.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import {
  listTree,
  runCacheClient,
  startCacheService,
  type CacheService
} from '../../testbed/cache-service.ts'
import { startMitm } from '../../testbed/mitm.ts'
import { portRefused } from '../helpers/git-util.ts'

let root: string
let cache: CacheService
let n = 0

/** A workspace with `mod/` holding a few files (content depends on `seed`). */
function workspace(seed: string): { ws: string; files: Record<string, string> } {
  const ws = path.join(root, `ws-${++n}`)
  const files: Record<string, string> = {
    'cache/download/example.com/a/@v/v1.0.0.zip': `zip ${seed}\n`.repeat(200),
    'cache/download/example.com/a/@v/v1.0.0.mod': `module example.com/a // ${seed}\n`,
    'example.com/a@v1.0.0/a.go': `package a // ${seed}\n`
  }
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ws, 'mod', rel)), { recursive: true })
    writeFileSync(path.join(ws, 'mod', rel), content)
  }
  return { ws, files }
}

function emptyWorkspace(): string {
  const ws = path.join(root, `ws-${++n}`)
  mkdirSync(ws, { recursive: true })
  return ws
}

function readTree(ws: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const rel of listTree(path.join(ws, 'mod'))) out[rel] = readFileSync(path.join(ws, 'mod', rel), 'utf8')
  return out
}

/** Make sure `key` is saved (tests may run alone with -t). */
async function ensureSaved(key: string): Promise<void> {
  if (cache.entries().some((e) => e.key === key && e.committed)) return
  const { ws } = workspace(key)
  const r = await runCacheClient({ op: 'save', paths: ['mod'], key, cwd: ws, env: cache.env })
  expect(r.value).toBeGreaterThan(0)
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'cache-service-test-'))
  cache = await startCacheService({ dir: path.join(root, 'service') })
})

afterAll(async () => {
  await cache?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('v2 (twirp + blob) with the real client', () => {
  test('save, then an exact-key restore into an empty workspace restores the same files', async () => {
    const { ws, files } = workspace('exact')
    const saved = await runCacheClient({
      op: 'save',
      paths: ['mod'],
      key: 'v2-exact-1',
      cwd: ws,
      env: cache.env
    })
    expect(saved.error).toBeUndefined()
    expect(saved.warnings).toEqual([])
    expect(saved.errors).toEqual([])
    expect(typeof saved.value).toBe('number')
    expect(saved.value).toBeGreaterThan(0)
    const entry = cache.entries().find((e) => e.key === 'v2-exact-1')
    expect(entry).toMatchObject({ committed: true, protocol: 'v2' })
    expect(entry?.size).toBeGreaterThan(0)
    expect(cache.calls.filter((c) => c.op !== 'unknown').map((c) => c.op)).toEqual(
      expect.arrayContaining(['v2 CreateCacheEntry', 'blob putBlob', 'v2 FinalizeCacheEntryUpload'])
    )

    const target = emptyWorkspace()
    const restored = await runCacheClient({
      op: 'restore',
      paths: ['mod'],
      key: 'v2-exact-1',
      cwd: target,
      env: cache.env
    })
    expect(restored.value).toBe('v2-exact-1')
    expect(restored.warnings).toEqual([])
    expect(readTree(target)).toEqual(files)
  })

  test('a restore-key prefix match returns the newest matching key', async () => {
    const older = workspace('older')
    await runCacheClient({
      op: 'save',
      paths: ['mod'],
      key: 'v2-go-linux-aaa',
      cwd: older.ws,
      env: cache.env
    })
    const newer = workspace('newer')
    await runCacheClient({
      op: 'save',
      paths: ['mod'],
      key: 'v2-go-linux-bbb',
      cwd: newer.ws,
      env: cache.env
    })
    const target = emptyWorkspace()
    const r = await runCacheClient({
      op: 'restore',
      paths: ['mod'],
      key: 'v2-go-linux-ccc',
      restoreKeys: ['v2-go-windows-', 'v2-go-linux-'],
      cwd: target,
      env: cache.env
    })
    expect(r.value).toBe('v2-go-linux-bbb')
    expect(r.infos.join('\n')).toContain('Cache hit for restore-key: v2-go-linux-bbb')
    expect(readTree(target)).toEqual(newer.files)
  })

  test('a miss returns undefined quietly; other paths (another version) miss too', async () => {
    const target = emptyWorkspace()
    const miss = await runCacheClient({
      op: 'restore',
      paths: ['mod'],
      key: 'v2-nothing',
      restoreKeys: ['v2-nope-'],
      cwd: target,
      env: cache.env
    })
    expect(miss.value).toBeUndefined()
    expect(miss.error).toBeUndefined()
    expect(miss.warnings).toEqual([])
    const { ws } = workspace('version')
    const saved = await runCacheClient({
      op: 'save',
      paths: ['mod'],
      key: 'v2-version',
      cwd: ws,
      env: cache.env
    })
    expect(saved.value).toBeGreaterThan(0)
    const otherVersion = await runCacheClient({
      op: 'restore',
      paths: ['mod', 'other'],
      key: 'v2-version',
      cwd: target,
      env: cache.env
    })
    expect(otherVersion.value).toBeUndefined()
    expect(listTree(path.join(target, 'mod'))).toEqual([])
    const sameVersion = await runCacheClient({
      op: 'restore',
      paths: ['mod'],
      key: 'v2-version',
      cwd: target,
      env: cache.env
    })
    expect(sameVersion.value).toBe('v2-version')
  })

  test('a second save of the same key is reported as a reservation failure, not a crash', async () => {
    await ensureSaved('v2-exact-1')
    const { ws } = workspace('again')
    const before = cache.entries().length
    const r = await runCacheClient({ op: 'save', paths: ['mod'], key: 'v2-exact-1', cwd: ws, env: cache.env })
    expect(r.exitCode).toBe(0)
    expect(r.error).toBeUndefined()
    expect(r.value).toBe(-1)
    expect(r.infos.join('\n')).toContain(
      'Failed to save: Unable to reserve cache with key v2-exact-1, another job may be creating this cache.'
    )
    expect(cache.calls.at(-1)).toMatchObject({ op: 'v2 CreateCacheEntry', status: 409 })
    expect(cache.entries().length).toBe(before)
  })

  test('503 on every request: restore → undefined with a warning, save → -1, neither throws', async () => {
    await ensureSaved('v2-exact-1')
    const remove = cache.faults.add({ fault: { kind: 'status', status: 503 } })
    try {
      cache.faults.clearLog()
      const target = emptyWorkspace()
      const r = await runCacheClient({
        op: 'restore',
        paths: ['mod'],
        key: 'v2-exact-1',
        cwd: target,
        env: cache.env,
        fastRetry: true
      })
      expect(r.exitCode).toBe(0)
      expect(r.error).toBeUndefined()
      expect(r.value).toBeUndefined()
      expect(r.warnings.join('\n')).toMatch(/Failed to restore: .*503/)
      // The twirp client tries 5 times.
      expect(cache.faults.requests(/GetCacheEntryDownloadURL/).length).toBe(5)

      const { ws } = workspace('503')
      const s = await runCacheClient({
        op: 'save',
        paths: ['mod'],
        key: 'v2-503',
        cwd: ws,
        env: cache.env,
        fastRetry: true
      })
      expect(s.exitCode).toBe(0)
      expect(s.error).toBeUndefined()
      expect(s.value).toBe(-1)
      expect(s.infos.join('\n')).toContain('Failed to save: Unable to reserve cache with key v2-503')
      expect(cache.faults.log.every((x) => x.outcome === 'status' && x.status === 503)).toBe(true)
    } finally {
      remove()
    }
    expect(cache.entries().some((e) => e.key === 'v2-503')).toBe(false)
  })

  test('a corrupted archive download → restore warns and returns undefined', async () => {
    await ensureSaved('v2-exact-1')
    const remove = cache.faults.add({ path: /^GET .*\/actions-cache\//, fault: { kind: 'corrupt' } })
    try {
      const target = emptyWorkspace()
      const r = await runCacheClient({
        op: 'restore',
        paths: ['mod'],
        key: 'v2-exact-1',
        cwd: target,
        env: cache.env
      })
      expect(r.error).toBeUndefined()
      expect(r.value).toBeUndefined()
      expect(r.warnings.join('\n')).toContain('Failed to restore')
    } finally {
      remove()
    }
    // The same restore without the fault works: the failure above was the corruption.
    const ok = await runCacheClient({
      op: 'restore',
      paths: ['mod'],
      key: 'v2-exact-1',
      cwd: emptyWorkspace(),
      env: cache.env
    })
    expect(ok.value).toBe('v2-exact-1')
  })

  test('a wrong runtime token is refused (401) and the client degrades to a miss', async () => {
    await ensureSaved('v2-exact-1')
    const target = emptyWorkspace()
    const r = await runCacheClient({
      op: 'restore',
      paths: ['mod'],
      key: 'v2-exact-1',
      cwd: target,
      env: { ...cache.env, ACTIONS_RUNTIME_TOKEN: 'not-the-token' }
    })
    expect(r.value).toBeUndefined()
    expect(r.warnings.join('\n')).toMatch(/Failed to restore: .*401/)
  })
})

describe('v1 (REST) with the real client', () => {
  test('save, restore by restore key, and a 409 collision', async () => {
    const { ws, files } = workspace('v1')
    const saved = await runCacheClient({
      op: 'save',
      paths: ['mod'],
      key: 'v1-go-abc',
      cwd: ws,
      env: cache.envV1
    })
    expect(saved.warnings).toEqual([])
    expect(saved.value).toBeGreaterThan(0)
    expect(cache.entries().find((e) => e.key === 'v1-go-abc')).toMatchObject({
      protocol: 'v1',
      committed: true
    })
    expect(cache.calls.map((c) => c.op)).toEqual(
      expect.arrayContaining(['v1 reserveCache', 'v1 uploadChunk', 'v1 commitCache'])
    )

    const target = emptyWorkspace()
    const r = await runCacheClient({
      op: 'restore',
      paths: ['mod'],
      key: 'v1-go-zzz',
      restoreKeys: ['v1-go-'],
      cwd: target,
      env: cache.envV1
    })
    expect(r.value).toBe('v1-go-abc')
    expect(readTree(target)).toEqual(files)

    const again = await runCacheClient({
      op: 'save',
      paths: ['mod'],
      key: 'v1-go-abc',
      cwd: ws,
      env: cache.envV1
    })
    expect(again.value).toBe(-1)
    expect(again.error).toBeUndefined()
    expect(again.infos.join('\n')).toContain('Cache already exists')
  })

  test('503 on every request: restore → undefined with a warning', async () => {
    const remove = cache.faults.add({ fault: { kind: 'status', status: 503 } })
    try {
      const r = await runCacheClient({
        op: 'restore',
        paths: ['mod'],
        key: 'v1-go-abc',
        cwd: emptyWorkspace(),
        env: cache.envV1,
        fastRetry: true
      })
      expect(r.error).toBeUndefined()
      expect(r.value).toBeUndefined()
      expect(r.warnings.join('\n')).toMatch(
        /Failed to restore: getCacheEntry failed: Cache service responded with 503/
      )
    } finally {
      remove()
    }
  })
})

describe('Azure blob details', () => {
  test('the Azure SDK block upload (Put Block + Put Block List) and ranged download round-trip', async () => {
    const { BlockBlobClient } = await import('@azure/storage-blob')
    const twirp = async (method: string, body: unknown) =>
      (await (
        await fetch(`${cache.url}/twirp/github.actions.results.api.v1.CacheService/${method}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${cache.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body)
        })
      ).json()) as Record<string, string>
    const created = await twirp('CreateCacheEntry', { key: 'blocks', version: 'v-blocks' })
    const data = randomBytes(2 * 1024 * 1024 + 123)
    await new BlockBlobClient(created.signed_upload_url ?? '').uploadData(data, {
      blockSize: 512 * 1024,
      maxSingleShotSize: 256 * 1024,
      concurrency: 3
    })
    expect(cache.calls.filter((c) => c.op === 'blob putBlock').length).toBe(5)
    expect(cache.calls.some((c) => c.op === 'blob putBlockList' && c.status === 201)).toBe(true)
    expect(
      await twirp('FinalizeCacheEntryUpload', {
        key: 'blocks',
        version: 'v-blocks',
        size_bytes: String(data.length)
      })
    ).toMatchObject({ ok: true })
    const url =
      (await twirp('GetCacheEntryDownloadURL', { key: 'blo', version: 'v-blocks' })).signed_download_url ?? ''
    const back = await new BlockBlobClient(url).downloadToBuffer(0, undefined, {
      blockSize: 1024 * 1024,
      concurrency: 2
    })
    expect(Buffer.compare(back, data)).toBe(0)
  })

  test('through the MITM under real hostnames the client downloads with the Azure SDK (HEAD + x-ms-range)', async () => {
    const dir = path.join(root, 'service-mitm')
    const svc = await startCacheService({
      dir,
      publicUrl: 'https://results-receiver.actions.githubusercontent.com',
      blobBaseUrl: 'https://benchcache.blob.core.windows.net'
    })
    const mitm = await startMitm({
      routes: {
        'results-receiver.actions.githubusercontent.com': svc.url,
        'benchcache.blob.core.windows.net': svc.url
      }
    })
    try {
      const env = { ...svc.env, ...mitm.env }
      const { ws, files } = workspace('mitm')
      const saved = await runCacheClient({ op: 'save', paths: ['mod'], key: 'mitm-1', cwd: ws, env })
      expect(saved.value).toBeGreaterThan(0)
      const target = emptyWorkspace()
      const r = await runCacheClient({ op: 'restore', paths: ['mod'], key: 'mitm-1', cwd: target, env })
      expect(r.value).toBe('mitm-1')
      expect(readTree(target)).toEqual(files)
      expect(svc.calls.map((c) => c.op)).toEqual(
        expect.arrayContaining(['blob getProperties', 'blob getRange'])
      )
      expect(new Set(mitm.log.map((x) => x.host))).toEqual(
        new Set(['results-receiver.actions.githubusercontent.com', 'benchcache.blob.core.windows.net'])
      )
      expect(mitm.log.every((x) => x.outcome === 'forwarded' && x.tls)).toBe(true)
    } finally {
      await mitm.close()
      await svc.close()
    }
  })
})

describe('lifecycle', () => {
  test('entries persist across a restart on the same dir; close() frees the port', async () => {
    const dir = path.join(root, 'service-persist')
    const first = await startCacheService({ dir })
    const { ws, files } = workspace('persist')
    await runCacheClient({ op: 'save', paths: ['mod'], key: 'persist-1', cwd: ws, env: first.env })
    await first.close()
    expect(await portRefused(first.port)).toBe(true)

    const second = await startCacheService({ dir, token: first.token })
    try {
      expect(second.entries().map((e) => e.key)).toEqual(['persist-1'])
      const target = emptyWorkspace()
      const r = await runCacheClient({
        op: 'restore',
        paths: ['mod'],
        key: 'persist-1',
        cwd: target,
        env: second.env
      })
      expect(r.value).toBe('persist-1')
      expect(readTree(target)).toEqual(files)
    } finally {
      await second.close()
    }
  })
})
