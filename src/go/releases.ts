/**
 * Effects, thin: fetch the lists of Go releases. Parsing and every decision about them live in
 * version.ts; this module only does HTTP (with a deadline and a small retry) and says clearly what failed.
 *
 * Two sources:
 * - a go.dev-style listing, `<base>/?mode=json&include=all` (go.dev itself, or a mirror's own listing);
 * - the actions/go-versions manifest (the builds hosted runners ship), which lists no checksums: only the
 *   fallback when go.dev cannot be reached or lacks the release (install.ts).
 */
import * as core from '@actions/core'
import { HttpClient } from '@actions/http-client'
import type { IncomingMessage } from 'node:http'
import { text } from 'node:stream/consumers'
import pRetry, { AbortError } from 'p-retry'
import { type GoRelease, parseListing, parseManifest } from './version.js'

export const GO_DEV_BASE_URL = 'https://go.dev/dl'

/**
 * We read the manifest from raw.githubusercontent.com with @actions/http-client instead of
 * tc.getManifestFromRepo: that function takes no timeout (a runner whose egress blackholes github.com
 * would hang the step for the kernel's connect timeout, about two minutes, and keep the process alive
 * after a Promise.race gave up on it), and it spends two requests of the api.github.com rate limit. The
 * raw URL is the one actions/setup-go itself tries first.
 */
export const MANIFEST_URL =
  'https://raw.githubusercontent.com/actions/go-versions/main/versions-manifest.json'

/**
 * The token for the versions manifest and its release downloads: only when this run's server is github.com
 * (GITHUB_SERVER_URL; unset means github.com), as actions/setup-go's default
 * `github.server_url == 'https://github.com' && github.token || ''`. A GHES job token or a GHES PAT means
 * nothing to github.com and must not reach it.
 */
export function manifestToken(token: string, serverUrl: string | undefined): string {
  if (token === '') return ''
  const server = (serverUrl ?? '').trim() || 'https://github.com'
  try {
    return new URL(server).hostname.toLowerCase() === 'github.com' ? token : ''
  } catch {
    return ''
  }
}

/**
 * The warning for a mirror reached over plain http: the archive and the sha256 it is checked against
 * come over the same unprotected channel, so whoever can change one can change both. Loopback is exempt
 * (nothing leaves the machine).
 */
export function plainHttpMirrorWarning(baseUrl: string): string | undefined {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:') return undefined
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) return undefined
  return `Input 'go-download-base-url' is '${baseUrl}', plain http: the Go archive and the sha256 it is checked against both come over this unprotected channel, so anyone on the network path can replace both and the check proves nothing. Use an https:// mirror.`
}

export function listingUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/?mode=json&include=all`
}

export class HttpStatusError extends Error {
  override name = 'HttpStatusError'
  readonly status: number
  readonly url: string
  constructor(status: number, url: string) {
    super(`HTTP ${status} from ${url}`)
    this.status = status
    this.url = url
  }
}

/** 4xx other than 408/429 will not change on a retry. */
function isPermanent(error: unknown): boolean {
  return (
    error instanceof HttpStatusError && error.status < 500 && error.status !== 408 && error.status !== 429
  )
}

export interface FetchOptions {
  /** Socket idle deadline per request (connect included). */
  timeoutMs?: number
  /** Extra attempts after the first (transient failures only). */
  retries?: number
  /** First backoff delay. */
  minBackoffMs?: number
}

/**
 * The response body, or an error when the connection drops or stalls mid-body. Not http-client's
 * readBody(): it resolves only on 'end', so a connection reset after the headers (a bench fault, and a
 * real one behind flaky proxies) leaves it pending forever and hangs the step; its socket timeout is
 * already spent once the headers arrived.
 */
async function readBody(message: IncomingMessage, timeoutMs: number, url: string): Promise<string> {
  const timer = setTimeout(
    () => message.destroy(new Error(`no complete answer from ${url} within ${timeoutMs} ms`)),
    timeoutMs
  )
  try {
    return await text(message)
  } finally {
    clearTimeout(timer)
  }
}

async function getJson(url: string, headers: Record<string, string>, timeoutMs: number): Promise<unknown> {
  // allowRetries off: p-retry below decides (http-client retries only some 5xx, never a reset connection).
  const client = new HttpClient('setup-go-deps', undefined, { socketTimeout: timeoutMs, allowRetries: false })
  try {
    const response = await client.get(url, headers)
    const body = await readBody(response.message, timeoutMs, url)
    const status = response.message.statusCode ?? 0
    if (status !== 200) throw new HttpStatusError(status, url)
    try {
      return JSON.parse(body.replace(/^\uFEFF/, '')) as unknown
    } catch {
      // A captive portal or proxy error page: retrying may help, reading it as releases will not.
      throw new Error(`${url} did not answer with JSON (got ${JSON.stringify(body.slice(0, 80))}...)`)
    }
  } finally {
    client.dispose()
  }
}

async function withRetry<T>(what: string, options: FetchOptions, fn: () => Promise<T>): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await fn()
      } catch (error) {
        if (isPermanent(error)) throw new AbortError(error as Error)
        // p-retry refuses non-Error values; Node's own errors can come from another realm (jest's VM).
        throw error instanceof Error
          ? error
          : new Error((error as { message?: string })?.message ?? String(error))
      }
    },
    {
      retries: options.retries ?? 2,
      minTimeout: options.minBackoffMs ?? 500,
      factor: 3,
      randomize: true,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0)
          core.info(`Reading ${what} failed (attempt ${attemptNumber}): ${error.message}; retrying.`)
      }
    }
  )
}

/** The releases of a go.dev-style listing. Throws (after retries) with the URL in the message. */
export async function fetchListing(baseUrl: string, options: FetchOptions = {}): Promise<GoRelease[]> {
  const url = listingUrl(baseUrl)
  const json = await withRetry(`the Go release listing ${url}`, options, () =>
    getJson(url, { accept: 'application/json' }, options.timeoutMs ?? 30_000)
  )
  return parseListing(json, url)
}

/**
 * The releases of the actions/go-versions manifest. The token only raises GitHub's rate limit. It is
 * the last source install.ts tries (after go.dev failed), so this fails fast, one attempt and a short
 * deadline, and its error ends the search.
 */
export async function fetchManifest(
  token: string,
  options: FetchOptions & { url?: string } = {}
): Promise<GoRelease[]> {
  const url = options.url ?? MANIFEST_URL
  const headers: Record<string, string> = { accept: 'application/json' }
  // The token goes to GitHub's raw host only (where it lifts the anonymous rate limit), never elsewhere.
  if (token !== '' && new URL(url).hostname === 'raw.githubusercontent.com')
    headers.authorization = `token ${token}`
  const json = await withRetry(`the Go versions manifest ${url}`, { retries: 0, ...options }, () =>
    getJson(url, headers, options.timeoutMs ?? 10_000)
  )
  return parseManifest(json, url)
}
