/**
 * The retry policy with real diagnoses (built by the classifier from real go output).
 */
import { describe, expect, it } from '@jest/globals'
import { classifyText, timeoutDiagnosis } from '../../src/download/classify.js'
import { treeKillPlan } from '../../src/download/process.js'
import {
  judgeAttempt,
  MAX_DELAY_MS,
  progressPause,
  rateLimitExtraWait,
  shouldSwitchProxy
} from '../../src/download/policy.js'

const MISMATCH = `verifying example.com/dep@v1.0.0: checksum mismatch
	downloaded: h1:3OV+hLpPP8KbS35ITFumnqmOHO0Pb0QWv90JPCMFrBs=
	go.sum:     h1:AAAAhLpPP8KbS35ITFumnqmOHO0Pb0QWv90JPCMFrBs=

SECURITY ERROR
This download does NOT match an earlier download recorded in go.sum.`
const BAD_GATEWAY =
  'example.com/a@v1.0.0: reading http://127.0.0.1:1/example.com/a/@v/v1.0.0.info: 502 Bad Gateway'
const TOO_MANY =
  'example.com/a@v1.0.0: reading http://127.0.0.1:1/example.com/a/@v/v1.0.0.info: 429 Too Many Requests'
const BAD_ZIP = 'unzip /c/cache/download/example.com/z/@v/v1.0.0.zip: zip: not a valid zip file'
const none = new Set<string>()

describe('judgeAttempt', () => {
  it('retries transient failures without purging anything', () => {
    const v = judgeAttempt({ diagnoses: [classifyText(BAD_GATEWAY)], cachedBefore: none, purged: none })
    expect(v.abort).toBeUndefined()
    expect(v.purge).toEqual([])
    expect(v.deciding?.errorClass).toBe('proxy')
  })

  it('aborts on a checksum mismatch of a freshly downloaded module', () => {
    const v = judgeAttempt({ diagnoses: [classifyText(MISMATCH)], cachedBefore: none, purged: none })
    expect(v.abort?.errorClass).toBe('checksum')
    expect(v.abort?.cause).toContain('SECURITY ERROR')
  })

  it('purges and retries once a mismatch of a module that came from the restored cache', () => {
    const cached = new Set(['example.com/dep@v1.0.0'])
    const first = judgeAttempt({ diagnoses: [classifyText(MISMATCH)], cachedBefore: cached, purged: none })
    expect(first.abort).toBeUndefined()
    expect(first.purge).toEqual(['example.com/dep@v1.0.0'])
    expect(first.deciding?.errorClass).toBe('cache-corrupt')
    const second = judgeAttempt({
      diagnoses: [classifyText(MISMATCH)],
      cachedBefore: cached,
      purged: new Set(first.purge)
    })
    expect(second.abort?.errorClass).toBe('checksum')
  })

  it('purges a damaged zip once and gives up when it is damaged again', () => {
    const d = { ...classifyText(BAD_ZIP), module: 'example.com/z@v1.0.0' }
    expect(judgeAttempt({ diagnoses: [d], cachedBefore: none, purged: none })).toMatchObject({
      purge: ['example.com/z@v1.0.0']
    })
    const again = judgeAttempt({
      diagnoses: [d],
      cachedBefore: none,
      purged: new Set(['example.com/z@v1.0.0'])
    })
    expect(again.abort?.errorClass).toBe('cache-corrupt')
  })

  it('lets one permanent module failure abort the attempt even among transient ones', () => {
    const auth = classifyText(
      "fatal: could not read Username for 'https://github.com': terminal prompts disabled"
    )
    const v = judgeAttempt({ diagnoses: [classifyText(BAD_GATEWAY), auth], cachedBefore: none, purged: none })
    expect(v.abort?.errorClass).toBe('auth')
  })
})

describe('shouldSwitchProxy', () => {
  it('switches after two consecutive proxy or network failures when a fallback is left', () => {
    expect(shouldSwitchProxy(['proxy', 'network'], 1)).toBe(true)
    expect(shouldSwitchProxy(['proxy', 'timeout'], 1)).toBe(true)
  })
  it('does not switch after one failure, after other classes, or without fallbacks', () => {
    expect(shouldSwitchProxy(['proxy'], 1)).toBe(false)
    expect(shouldSwitchProxy(['git', 'proxy'], 1)).toBe(false)
    expect(shouldSwitchProxy(['proxy', 'proxy'], 0)).toBe(false)
  })
})

describe('rateLimitExtraWait', () => {
  const deciding = classifyText(TOO_MANY)
  it('waits four times the normal delay after a 429 without Retry-After', () => {
    expect(
      rateLimitExtraWait({ deciding, retryDelayMs: 100, retryAfterMs: undefined, remainingMs: 10_000 })
    ).toBe(300)
  })
  it('honours a printed Retry-After, within the cap and the remaining budget', () => {
    expect(rateLimitExtraWait({ deciding, retryDelayMs: 100, retryAfterMs: 5000, remainingMs: 60_000 })).toBe(
      4900
    )
    expect(
      rateLimitExtraWait({ deciding, retryDelayMs: 100, retryAfterMs: 600_000, remainingMs: 600_000 })
    ).toBe(MAX_DELAY_MS - 100)
    expect(rateLimitExtraWait({ deciding, retryDelayMs: 100, retryAfterMs: 5000, remainingMs: 1000 })).toBe(
      900
    )
  })
  it('adds nothing for other failures', () => {
    expect(
      rateLimitExtraWait({
        deciding: classifyText(BAD_GATEWAY),
        retryDelayMs: 100,
        retryAfterMs: 5000,
        remainingMs: 1e6
      })
    ).toBe(0)
    expect(
      rateLimitExtraWait({
        deciding: timeoutDiagnosis('stalled', 1),
        retryDelayMs: 1,
        retryAfterMs: undefined,
        remainingMs: 1e6
      })
    ).toBe(0)
  })
})

describe('progressPause', () => {
  it('waits a quarter to a half of retry-backoff after an attempt that made progress', () => {
    expect(progressPause(2000, 60_000, 0)).toBe(500)
    expect(progressPause(2000, 60_000, 1)).toBe(1000)
    expect(progressPause(200, 60_000, 0.5)).toBe(75)
  })

  it('never waits past the remaining retry-timeout budget', () => {
    expect(progressPause(2000, 120, 1)).toBe(120)
    expect(progressPause(2000, -5, 1)).toBe(0)
  })

  it('waits at most 1m, the cap retry-backoff documents, even with a backoff of 10m', () => {
    expect(progressPause(600_000, 3_600_000, 0.5)).toBe(60_000)
    expect(progressPause(200_000, 3_600_000, 0)).toBe(50_000)
  })
})

describe('treeKillPlan', () => {
  it('kills the process group on Linux and macOS', () => {
    expect(treeKillPlan(4242, 'linux')).toEqual({ group: -4242 })
    expect(treeKillPlan(4242, 'darwin')).toEqual({ group: -4242 })
  })

  it('kills the process tree with taskkill on Windows, where there are no process groups', () => {
    expect(treeKillPlan(4242, 'win32')).toEqual({ command: 'taskkill', args: ['/pid', '4242', '/T', '/F'] })
  })
})
