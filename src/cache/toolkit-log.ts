/**
 * What @actions/cache only logs. restoreCache and saveCache catch every error except a ValidationError and
 * only log it (core.warning, or core.error for a 5xx): a restore that failed returns undefined exactly like
 * a miss, and a save that failed returns -1 exactly like a save another job won, or one the service
 * rate-limited (its twirp client turns a 429 into the same "Unable to reserve cache" line). The log lines
 * are the only place the difference shows, so they are read here while the call runs; its
 * `::warning::`/`::error::` failure lines are held back and reported once by the caller as one message that
 * says what happens next (a cache outage must not read as a failed job).
 */

export interface Watched<T> {
  value: T
  /** The service/extraction error @actions/cache logged instead of throwing. */
  failure?: string
  /** The reservation conflict of a save (another job created the key, or the service refused it). */
  collision?: string
  /** Archive size it reported. */
  archiveBytes?: number
  /** The key of the entry the lookup found (restore). */
  entryKey?: string
  /** The last HTTP status of a twirp call (its debug line), 0 when none was logged. */
  lastStatus: number
  /** Seconds the service asked to wait (a 429's Retry-After, or a Retry-After header on any answer). */
  retryAfterSeconds?: number
}

/** The parts of @actions/cache's log that say what happened, from one chunk of its stdout. */
export interface LogFacts {
  failure?: string
  reservation?: string
  archiveBytes?: number
  /** Where it downloads the archive to (its debug line, written before the download). */
  archivePath?: string
  /** The key of the entry its lookup found. */
  entryKey?: string
  status?: number
  retryAfterSeconds?: number
  /** Whether the chunk is a failure/rate-limit line that the caller reports itself (not echoed). */
  swallow: boolean
}

/** Pure: reads one chunk of the toolkit's stdout (core writes one command or line per write). */
export function readToolkitLine(text: string): LogFacts {
  const facts: LogFacts = { swallow: false }
  const failure = /^::(?:warning|error)(?: [^:]*)?::Failed to (?:restore|save): (.*)$/m.exec(text)
  const reservation =
    /^(?:::warning::)?(?:Failed to save: )?((?:Unable to reserve cache|Cache reservation failed).*)$/m.exec(
      text
    )
  const size = /Cache Size: ~\d+ MB \((\d+) B\)/.exec(text)
  if (size) facts.archiveBytes = Number(size[1])
  const archive = /^::debug::Archive path: (.+)$/im.exec(text)
  if (archive) facts.archivePath = unescapeCommand(archive[1] as string)
  // v2 says which entry it found; v1 only in its debug line of the lookup's answer.
  const hit =
    /^Cache hit for(?: restore-key)?: (.+)$/m.exec(text) ?? /^::debug::\{.*"cacheKey":"([^"]+)"/m.exec(text)
  if (hit) facts.entryKey = unescapeCommand(hit[1] as string)
  // The twirp client parses every answer as JSON before it looks at the status, so a 503 page from a
  // front end surfaces only as "Unexpected token 'S', "Service Unavailable" is not valid JSON"; the
  // status is in its debug line alone (`[Response] - 503`).
  const status = /^::debug::\[Response\] - (\d{3})$/m.exec(text)
  if (status) facts.status = Number(status[1])
  // Its debug line of the answer's headers (JSON, newlines escaped), and its own rate-limit warning.
  const header = /"retry-after": "(\d+)"/i.exec(unescapeCommand(text))
  if (header) facts.retryAfterSeconds = Number(header[1])
  const limited = /^::warning::You've hit a rate limit, your rate limit will reset in (\d+) seconds/m.exec(
    text
  )
  if (limited) {
    facts.retryAfterSeconds = Number(limited[1])
    facts.swallow = true
  }
  // A write the service denied by policy reads "Unable to reserve cache ... cache write denied: ...": a
  // failure of its own, not another job's reservation.
  if (
    failure &&
    (!/Unable to reserve cache/.test(failure[1] as string) ||
      /cache write denied:/.test(failure[1] as string))
  ) {
    facts.failure = unescapeCommand(failure[1] as string)
    facts.swallow = true
  } else if (reservation) {
    facts.reservation = unescapeCommand(reservation[1] as string)
    if (text.startsWith('::')) facts.swallow = true
  }
  return facts
}

/**
 * Runs a @actions/cache call and reads what it logs (readToolkitLine). `env` is set for the duration of
 * the call (TAR_OPTIONS for the tar it spawns); `onFacts` sees each chunk's facts as they come.
 */
export async function withToolkitLog<T>(
  fn: () => Promise<T>,
  env: Record<string, string> = {},
  onFacts?: (facts: LogFacts) => void
): Promise<Watched<T>> {
  const out: Omit<Watched<T>, 'value'> = { lastStatus: 0 }
  const stdout = process.stdout
  const write = stdout.write
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  Object.assign(process.env, env)
  stdout.write = function (chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk)
    const facts = readToolkitLine(text)
    onFacts?.(facts)
    if (facts.archiveBytes !== undefined) out.archiveBytes = facts.archiveBytes
    // The first: the lookup's answer comes before the download (see service.ts on the toolkit's listTar).
    if (facts.entryKey !== undefined) out.entryKey ??= facts.entryKey
    if (facts.status !== undefined) out.lastStatus = facts.status
    if (facts.retryAfterSeconds !== undefined) out.retryAfterSeconds = facts.retryAfterSeconds
    if (facts.failure !== undefined) out.failure = facts.failure
    if (facts.reservation !== undefined) out.collision = facts.reservation
    if (facts.swallow) return true
    return (write as (...a: unknown[]) => boolean).call(stdout, chunk, ...rest)
  } as typeof stdout.write
  try {
    const value = await fn()
    if (out.failure && out.lastStatus >= 400 && !out.failure.includes(String(out.lastStatus)))
      out.failure = `HTTP ${out.lastStatus} from the cache service: ${out.failure}`
    return { value, ...out }
  } finally {
    stdout.write = write
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** @actions/core escapes `%`, CR and LF in command messages. */
export function unescapeCommand(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%').trim()
}
