/**
 * A no-progress watchdog for one attempt. cmd/go sets no deadline of its own: with one module's zip
 * request never answered, `go mod download` (1.19) was still waiting after 90 s on the bench.
 * So each attempt fires when nothing progressed for `idleMs`, or when the whole download's budget
 * (`deadlineAt`) is spent, whichever comes first; the caller then kills the go processes.
 *
 * `progress()` runs for every line go prints (hundreds per attempt), so it only records the time; the
 * idle timer, when it fires, re-arms itself for what is left of the idle time since the last progress.
 */
export type WatchdogReason = 'stalled' | 'budget'

export class Watchdog {
  private idleTimer: NodeJS.Timeout | undefined
  private deadlineTimer: NodeJS.Timeout | undefined
  private fired: WatchdogReason | undefined
  private lastProgress = Date.now()
  private readonly idleMs: number
  private readonly onFire: (reason: WatchdogReason) => void

  constructor(idleMs: number, deadlineAt: number, onFire: (reason: WatchdogReason) => void) {
    this.idleMs = idleMs
    this.onFire = onFire
    this.deadlineTimer = setTimeout(() => this.fire('budget'), Math.max(0, deadlineAt - Date.now()))
    this.armIdle(idleMs)
  }

  /** Something happened (go printed a line, a process finished): restart the idle clock. */
  progress(): void {
    this.lastProgress = Date.now()
  }

  get reason(): WatchdogReason | undefined {
    return this.fired
  }

  stop(): void {
    clearTimeout(this.idleTimer)
    clearTimeout(this.deadlineTimer)
  }

  private armIdle(ms: number): void {
    this.idleTimer = setTimeout(() => {
      const left = this.idleMs - (Date.now() - this.lastProgress)
      if (left > 0) this.armIdle(left)
      else this.fire('stalled')
    }, ms)
  }

  private fire(reason: WatchdogReason): void {
    if (this.fired) return
    this.fired = reason
    this.stop()
    this.onFire(reason)
  }
}
