/**
 * The Actions cache service the benchmark and the demo run against (testbed/cache-service.ts, spoken to by
 * the real @actions/cache client over the v2 protocol github.com uses), wrapped with what the benchmark
 * needs: its own temp directory removed on close, and the stored archive of a key (for "raw tar
 * extraction of the same archive").
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startCacheService, type CacheService } from '../../testbed/cache-service.ts'
import { removeTree } from '../../testbed/isolated-go.ts'

export interface BenchCache {
  service: CacheService
  /** Variables for the job (v2 protocol). */
  env: Record<string, string>
  /** The archive file stored under `key` (newest committed entry), if any. */
  archive(key: string): string | undefined
  keys(): string[]
  close(): Promise<void>
}

const open = new Set<BenchCache>()

/** Close every cache service still open (an interrupted bench). */
export async function closeAllCaches(): Promise<void> {
  await Promise.allSettled([...open].map((c) => c.close()))
}

export async function startBenchCache(opts: { latencyMs?: number } = {}): Promise<BenchCache> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cache-'))
  const service = await startCacheService({ dir, latencyMs: opts.latencyMs })
  const cache: BenchCache = {
    service,
    env: service.env,
    archive(key) {
      const entry = service
        .entries()
        .filter((e) => e.key === key && e.committed)
        .sort((a, b) => b.createdAt - a.createdAt)[0]
      return entry && fs.existsSync(entry.file) ? entry.file : undefined
    },
    keys: () => service.entries().map((e) => e.key),
    async close() {
      open.delete(cache)
      await service.close()
      removeTree(dir)
    }
  }
  open.add(cache)
  return cache
}
