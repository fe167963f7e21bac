/**
 * Fault injection and request logging shared by every bench server.
 *
 * A server calls `faults.handle(req, res)` before serving a request. When a rule matches, the fault is
 * applied and `true` is returned (the server must not answer the request itself); otherwise the request is
 * logged as served and the server answers normally. Every request, faulted or not, lands in `log`.
 *
 * Rules are matched in order; the first rule whose `path` matches and whose budget is not exhausted wins.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

export type FaultKind =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Send headers and part of the body, then destroy the socket (a reset mid-body). */
  | { kind: 'reset' }
  /** Never answer (until the server closes). */
  | { kind: 'stall' }
  /** Answer normally but with the body corrupted (the server calls `corrupt()` on its payload). */
  | { kind: 'corrupt' }

export interface FaultRule {
  /** Which requests: a RegExp tested against `METHOD path` (e.g. /^GET \/github.com\/x\/@v\//) or a path substring. */
  path?: RegExp | string
  fault: FaultKind
  /** Fail only the first N matching requests (then pass). */
  firstN?: number
  /** Fail a seeded fraction (0..1) of matching requests. */
  fraction?: number
  /** Seed of the fraction's pseudo-random sequence (deterministic runs). */
  seed?: number
}

export interface RequestRecord {
  time: number
  method: string
  path: string
  /** The Authorization header's user name when Basic auth was sent (never the password). */
  user?: string
  /** True when an Authorization header was present at all. */
  authorized: boolean
  /** Number of Authorization headers (GitHub answers 400 to a duplicate). */
  authorizationHeaders: number
  /** The fault applied, or 'ok'. */
  outcome: 'ok' | 'status' | 'reset' | 'stall' | 'corrupt'
  status?: number
}

/** mulberry32: a tiny seeded PRNG, so a fault sequence is the same on every run with the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface ActiveRule {
  rule: FaultRule
  hits: number
  random: () => number
}

export function basicAuthUser(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization
  if (!h || !/^basic /i.test(h)) return undefined
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8')
  return decoded.split(':')[0]
}

function countAuthorization(req: IncomingMessage): number {
  let n = 0
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i]?.toLowerCase() === 'authorization') n++
  return n
}

export class Faults {
  private rules: ActiveRule[] = []
  readonly log: RequestRecord[] = []
  private stalled = new Set<ServerResponse>()

  /** Add a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const active: ActiveRule = { rule, hits: 0, random: seededRandom(rule.seed ?? 1) }
    this.rules.push(active)
    return () => {
      this.rules = this.rules.filter((r) => r !== active)
    }
  }

  clear(): void {
    this.rules = []
  }

  clearLog(): void {
    this.log.length = 0
  }

  /** Requests whose `METHOD path` matches. */
  requests(match?: RegExp | string): RequestRecord[] {
    return this.log.filter((r) => matches(match, `${r.method} ${r.path}`))
  }

  private pick(req: IncomingMessage): FaultKind | undefined {
    const key = `${req.method} ${req.url}`
    for (const active of this.rules) {
      if (!matches(active.rule.path, key)) continue
      active.hits++
      if (active.rule.firstN !== undefined) {
        if (active.hits <= active.rule.firstN) return active.rule.fault
        continue
      }
      if (active.rule.fraction !== undefined) {
        if (active.random() < active.rule.fraction) return active.rule.fault
        continue
      }
      return active.rule.fault
    }
    return undefined
  }

  /**
   * Log the request and apply a fault if one matches. Returns 'handled' when the fault answered (or
   * deliberately did not answer) the request, 'corrupt' when the server should serve a corrupted body,
   * 'serve' otherwise.
   */
  handle(req: IncomingMessage, res: ServerResponse): 'handled' | 'corrupt' | 'serve' {
    const record: RequestRecord = {
      time: Date.now(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      user: basicAuthUser(req),
      authorized: req.headers.authorization !== undefined,
      authorizationHeaders: countAuthorization(req),
      outcome: 'ok'
    }
    this.log.push(record)
    const fault = this.pick(req)
    if (!fault) return 'serve'
    record.outcome = fault.kind
    switch (fault.kind) {
      case 'status':
        record.status = fault.status
        res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers })
        res.end(fault.body ?? `injected ${fault.status}\n`)
        return 'handled'
      case 'reset':
        // Promise a long body, send a little of it, then drop the connection.
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1048576' })
        res.write(Buffer.alloc(512, 0x50), () => res.socket?.destroy())
        return 'handled'
      case 'stall':
        this.stalled.add(res)
        res.on('close', () => this.stalled.delete(res))
        return 'handled'
      case 'corrupt':
        return 'corrupt'
    }
  }

  /** Drop stalled connections (call on server close so nothing hangs). */
  releaseStalled(): void {
    for (const res of this.stalled) res.socket?.destroy()
    this.stalled.clear()
  }
}

function matches(pattern: RegExp | string | undefined, key: string): boolean {
  if (pattern === undefined) return true
  if (typeof pattern === 'string') return key.includes(pattern)
  return pattern.test(key)
}

/** Flip bytes in the middle of a payload (for the 'corrupt' fault). */
export function corrupt(body: Buffer): Buffer {
  const out = Buffer.from(body)
  const start = Math.floor(out.length / 2)
  for (let i = start; i < Math.min(out.length, start + 64); i++) out[i] = (out[i] ?? 0) ^ 0xff
  return out
}
