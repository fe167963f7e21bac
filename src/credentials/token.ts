/**
 * Pure: the `token` credential kind. `token` goes only to the GitHub host of this run (GITHUB_SERVER_URL:
 * github.com or a GHES host), to the scope of each `private-modules` pattern there (scope.ts); any other
 * host gets nothing from it. Sent over https like a credentials line (http.ts).
 */
import { InputError } from '../input-error.js'
import type { Claim, Grant } from './grant.js'
import { patternScope, scopeName, type Scope } from './scope.js'

/** GitHub's git endpoints accept any user name with a token; checkout and GitHub's docs use this one. */
export const GITHUB_USERNAME = 'x-access-token'

export const TOKEN_SOURCE = "input 'token'"

/** One claim per private-modules pattern on the GitHub host (an empty token claims too: see tokenCheck). */
export function tokenClaims(patterns: readonly string[], host: string, token: string): Claim[] {
  const out: Claim[] = []
  for (const pattern of patterns) {
    const scope = patternScope(pattern, host)
    if (!scope) continue
    const grant: Grant = { host, path: scope.path, username: GITHUB_USERNAME, token, source: TOKEN_SOURCE }
    out.push({ kind: 'token', grant, pattern, widened: scope.widened })
  }
  return out
}

/** The error for a scope that only `token` could serve while it is empty. */
export function emptyTokenError(pattern: string, scope: Scope): InputError {
  return new InputError(
    'token',
    `Input 'private-modules' names '${pattern}' on ${scope.host}, but input 'token' is empty (a secret that is not set, e.g. in a pull request from a fork, is empty). Set 'token' to a token that can read those repositories, or add a 'credentials' line '${scopeName(scope).replace(/\/$/, '')} <user>:<token>'.`
  )
}

export function widenedNote(pattern: string, scope: Scope): string {
  return `'${pattern}': git scopes credentials by URL prefix, so the token is sent to every repository under https://${scope.host}/${scope.path}.`
}
