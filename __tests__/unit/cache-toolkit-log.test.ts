import { describe, expect, it } from '@jest/globals'
import { readToolkitLine, withToolkitLog } from '../../src/cache/toolkit-log.js'
import { RESTORE_TIMEOUT_MS, restoreTimeoutMs } from '../../src/cache/service.js'

// Lines as @actions/cache 6.x prints them through @actions/core (commands escape %, CR, LF).
describe('readToolkitLine', () => {
  it('reads a failed restore and holds the warning back', () => {
    expect(readToolkitLine('::warning::Failed to restore: Cache service responded with 503\n')).toEqual({
      failure: 'Cache service responded with 503',
      swallow: true
    })
  })

  it('reads a reservation conflict, and the status of the twirp answer', () => {
    expect(
      readToolkitLine(
        'Failed to save: Unable to reserve cache with key k, another job may be creating this cache.\n'
      )
    ).toEqual({
      reservation: 'Unable to reserve cache with key k, another job may be creating this cache.',
      swallow: false
    })
    expect(readToolkitLine('::debug::[Response] - 429\n')).toEqual({ status: 429, swallow: false })
  })

  it("reads a write the service denied by policy as a failure, not as another job's reservation", () => {
    // @actions/cache 6.3 CacheWriteDeniedError, warned through core.warning
    const denied =
      'Unable to reserve cache with key k. More details: cache write denied: the token for this run is read-only'
    expect(readToolkitLine(`::warning::Failed to save: ${denied}\n`)).toEqual({
      failure: denied,
      swallow: true
    })
  })

  it('reads Retry-After from the rate-limit warning and from the logged headers', () => {
    expect(
      readToolkitLine("::warning::You've hit a rate limit, your rate limit will reset in 7 seconds\n")
    ).toEqual({ retryAfterSeconds: 7, swallow: true })
    expect(
      readToolkitLine(
        '::debug::Headers: {%0A  "content-type": "application/json",%0A  "retry-after": "12"%0A}\n'
      )
    ).toEqual({ retryAfterSeconds: 12, swallow: false })
  })

  it('reads the archive size the client reports before it extracts', () => {
    expect(readToolkitLine('Cache Size: ~3 MB (3145728 B)\n').archiveBytes).toBe(3145728)
  })

  it('reads where the archive is downloaded to and which entry the lookup found (v2 and v1 clients)', () => {
    expect(readToolkitLine('::debug::Archive path: /runner/_temp/0a1b/cache.tzst\n').archivePath).toBe(
      '/runner/_temp/0a1b/cache.tzst'
    )
    expect(readToolkitLine('::debug::Archive Path: D:\\a\\_temp\\c\\cache.tgz\n').archivePath).toBe(
      'D:\\a\\_temp\\c\\cache.tgz'
    )
    expect(readToolkitLine('Cache hit for restore-key: setup-go-deps-linux-x64-go1.26.8-ab\n').entryKey).toBe(
      'setup-go-deps-linux-x64-go1.26.8-ab'
    )
    expect(readToolkitLine('Cache hit for: k1\n').entryKey).toBe('k1')
    const v1 =
      '::debug::{"scope":"refs/heads/main","cacheKey":"k2","cacheVersion":"v","archiveLocation":"http://x"}\n'
    expect(readToolkitLine(v1).entryKey).toBe('k2')
  })
})

describe('withToolkitLog', () => {
  it('collects what the call logs, passes other lines through, and restores stdout and the env', async () => {
    const write = process.stdout.write
    const seen: string[] = []
    const w = await withToolkitLog(
      async () => {
        process.stdout.write('::debug::[Response] - 503\n')
        process.stdout.write('::error::Failed to save: Service Unavailable\n')
        expect(process.env.BENCH_TOOLKIT_LOG_TEST).toBe('1')
        return -1
      },
      { BENCH_TOOLKIT_LOG_TEST: '1' },
      (f) => seen.push(JSON.stringify(f))
    )
    expect(w).toMatchObject({
      value: -1,
      lastStatus: 503,
      failure: 'HTTP 503 from the cache service: Service Unavailable'
    })
    expect(seen).toHaveLength(2)
    expect(process.stdout.write).toBe(write)
    expect(process.env.BENCH_TOOLKIT_LOG_TEST).toBeUndefined()
  })
})

describe('restoreTimeoutMs', () => {
  it('is 5 minutes unless SETUP_GO_DEPS_RESTORE_TIMEOUT_SECONDS says otherwise', () => {
    expect(restoreTimeoutMs({})).toBe(RESTORE_TIMEOUT_MS)
    expect(restoreTimeoutMs({ SETUP_GO_DEPS_RESTORE_TIMEOUT_SECONDS: '3' })).toBe(3000)
    expect(restoreTimeoutMs({ SETUP_GO_DEPS_RESTORE_TIMEOUT_SECONDS: 'soon' })).toBe(RESTORE_TIMEOUT_MS)
  })
})
