/**
 * Pure: where a credential goes. A scope is a host and a URL path prefix, the unit git (http.<url>.*,
 * url.<base>.insteadOf), ssh routing and go's GOAUTH all match by; every credential kind grants one.
 *
 * From a `private-modules` pattern (GOPRIVATE syntax, src/go/pattern.ts):
 *   github.com/acme, github.com/acme/*   -> https://github.com/acme/        (the organisation)
 *   github.com/acme/repo                 -> https://github.com/acme/repo    (that repository, and .git)
 *   github.com/acme/*-svc                -> https://github.com/acme/        (git matches URL prefixes, not
 *                                           globs, so the literal prefix is the narrowest scope; noted)
 *   *.corp.example.com                   -> the whole GHES host, only if GITHUB_SERVER_URL's host matches
 */
import { InputError } from '../input-error.js'
import { globToRegExp } from '../go/pattern.js'

export interface Scope {
  /** Host as in URLs (lowercase, with :port when not default). */
  host: string
  /** '' (whole host), `org/` (a prefix ending in /), or `org/repo` (a path and everything below it). */
  path: string
}

/** A path.Match metacharacter: an element holding one is a glob, not a literal URL path element. */
export const hasGlobMeta = (s: string): boolean => /[*?[\\]/.test(s)

/** The host without its port. */
/** git scopes credentials by URL prefix: no globs, no `.`/`..`/empty elements, no `%` escapes. */
export function credentialScopeError(scope: string): string | undefined {
  const [, ...elements] = scope.split('/')
  if (hasGlobMeta(scope)) return 'which has a wildcard; git can only scope credentials by URL prefix.'
  if (scope.includes('%')) return "which has a '%' escape (%2e%2e is '..' to git)."
  if (elements.some((e) => e === '' || e === '.' || e === '..')) {
    return "which has an empty, '.' or '..' path element; git would resolve it to a wider URL."
  }
  return undefined
}

export const hostname = (host: string): string => host.replace(/:\d+$/, '')

export const scopeUrl = (s: Scope): string => `https://${s.host}/${s.path}`
export const scopeName = (s: Scope): string => `${s.host}/${s.path}`
export const sameScope = (a: Scope, b: Scope): boolean => a.host === b.host && a.path === b.path

/** The host of GITHUB_SERVER_URL (github.com, or a GHES host), lowercase, with a non-default port. */
export function serverHost(serverUrl: string | undefined): string {
  const raw = serverUrl?.trim() || 'https://github.com'
  try {
    return new URL(raw).host.toLowerCase()
  } catch {
    throw new InputError(
      'GITHUB_SERVER_URL',
      `GITHUB_SERVER_URL is '${raw}', which is not a URL; the runner sets it (e.g. https://github.com). Unset it or fix it.`
    )
  }
}

/** '' for the host, `org/` for one element or a prefix followed by globs, `a/b` for a literal path. */
export function scopePath(literal: readonly string[], hasGlobAfter: boolean): string {
  if (literal.length === 0) return ''
  if (literal.length === 1 || hasGlobAfter) return `${literal.join('/')}/`
  return literal.join('/')
}

/** The scope a private-modules pattern gives on `host`, or undefined when it names another host. */
export function patternScope(pattern: string, host: string): { path: string; widened: boolean } | undefined {
  const [hostGlob = '', ...elements] = pattern.split('/')
  if (!globToRegExp(hostGlob.toLowerCase()).test(hostname(host))) return undefined
  const literal: string[] = []
  for (const e of elements) {
    if (hasGlobMeta(e)) break
    literal.push(e)
  }
  const rest = elements.slice(literal.length)
  // `acme/*` matches exactly what `acme` does (GOPRIVATE patterns match path prefixes): no widening.
  const widened = rest.length > 1 || (rest.length === 1 && rest[0] !== '*')
  return { path: scopePath(literal, rest.length > 0), widened }
}

/** Does a scope cover another (same host, path prefix at an element boundary)? */
export function covers(outer: Scope, inner: Scope): boolean {
  if (outer.host !== inner.host) return false
  if (outer.path === '' || outer.path === inner.path) return true
  const o = outer.path.endsWith('/') ? outer.path : `${outer.path}/`
  const i = inner.path.endsWith('/') ? inner.path : `${inner.path}/`
  return i.startsWith(o)
}

/**
 * Does a GOPRIVATE pattern cover the scope (so go fetches its modules directly and our credentials are
 * used, instead of asking the proxy)? `github.com/acme/*` covers `github.com/acme/` and everything below.
 */
export function isPrivateScope(privatePatterns: readonly string[], scope: Scope): boolean {
  return privatePatterns.some((pattern) => {
    const s = patternScope(pattern, scope.host)
    return s !== undefined && covers({ host: scope.host, path: s.path }, scope)
  })
}
