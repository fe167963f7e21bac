/**
 * Child-process driver for the real @actions/cache client (used by runCacheClient in cache-service.ts):
 * reads BENCH_CACHE_ARGS = {op: 'save'|'restore', paths, key, restoreKeys, lookupOnly} and prints the
 * client's log lines (@actions/core writes ::warning:: etc. to stdout) followed by one line
 * `BENCH_RESULT {"value": …}` or `BENCH_RESULT {"error": {name, message}}`.
 *
 * BENCH_FAST_RETRY=1 shortens sleeps of 2–20 s (the client's retry backoff) to 20 ms; longer timers
 * (download and segment timeouts) are left alone.
 *
 *   node testbed/cache-client.ts   (env: BENCH_CACHE_ARGS, ACTIONS_* from startCacheService().env)
 */
if (process.env.BENCH_FAST_RETRY === '1') {
  const original = globalThis.setTimeout
  const patched = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) =>
    original(
      fn,
      typeof ms === 'number' && ms >= 2000 && ms <= 20000 ? 20 : ms,
      ...rest
    )) as unknown as typeof setTimeout
  globalThis.setTimeout = patched
}

interface Args {
  op: 'save' | 'restore'
  paths: string[]
  key: string
  restoreKeys: string[]
  lookupOnly: boolean
}

const args = JSON.parse(process.env.BENCH_CACHE_ARGS ?? '{}') as Args
const cache = await import('@actions/cache')
let out: { value?: string | number; error?: { name: string; message: string } }
try {
  if (args.op === 'save') {
    out = { value: await cache.saveCache(args.paths, args.key) }
  } else {
    out = {
      value: await cache.restoreCache(args.paths, args.key, args.restoreKeys, { lookupOnly: args.lookupOnly })
    }
  }
} catch (error) {
  const e = error as Error
  out = { error: { name: e.name, message: e.message } }
}
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(out)}\n`)
