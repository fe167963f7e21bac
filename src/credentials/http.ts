/**
 * Pure: how an https grant (`token`, `credentials` lines) reaches git. As
 * `http.<scope>.extraheader = AUTHORIZATION: basic base64(user:token)`, preceded by an empty value that
 * resets any inherited extraheader for that URL. Not as credentials inside an insteadOf URL
 * (https://x-access-token:<token>@github.com/acme/), for two measured reasons (git 2.39):
 *   - git passes the rewritten URL in argv to `git-remote-https <remote> <url>`, so the token would be
 *     visible in `ps` to every process on the runner;
 *   - credentials in a URL are not sent at all while any extraheader applies (git lets the header win),
 *     so a global extraheader someone else set would silently turn our token into a 401.
 * The insteadOf rules only move the `git@host:` and `ssh://git@host/` forms (and the https form itself,
 * to beat a shorter user rule like url."git@github.com:".insteadOf "https://github.com/" - git uses the
 * longest matching insteadOf prefix and never chains rewrites) onto https://<scope>, so one header rule
 * covers every form.
 *
 * Why the reset comes with every header (not only when a conflict is detected): GitHub answers 400
 * "Duplicate header: Authorization" when two headers are sent, and an inherited header can appear after
 * this step ran (a later `git config --global`). An empty http.<narrower-url>.extraheader clears the list
 * inherited from broader URLs (git's urlmatch skips later entries for less specific URLs and lets equal or
 * more specific ones through in order), so our value is the only one sent under our scope.
 *
 * Why followRedirects=false on every credentialed URL: with git's default (`initial`), a redirect of the
 * first request moves git's base URL to the redirect's host, and git then sends the remote's http.<url>
 * settings, our extraheader included, with every later request there (the POSTs of the fetch): a
 * redirecting server, or anyone who can make it redirect, would receive the token. Off, git fails on the
 * redirect instead (a renamed repository then needs its new path in go.mod or a replace directive).
 */
import type { GitConfigEntry } from './gitconfig.js'
import type { Grant } from './grant.js'
import { covers, scopeUrl } from './scope.js'
import { GITHUB_USERNAME } from './token.js'

/** An extraheader already configured (from `git config --show-scope --name-only --get-regexp`). */
export interface ExistingHeader {
  /** git's scope: system, global, local, worktree, command. */
  scope: string
  /** The URL of `http.<url>.extraheader`, or '' for a bare `http.extraheader` (every URL). */
  url: string
}

/** Every printable form of a credential: raw, base64 of user:token (our header), URL-encoded. */
export function secretForms(grant: Pick<Grant, 'username' | 'token'>): string[] {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
  return [
    grant.token,
    b64(`${grant.username}:${grant.token}`),
    b64(`${GITHUB_USERNAME}:${grant.token}`),
    encodeURIComponent(grant.token),
    b64(grant.token)
  ]
}

export function authorizationHeader(grant: Pick<Grant, 'username' | 'token'>): string {
  // The same form actions/checkout writes.
  return `AUTHORIZATION: basic ${Buffer.from(`${grant.username}:${grant.token}`, 'utf8').toString('base64')}`
}

/** git config entries for one grant: ssh/https forms onto https://<scope>, then reset + our header. */
export function grantEntries(grant: Grant): GitConfigEntry[] {
  const base = scopeUrl(grant)
  const entries: GitConfigEntry[] = [{ key: `url.${base}.insteadOf`, value: base }]
  // ssh forms only for hosts on the default port: `git@host:` cannot carry an https port.
  if (!/:\d+$/.test(grant.host)) {
    entries.push({ key: `url.${base}.insteadOf`, value: `git@${grant.host}:${grant.path}` })
    entries.push({ key: `url.${base}.insteadOf`, value: `ssh://git@${grant.host}/${grant.path}` })
  }
  const urls = [base]
  // A repository scope: the ssh forms usually end in .git, and git's http.<url> matching is by path
  // element, so https://host/acme/repo does not cover https://host/acme/repo.git.
  if (grant.path !== '' && !grant.path.endsWith('/')) urls.push(`${base}.git`)
  for (const url of urls) {
    entries.push({ key: `http.${url}.extraheader`, value: '' })
    entries.push({ key: `http.${url}.extraheader`, value: authorizationHeader(grant) })
    entries.push({ key: `http.${url}.followRedirects`, value: 'false' })
  }
  return entries
}

/** Parse `git config --show-scope --name-only --get-regexp '^http\..*extraheader$'` output. */
export function parseExistingHeaders(stdout: string): ExistingHeader[] {
  const out: ExistingHeader[] = []
  for (const line of stdout.split('\n')) {
    const m = /^(\w+)\s+http\.(?:(.*)\.)?extraheader$/i.exec(line.trim())
    if (m) out.push({ scope: (m[1] as string).toLowerCase(), url: m[2] ?? '' })
  }
  return out
}

function headerCovers(url: string, grant: Grant): boolean {
  if (url === '') return true
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.protocol !== 'https:' || u.host.toLowerCase() !== grant.host) return false
  return covers({ host: grant.host, path: u.pathname.replace(/^\//, '') }, grant)
}

/** What the user should know about extraheaders already set where a grant applies. */
export function inheritedHeaderNotes(
  grants: readonly Grant[],
  existing: readonly ExistingHeader[]
): string[] {
  const notes: string[] = []
  for (const g of grants) {
    for (const h of existing.filter((e) => headerCovers(e.url, g))) {
      notes.push(
        h.scope === 'local' || h.scope === 'worktree'
          ? `An extraheader for ${h.url || 'every URL'} is set in this repository's git config (actions/checkout's); go fetches modules outside the repository, where it does not apply, and this action's header is scoped to go's module fetches, so GitHub gets one Authorization header.`
          : `An extraheader for ${h.url || 'every URL'} is set in the ${h.scope} git config; this action resets it for ${scopeUrl(g)} so only one Authorization header is sent (GitHub refuses two with HTTP 400).`
      )
    }
  }
  return notes
}
