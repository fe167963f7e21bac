/**
 * The attempt's no-progress watchdog, on jest's fake clock (timers and Date.now together).
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { Watchdog, type WatchdogReason } from '../../src/download/watchdog.js'

describe('Watchdog', () => {
  let fired: WatchdogReason[]
  beforeEach(() => {
    jest.useFakeTimers()
    fired = []
  })
  afterEach(() => {
    jest.useRealTimers()
  })
  const start = (idleMs: number, budgetMs: number) =>
    new Watchdog(idleMs, Date.now() + budgetMs, (r) => fired.push(r))

  it('fires stalled when nothing progressed for the idle time', () => {
    start(1000, 60_000)
    jest.advanceTimersByTime(999)
    expect(fired).toEqual([])
    jest.advanceTimersByTime(1)
    expect(fired).toEqual(['stalled'])
  })

  it('each progress restarts the idle clock from that moment', () => {
    const w = start(1000, 60_000)
    jest.advanceTimersByTime(600)
    w.progress()
    jest.advanceTimersByTime(900) // 1.5 s since start, 0.9 s since progress
    expect(fired).toEqual([])
    w.progress()
    jest.advanceTimersByTime(999)
    expect(fired).toEqual([])
    jest.advanceTimersByTime(1)
    expect(fired).toEqual(['stalled'])
    expect(w.reason).toBe('stalled')
  })

  it('fires budget at the deadline however busy go is, and only once', () => {
    const w = start(1000, 5000)
    for (let t = 0; t < 6000; t += 100) {
      w.progress()
      jest.advanceTimersByTime(100)
    }
    expect(fired).toEqual(['budget'])
    jest.advanceTimersByTime(10_000)
    expect(fired).toEqual(['budget'])
  })

  it('stop() leaves nothing to fire', () => {
    const w = start(1000, 5000)
    w.stop()
    jest.advanceTimersByTime(10_000)
    expect(fired).toEqual([])
    expect(jest.getTimerCount()).toBe(0)
  })
})
