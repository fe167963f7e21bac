/**
 * GOPROXY lists as go reads them (cmd/go/internal/modfetch/proxy.go, proxyList and TryProxies): entries
 * separated by `,` (the next entry is tried after a 404 or 410) or `|` (after any error), each `direct`,
 * `off`, a URL, or a bare host that go prefixes with https://. Validation of the inputs is
 * environment/validate.ts validateGoproxy; this only rewrites a list go already accepts.
 */

/** Tries per request for each http(s) proxy in the download's go processes (withRequestRetries). */
export const PROXY_REQUEST_TRIES = 3

/**
 * The GOPROXY for the download's own go processes: each http(s) proxy repeated `tries` times with `|`, so
 * that go retries a request that failed (a 502, a connection reset mid-zip) at once, in the same process,
 * instead of failing that module for the whole attempt and leaving it to the next one after a backoff. On
 * the bench's flaky scenario (20% of requests failing) that took the median from 5 attempts to 2.
 *
 * go keeps one lookup per proxy URL string and module (modfetch.Lookup, errors included), so a proxy
 * repeated as it is would answer its second try from that memo; each repetition is spelled differently
 * instead (`U`, `U/`, `U/./`), which go turns into the same requests (it joins the request path with
 * path.Join). A URL with a query or a fragment, which a `/` would change, is left as it is; so are
 * `direct`, `off` and file:// URLs. The separator after the last repetition is the user's, so `,` still
 * falls back only on 404/410 (each such answer now asked `tries` times: a module version go.sum lists is
 * rarely missing from a proxy). Never exported: later steps get GOPROXY as configured.
 */
export function withRequestRetries(goproxy: string, tries = PROXY_REQUEST_TRIES): string {
  if (tries <= 1) return goproxy
  return goproxy
    .split(/([,|])/)
    .map((part, i) => (i % 2 === 1 ? part : repeated(part, tries)))
    .join('')
}

function repeated(entry: string, tries: number): string {
  const e = entry.trim()
  const url = e.includes(':/') || e.startsWith('/') || !/[.:/]/.test(e) ? e : `https://${e}`
  if (!/^https?:\/\//i.test(url) || /[?#]/.test(url)) return entry
  const base = url.replace(/\/+$/, '')
  return Array.from({ length: tries }, (_, i) => base + (i === 0 ? '' : '/' + './'.repeat(i - 1))).join('|')
}
