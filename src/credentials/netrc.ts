/**
 * Pure: go's own HTTPS requests (?go-get=1 discovery on custom domains and GHES, private GOPROXY hosts)
 * through a .netrc ($NETRC, Go >= 1.13). netrc is per host, so one credential per host: the whole-host
 * one if any, else the first; git does not read $NETRC (libcurl reads only ~/.netrc), so this widens
 * nothing for git. From Go 1.24 goauth.ts scopes these requests by URL prefix instead.
 */
import type { Grant } from './grant.js'
import { hostname, scopeName } from './scope.js'

export interface NetrcEntry {
  machine: string
  login: string
  password: string
}

/**
 * Hosts go resolves from its built-in table without an HTTP request (cmd/go/internal/vcs/vcs.go
 * vcsPaths), so go never sends them credentials of its own: writing one for them would only widen a
 * scoped token to the whole host for nothing.
 */
export const GO_STATIC_HOSTS: ReadonlySet<string> = new Set([
  'github.com',
  'bitbucket.org',
  'hub.jazz.net',
  'git.apache.org',
  'git.openstack.org',
  'chiselapp.com',
  'launchpad.net'
])

/** The grants go's own requests need: those on hosts go asks over HTTP. */
export const goRequestGrants = (grants: readonly Grant[]): Grant[] =>
  grants.filter((g) => !GO_STATIC_HOSTS.has(hostname(g.host)))

export function netrcEntries(grants: readonly Grant[], notes: string[]): NetrcEntry[] {
  const byHost = new Map<string, Grant[]>()
  for (const g of goRequestGrants(grants)) {
    const name = hostname(g.host)
    byHost.set(name, [...(byHost.get(name) ?? []), g])
  }
  const out: NetrcEntry[] = []
  for (const [machine, list] of byHost) {
    const chosen = list.find((g) => g.path === '') ?? (list[0] as Grant)
    if (list.some((g) => g.token !== chosen.token)) {
      notes.push(
        `go's own requests to ${machine} (?go-get=1 discovery) can carry one credential per host (.netrc): they use the one for ${scopeName(chosen)}.`
      )
    }
    out.push({ machine, login: chosen.username, password: chosen.token })
  }
  return out
}

export function serializeNetrc(entries: readonly NetrcEntry[], existing = ''): string {
  const ours = entries.map((e) => `machine ${e.machine}\nlogin ${e.login}\npassword ${e.password}\n`).join('')
  // go uses the first entry for a machine, so ours come first; the user's own ~/.netrc (or $NETRC) follows,
  // because exporting NETRC hides it from go otherwise (a private GOPROXY login would stop working).
  return existing.trim() === '' ? ours : `${ours}\n${existing.endsWith('\n') ? existing : `${existing}\n`}`
}
