/**
 * Pure: inputs -> what the credential step writes. The git config entries (url.<base>.insteadOf,
 * http.<url>.extraheader), the Go environment (GOPRIVATE, GONOPROXY, ...), the .netrc entries for go's
 * own HTTPS requests, and every form of every secret to mask. No effects, no logging: `apply.ts` does
 * those, in the order this plan makes safe (mask first).
 *
 * Where a credential goes (the "scope"), from a `private-modules` pattern:
 *   github.com/acme, github.com/acme/*   -> https://github.com/acme/        (the organisation)
 *   github.com/acme/repo                 -> https://github.com/acme/repo    (that repository, and .git)
 *   github.com/acme/*-svc                -> https://github.com/acme/        (git matches URL prefixes, not
 *                                           globs, so the literal prefix is the narrowest scope; noted)
 *   *.corp.example.com                   -> the whole GHES host, only if GITHUB_SERVER_URL's host matches
 *                                           the glob; any other host gets nothing from `token`
 * `token` goes only to the GitHub host of this run (GITHUB_SERVER_URL: github.com or a GHES host).
 * `credentials` lines carry their own scope (host[/prefix]) and win over `token` for the same scope.
 *
 * How the token is sent: as `http.<scope>.extraheader = AUTHORIZATION: basic base64(user:token)`,
 * preceded by an empty value that resets any inherited extraheader for that URL. Not as credentials inside
 * an insteadOf URL (https://x-access-token:<token>@github.com/acme/), for two measured reasons (git 2.39):
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
 */
import { InputError } from '../inputs.js'
import { globToRegExp } from '../go/pattern.js'
import { parseList } from '../list.js'
import type { AuthConfig, GoEnvInputs } from '../inputs.js'
import { validateGoEnv, validatePatterns } from './goenv.js'
import {
  defaultEndpoint,
  labelledRoutes,
  parseSshKeys,
  planSsh,
  secretLines,
  KEY_INPUT,
  type SshPlan,
  type SshRoute
} from './ssh.js'

export interface GitConfigEntry {
  /** `section.subsection.name`, e.g. `http.https://github.com/acme/.extraheader`. */
  key: string
  value: string
}

export interface NetrcEntry {
  machine: string
  login: string
  password: string
}

/** One credential and the URL prefix it is sent to. */
export interface Grant {
  /** Host as in URLs (lowercase, with :port when not default). */
  host: string
  /** '' (whole host), `org/` (a prefix ending in /), or `org/repo` (a path and everything below it). */
  path: string
  username: string
  token: string
  /** Which input it came from, for messages (never the token). */
  source: string
}

/** An extraheader already configured (from `git config --show-scope --name-only --get-regexp`). */
export interface ExistingHeader {
  /** git's scope: system, global, local, worktree, command. */
  scope: string
  /** The URL of `http.<url>.extraheader`, or '' for a bare `http.extraheader` (every URL). */
  url: string
}

export interface PlanInput {
  auth: Pick<AuthConfig, 'privateModules' | 'token' | 'credentials' | 'sshPrivateKey'> &
    Partial<Pick<AuthConfig, 'sshKnownHosts'>>
  /** The runner's /etc/ssh/ssh_known_hosts (ssh reads it too; only checked, never copied). */
  systemKnownHosts?: string
  goEnv: GoEnvInputs
  /** GITHUB_SERVER_URL; default https://github.com. */
  serverUrl?: string
  /** The current environment (GOPRIVATE, GONOPROXY, GONOSUMDB already set by the workflow are merged). */
  env: Readonly<Record<string, string | undefined>>
  existingHeaders?: readonly ExistingHeader[]
}

export interface EnvironmentPlan {
  /** GOPRIVATE patterns in effect (the workflow's and the input's). */
  privatePatterns: string[]
  /** Go variables to export for this and later steps (no secrets). */
  goEnv: Record<string, string>
  grants: Grant[]
  /** Entries for the private git config file, in order (holds secrets). */
  gitConfig: GitConfigEntry[]
  /** Entries for the private .netrc (holds secrets); empty: no NETRC needed. */
  netrc: NetrcEntry[]
  /** Every secret and every derived form that could be printed; mask all before anything else. */
  secrets: string[]
  /** Where credentials go, e.g. `github.com/acme/` (for the summary). */
  credentialScopes: string[]
  /** Human notes for the summary. */
  notes: string[]
  /** Deploy keys: aliases, routes, known_hosts (ssh.ts); the git entries need the file paths (apply.ts). */
  ssh?: SshPlan
}

/**
 * Hosts go resolves from its built-in table without an HTTP request (cmd/go/internal/vcs/vcs.go
 * vcsPaths), so go never sends them .netrc credentials: writing a .netrc line for them would only widen a
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

const GLOB_META = /[*?[\\]/

/** GitHub's git endpoints accept any user name with a token; checkout and GitHub's docs use this one. */
export const GITHUB_USERNAME = 'x-access-token'

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}

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

const hostname = (host: string): string => host.replace(/:\d+$/, '')

/** The scope a private-modules pattern gives `token` on `host`, or undefined when it names another host. */
export function patternScope(pattern: string, host: string): { path: string; widened: boolean } | undefined {
  const [hostGlob = '', ...elements] = pattern.split('/')
  if (!globToRegExp(hostGlob.toLowerCase()).test(hostname(host))) return undefined
  const literal: string[] = []
  for (const e of elements) {
    if (GLOB_META.test(e)) break
    literal.push(e)
  }
  const rest = elements.slice(literal.length)
  // `acme/*` matches exactly what `acme` does (GOPRIVATE patterns match path prefixes): no widening.
  const widened = rest.length > 1 || (rest.length === 1 && rest[0] !== '*')
  return { path: scopePath(literal, rest.length > 0), widened }
}

/** '' for the host, `org/` for one element or a prefix followed by globs, `a/b` for a literal path. */
function scopePath(literal: readonly string[], hasGlobAfter: boolean): string {
  if (literal.length === 0) return ''
  if (literal.length === 1 || hasGlobAfter) return `${literal.join('/')}/`
  return literal.join('/')
}

/** Does a scope cover another (same host, path prefix at an element boundary)? */
export function covers(
  outer: { host: string; path: string },
  inner: { host: string; path: string }
): boolean {
  if (outer.host !== inner.host) return false
  if (outer.path === '' || outer.path === inner.path) return true
  const o = outer.path.endsWith('/') ? outer.path : `${outer.path}/`
  const i = inner.path.endsWith('/') ? inner.path : `${inner.path}/`
  return i.startsWith(o)
}

export const scopeUrl = (g: { host: string; path: string }): string => `https://${g.host}/${g.path}`
export const scopeName = (g: { host: string; path: string }): string => `${g.host}/${g.path}`

function credentialGrants(auth: PlanInput['auth']): Grant[] {
  return auth.credentials.map((line) => {
    const [host = '', ...elements] = line.scope.split('/')
    const scope = `'${line.scope}'`
    if (elements.some((e) => GLOB_META.test(e)) || GLOB_META.test(host)) {
      throw new InputError(
        'credentials',
        `Input 'credentials' has a line for ${scope} with a wildcard; git can only scope credentials by URL prefix. Write the host and an optional path prefix, e.g. 'gitlab.com/acme oauth2:<token>'.`
      )
    }
    if (elements.some((e) => e === '' || e === '.' || e === '..')) {
      throw new InputError(
        'credentials',
        `Input 'credentials' has a line for ${scope} with an empty or relative path element. Write 'host/org' or 'host/org/repo'.`
      )
    }
    return {
      host: host.toLowerCase(),
      path: scopePath(elements, false),
      username: line.username,
      token: line.token,
      source: `input 'credentials' (${line.scope})`
    }
  })
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

export function planEnvironment(input: PlanInput): EnvironmentPlan {
  const { auth } = input
  const notes: string[] = []
  const goEnvInputs = validateGoEnv(input.goEnv)
  const patterns = validatePatterns('private-modules', auth.privateModules)
  const host = serverHost(input.serverUrl)

  // Who wins for the same scope, most explicit first: a key labelled for it, a `credentials` line, the one
  // unlabelled key, then `token`. `token` comes last because its default is the job's github.token, which
  // reads only the workflow's own repository: a user who gives a deploy key for acme/x means that key, not
  // github.token. A narrower scope always wins over a broader one whatever its kind (git uses the longest
  // matching insteadOf prefix), so `token` still serves the rest of an organisation whose repositories have
  // labelled keys.
  const keys = parseSshKeys(auth.sshPrivateKey)
  const routes: SshRoute[] = labelledRoutes(keys)
  const grants: Grant[] = credentialGrants(auth).filter((g) => {
    const route = routes.find((r) => r.host === g.host && r.path === g.path)
    if (route) {
      notes.push(
        `${g.source} and ${route.source} of '${KEY_INPUT}' are both for ${scopeName(g)}: the labelled key is used.`
      )
    }
    return !route
  })
  const scopes = new Set(grants.map(scopeName))
  const unlabelled = keys.filter((k) => k.labels.length === 0)
  if (unlabelled.length > 1) {
    throw new InputError(
      KEY_INPUT,
      `Input '${KEY_INPUT}' has ${unlabelled.length} keys without a label (keys ${unlabelled.map((k) => k.number).join(', ')}). GitHub accepts a deploy key for one repository and takes the first key it knows, so every repository needs to know its own key: put a line '# ${host}/<org>/<repo>' before each key.`
    )
  }

  for (const pattern of patterns) {
    const scope = patternScope(pattern, host)
    if (!scope) continue
    const candidate = { host, path: scope.path }
    if (grants.some((g) => g.host === host && covers(g, candidate))) continue
    if (routes.some((r) => covers(r, candidate))) continue
    const key = unlabelled[0]
    if (key) {
      // The unlabelled key takes every private-modules scope on the GitHub host that nothing else has.
      routes.push({
        ...candidate,
        key: key.number,
        endpoint: defaultEndpoint(host),
        source: `key ${key.number} (unlabelled, for private-modules '${pattern}')`
      })
      continue
    }
    if (auth.token === '') {
      if (auth.sshPrivateKey.trim() !== '') continue
      throw new InputError(
        'token',
        `Input 'private-modules' names '${pattern}' on ${host}, but input 'token' is empty (a secret that is not set, e.g. in a pull request from a fork, is empty). Set 'token' to a token that can read those repositories, or add a 'credentials' line '${scopeName(candidate).replace(/\/$/, '')} <user>:<token>'.`
      )
    }
    if (scope.widened) {
      notes.push(
        `'${pattern}': git scopes credentials by URL prefix, so the token is sent to every repository under https://${host}/${scope.path}.`
      )
    }
    if (scopes.has(scopeName(candidate))) continue
    scopes.add(scopeName(candidate))
    grants.push({
      host,
      path: scope.path,
      username: GITHUB_USERNAME,
      token: auth.token,
      source: "input 'token'"
    })
  }

  // A grant inside another with the same credential adds nothing.
  const kept = grants.filter(
    (g) =>
      !grants.some(
        (o) =>
          o !== g &&
          o.token === g.token &&
          o.username === g.username &&
          covers(o, g) &&
          scopeName(o) !== scopeName(g)
      )
  )

  for (const g of kept) {
    const inherited = (input.existingHeaders ?? []).filter((h) => headerCovers(h.url, g))
    for (const h of inherited) {
      notes.push(
        h.scope === 'local' || h.scope === 'worktree'
          ? `An extraheader for ${h.url || 'every URL'} is set in this repository's git config (actions/checkout's); go fetches modules outside the repository, where it does not apply, and this action's header is scoped to go's module fetches, so GitHub gets one Authorization header.`
          : `An extraheader for ${h.url || 'every URL'} is set in the ${h.scope} git config; this action resets it for ${scopeUrl(g)} so only one Authorization header is sent (GitHub refuses two with HTTP 400).`
      )
    }
  }

  const netrc = netrcEntries(kept, notes)

  const privatePatterns = union(parseList(input.env.GOPRIVATE), patterns)
  const goEnv: Record<string, string> = {}
  if (patterns.length > 0) goEnv.GOPRIVATE = privatePatterns.join(',')
  for (const [name, inputName, value] of [
    ['GONOPROXY', 'gonoproxy', goEnvInputs.gonoproxy],
    ['GONOSUMDB', 'gonosumdb', goEnvInputs.gonosumdb]
  ] as const) {
    if (value !== '') {
      goEnv[name] = value
    } else if (patterns.length > 0 && (input.env[name] ?? '').trim() !== '') {
      // go derives GONOPROXY/GONOSUMDB from GOPRIVATE only when they are unset; a workflow-level value would
      // otherwise send the private modules to the proxy / sum database.
      goEnv[name] = union(parseList(input.env[name]), patterns).join(',')
      notes.push(
        `${name} was already set by the workflow; added the private-modules patterns to it (set input '${inputName}' to choose it yourself).`
      )
    }
  }
  if (goEnvInputs.goproxy !== '') goEnv.GOPROXY = goEnvInputs.goproxy
  if (goEnvInputs.gosumdb !== '') goEnv.GOSUMDB = goEnvInputs.gosumdb
  if (goEnvInputs.goflags !== '') goEnv.GOFLAGS = goEnvInputs.goflags

  for (const g of kept) {
    if (g.source !== "input 'token'" && !privatePatterns.some((p) => patternScope(p, g.host))) {
      notes.push(
        `${g.source} gives credentials for ${scopeName(g)}, but no private-modules pattern names ${g.host}: go asks the module proxy for those modules (fine for a private proxy host; add the pattern for private repositories).`
      )
    }
  }

  const ssh = planSsh({
    keys,
    routes,
    knownHosts: auth.sshKnownHosts ?? '',
    systemKnownHosts: input.systemKnownHosts,
    env: input.env,
    privatePatterns,
    isPrivate: (h, p) =>
      privatePatterns.some((pattern) => {
        const s = patternScope(pattern, h)
        return s !== undefined && covers({ host: h, path: s.path }, { host: h, path: p })
      })
  })
  if (ssh) notes.push(...ssh.notes)

  return {
    privatePatterns,
    goEnv,
    grants: kept,
    gitConfig: kept.flatMap(grantEntries),
    netrc,
    secrets: [...new Set([...kept.flatMap(secretForms), ...secretLines(auth.sshPrivateKey)])].filter(
      (s) => s !== ''
    ),
    credentialScopes: [...kept.map(scopeName), ...(ssh?.scopes ?? [])],
    notes,
    ...(ssh ? { ssh } : {})
  }
}

/**
 * go's own HTTPS requests (?go-get=1 discovery on custom domains and GHES, private GOPROXY hosts) read
 * credentials from $NETRC (Go >= 1.13; GOAUTH=netrc, the default from Go 1.24, reads the same file).
 * netrc is per host, so one credential per host: the whole-host one if any, else the first; git does not
 * read $NETRC (libcurl reads only ~/.netrc), so this widens nothing for git.
 */
function netrcEntries(grants: readonly Grant[], notes: string[]): NetrcEntry[] {
  const byHost = new Map<string, Grant[]>()
  for (const g of grants) {
    const name = hostname(g.host)
    if (GO_STATIC_HOSTS.has(name)) continue
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

/**
 * The git config file body. Hand-written because the alternative, `git config --file f --add key value`,
 * would put the token in argv; git has no stdin mode for values. Values are always quoted (so `#`, `;`
 * and spaces survive) with `\` and `"` escaped.
 */
export function serializeGitConfig(entries: readonly GitConfigEntry[]): string {
  const lines = ['# Written by setup-go-deps for Go module downloads; its post step deletes this file.']
  for (const { key, value } of entries) {
    const first = key.indexOf('.')
    const last = key.lastIndexOf('.')
    if (first <= 0 || last === key.length - 1) throw new Error(`invalid git config key: ${key}`)
    const section = key.slice(0, first)
    const name = key.slice(last + 1)
    const sub = first === last ? undefined : key.slice(first + 1, last)
    lines.push(sub === undefined ? `[${section}]` : `[${section} "${quote(sub)}"]`)
    lines.push(`\t${name} = "${quote(value)}"`)
  }
  return `${lines.join('\n')}\n`
}

function quote(s: string): string {
  if (/[\n\r\0]/.test(s)) throw new Error('a git config value cannot hold a line break')
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
}

export function serializeNetrc(entries: readonly NetrcEntry[], existing = ''): string {
  const ours = entries.map((e) => `machine ${e.machine}\nlogin ${e.login}\npassword ${e.password}\n`).join('')
  // go uses the first entry for a machine, so ours come first; the user's own ~/.netrc (or $NETRC) follows,
  // because exporting NETRC hides it from go otherwise (a private GOPROXY login would stop working).
  return existing.trim() === '' ? ours : `${ours}\n${existing.endsWith('\n') ? existing : `${existing}\n`}`
}

/** Escape a path for a git `gitdir:` pattern (wildmatch): `\ * ? [` are special. */
export function gitdirPattern(dir: string): string {
  const slashed = dir.replace(/\\/g, '/').replace(/\/+$/, '')
  return `${slashed.replace(/[*?[]/g, '\\$&')}/`
}

/**
 * The GIT_CONFIG_* variables to export so git includes our file, appended after any entries already in the
 * environment. The existing entries are exported again with the new count: a count exported for later steps
 * whose keys were set only on this step (step-level `env:`) would make every later git command fail with
 * "missing config key GIT_CONFIG_KEY_0".
 *
 * The include is conditional (`includeIf.gitdir:<GOMODCACHE>/cache/vcs/`): cmd/go runs every git command of a
 * module download in its own bare repository there (cmd/go/internal/modfetch/codehost/git.go runs git with
 * cmd.Dir = the cache dir). So the token and the rewrites apply to go's module fetches only, in this and
 * later steps, and never to the workspace repository: a later `git push` keeps using actions/checkout's
 * credentials, and checkout's extraheader (local config) never meets ours.
 */
export function planGitConfigEnv(
  env: Readonly<Record<string, string | undefined>>,
  includes: readonly { gitdir: string }[],
  file: string,
  caseInsensitive = false
): Record<string, string> {
  const raw = (env.GIT_CONFIG_COUNT ?? '').trim()
  if (raw !== '' && !/^\d+$/.test(raw)) {
    throw new Error(
      `GIT_CONFIG_COUNT is '${raw}', which git refuses ("bogus count"); fix or unset it in the workflow.`
    )
  }
  const count = raw === '' ? 0 : Number(raw)
  const out: Record<string, string> = {}
  for (let i = 0; i < count; i++) {
    const key = env[`GIT_CONFIG_KEY_${i}`]
    if (key === undefined) {
      throw new Error(
        `GIT_CONFIG_COUNT is ${count} but GIT_CONFIG_KEY_${i} is not set; git refuses that ("missing config key"). Fix the workflow's GIT_CONFIG_* variables.`
      )
    }
    out[`GIT_CONFIG_KEY_${i}`] = key
    out[`GIT_CONFIG_VALUE_${i}`] = env[`GIT_CONFIG_VALUE_${i}`] ?? ''
  }
  const kind = caseInsensitive ? 'gitdir/i' : 'gitdir'
  const unique = [...new Set(includes.map((i) => gitdirPattern(i.gitdir)))]
  unique.forEach((pattern, n) => {
    out[`GIT_CONFIG_KEY_${count + n}`] = `includeIf.${kind}:${pattern}.path`
    out[`GIT_CONFIG_VALUE_${count + n}`] = file
  })
  out.GIT_CONFIG_COUNT = String(count + unique.length)
  return out
}
