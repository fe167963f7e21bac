/**
 * GOPROXY lists as go reads them (cmd/go/internal/modfetch/proxy.go, proxyList and TryProxies): entries
 * separated by `,` (the next entry is tried after a 404 or 410) or `|` (after any error), each `direct`,
 * `off`, a URL, or a bare host that go prefixes with https://. Validation of the inputs is
 * environment/validate.ts validateGoproxy; this only rewrites a list go already accepts.
 */

/** Tries per request for each http(s) proxy in the download's go processes (withRequestRetries). */
export const PROXY_REQUEST_TRIES = 2

/**
 * The GOPROXY for the download's own go processes: each http(s) proxy twice, joined with `|`, so that go
 * tries a request that failed (a 502, a connection reset mid-zip) once more at once, in the same process,
 * instead of failing that module for the whole attempt and leaving it to the next one after a backoff.
 *
 * go keeps one lookup per proxy URL string and module (modfetch.Lookup, errors included), so a proxy
 * repeated as it is would answer its second try from that memo. The second spelling is the same URL with
 * a trailing `/` (or without, when it has one): go trims one trailing slash before it appends a module
 * path (newProxyRepo) or a checksum-database path (web.Join), so both spellings send byte-identical
 * requests. Only two spellings have that property, hence two tries. A URL with a query or a fragment is
 * left as it is; so are `direct`, `off` and file:// URLs. The separator after the second spelling is the
 * user's, so `,` still falls back only on 404/410 (a 404 is now asked twice: a version go.sum lists is
 * rarely missing from a proxy). Never exported: later steps get GOPROXY as configured.
 */
export function withRequestRetries(goproxy: string): string {
  return goproxy
    .split(/([,|])/)
    .map((part, i) => (i % 2 === 1 ? part : twice(part)))
    .join('')
}

/**
 * A GOPROXY entry as go reads it (proxyList): a URL as written, or a bare host (proxy.corp.example)
 * with https:// in front, as go adds it. `direct` and `off` (no `.`, `:` or `/`) are left as they are.
 */
export function proxyEntryUrl(entry: string): string {
  const e = entry.trim()
  return e.includes(':/') || e.startsWith('/') || !/[.:/]/.test(e) ? e : `https://${e}`
}

function twice(entry: string): string {
  const url = proxyEntryUrl(entry)
  // `U//` has no twin: trimming one slash leaves `U/`, another path.
  if (!/^https?:\/\/[^/]/i.test(url) || /[?#]/.test(url) || url.endsWith('//')) return entry
  const other = url.endsWith('/') ? url.slice(0, -1) : `${url}/`
  return `${url}|${other}`
}

/**
 * The GOPROXY a fallback proxy runs with: the list as configured with its first entry (the proxy that
 * failed) replaced, so what follows it (`,direct`, a second proxy after `|`) still applies; go's default
 * list when none is configured (`https://proxy.golang.org,direct`). An entry `off` or `direct` first is
 * replaced like any other.
 */
export function withFallback(goproxy: string, fallback: string): string {
  const list = goproxy.trim() === '' ? 'https://proxy.golang.org,direct' : goproxy
  const sep = /[,|]/.exec(list)
  return sep ? `${fallback}${list.slice(sep.index)}` : fallback
}

/** A GOPROXY-like text with every URL's user info shown as `***` (for logs, the summary, messages). */
export function redactUserinfo(s: string): string {
  return s.replace(/\/\/[^/@\s]*@/g, '//***@')
}

/**
 * The secrets in a GOPROXY list: each URL's user info (`user:password`, as written and percent-decoded)
 * and its password alone, for core.setSecret. A runner's own GOPROXY may carry them (the inputs refuse
 * them); go itself prints them as `user:xxxxx`.
 */
export function proxySecrets(goproxy: string): string[] {
  const out = new Set<string>()
  for (const m of goproxy.matchAll(/\/\/([^/@\s,|]*)@/g)) {
    const info = m[1] as string
    const password = info.includes(':') ? info.slice(info.indexOf(':') + 1) : ''
    for (const s of [info, password]) {
      if (s === '') continue
      out.add(s)
      try {
        out.add(decodeURIComponent(s))
      } catch {
        // not percent-encoded: the raw form is masked
      }
    }
  }
  return [...out]
}
