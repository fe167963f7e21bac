/**
 * A no-progress watchdog for one attempt. cmd/go sets no deadline of its own: with one module's zip
 * request never answered, `go mod download` (1.19) was still waiting after 90 s on the bench.
 * So each attempt fires when nothing progressed for `idleMs`, or when the whole download's budget
 * (`deadlineAt`) is spent, whichever comes first; the caller then kills the go processes.
 */
export type WatchdogReason = 'stalled' | 'budget'

export class Watchdog {
  private idleTimer: NodeJS.Timeout | undefined
  private deadlineTimer: NodeJS.Timeout | undefined
  private fired: WatchdogReason | undefined
  private readonly idleMs: number
  private readonly onFire: (reason: WatchdogReason) => void

  constructor(idleMs: number, deadlineAt: number, onFire: (reason: WatchdogReason) => void) {
    this.idleMs = idleMs
    this.onFire = onFire
    this.deadlineTimer = setTimeout(() => this.fire('budget'), Math.max(0, deadlineAt - Date.now()))
    this.progress()
  }

  /** Something happened (go printed a line, a process finished): restart the idle clock. */
  progress(): void {
    if (this.fired) return
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => this.fire('stalled'), this.idleMs)
  }

  get reason(): WatchdogReason | undefined {
    return this.fired
  }

  stop(): void {
    clearTimeout(this.idleTimer)
    clearTimeout(this.deadlineTimer)
  }

  private fire(reason: WatchdogReason): void {
    if (this.fired) return
    this.fired = reason
    this.stop()
    this.onFire(reason)
  }
}
