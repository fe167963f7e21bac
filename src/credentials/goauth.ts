/**
 * Pure: go's own HTTPS requests (?go-get=1 discovery on custom domains and GHES, a private GOPROXY) on
 * Go >= 1.24, through GOAUTH (`go help goauth`) instead of a .netrc. netrc is per host: a credential
 * scoped to host/group would go with every ?go-get=1 request on that host. A GOAUTH command prints
 * `URL-prefix\n\nHeader: value\n\n` blocks, and go sends a header only with requests under its prefix
 * (the longest one wins), so go's requests are scoped like git's.
 *
 * The command is a small node script in the private credentials directory (node is what runs this
 * action, on Linux, macOS and Windows alike) that prints a file beside it: the token is read from the
 * private directory, never from the command line or the environment. It is composed with the user's own
 * GOAUTH (the runner's environment or `go env -w`), ours first (go gives the first command's credential
 * for a prefix precedence): a GOAUTH without `netrc` would otherwise make go ignore a NETRC we export.
 */
import { goVersionAtLeast } from '../go/version.js'
import type { Grant } from './grant.js'
import { authorizationHeader } from './http.js'
import type { Scope } from './scope.js'

/** The user's GOAUTH as go sees it (`go env GOAUTH`) and where it came from. */
export interface UserGoAuth {
  value: string
  source: 'the environment' | "'go env -w'" | "go's default"
}

/** Go 1.24 added GOAUTH (golang/go#26232). */
export function goAuthSupported(goVersion: string): boolean {
  return goVersionAtLeast(goVersion, '1.24')
}

/**
 * The URL prefixes go matches for a scope. go looks a request up by its whole URL (query included), then
 * drops the last `/element` at a time (cmd/go/internal/auth/auth.go loadCredential); a prefix is stored
 * without its trailing slash. So `org/` is `https://host/org`, and a repository `org/repo` also needs its
 * discovery URL itself, `https://host/org/repo?go-get=1`, which the walk never reaches.
 */
export function goAuthPrefixes(scope: Scope): string[] {
  const base = `https://${scope.host}/${scope.path}`.replace(/\/$/, '')
  if (scope.path === '' || scope.path.endsWith('/')) return [base]
  return [base, `${base}?go-get=1`]
}

/** What the GOAUTH command prints: one block per grant (holds secrets: written 0600). */
export function goAuthHeaders(grants: readonly Grant[]): string {
  return grants
    .map((g) => {
      const header = authorizationHeader(g).replace(/^AUTHORIZATION: basic /, 'Authorization: Basic ')
      return `${goAuthPrefixes(g).join('\n')}\n\n${header}\n\n`
    })
    .join('')
}

/** The command's script; it takes no argument and ignores go's stdin (the failed response). */
export const GOAUTH_SCRIPT = `// Written by setup-go-deps: go runs this as a GOAUTH command ('go help goauth'); it prints the
// Authorization headers for the scoped URL prefixes from the file beside it. The post step deletes both.
import { readFileSync } from 'node:fs'
process.stdout.write(readFileSync(new URL('./goauth-headers', import.meta.url)))
`

/**
 * The GOAUTH entry that runs the script, or undefined when a path cannot be written in GOAUTH (go splits
 * the list at `;` and the command at spaces, with quotes but no escapes: cmd/internal/quoted).
 */
export function goAuthCommand(node: string, script: string): string | undefined {
  if ([node, script].some((p) => /[;"\n]/.test(p))) return undefined
  return `"${node}" "${script}"`
}

export interface GoAuthExport {
  /** The GOAUTH to export, or undefined when go must be left as the user set it. */
  value?: string
  /** Why the credentials do not reach go's own requests (a warning), when they do not. */
  warning?: string
}

/** Ours first, then the user's list; `off` cannot be combined (go refuses it), so it is kept and said. */
export function composeGoAuth(ours: string, user: UserGoAuth, scopes: readonly string[]): GoAuthExport {
  const value = user.value.trim()
  if (value === 'off') {
    return {
      warning: `GOAUTH is 'off' (from ${user.source}), so go sends no credentials with its own HTTPS requests: ?go-get=1 discovery and module proxy requests for ${scopes.join(', ')} go unauthenticated (git's fetches still use the credentials). Remove GOAUTH=off to let this action scope them.`
    }
  }
  return { value: value === '' ? ours : `${ours};${value}` }
}
