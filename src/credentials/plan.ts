/**
 * Pure: inputs -> what the credential step writes. Each credential kind makes its claims (token.ts,
 * lines.ts, ssh-keys.ts labels and the unlabelled key), precedence.ts decides who serves each scope, and
 * the kinds render what their grants need: git config entries (http.ts, ssh.ts), go's own requests
 * (goauth.ts on Go >= 1.24, else netrc.ts), every form of every secret to mask. No effects, no logging: configure.ts does
 * those, in the order this plan makes safe (mask first).
 */
import type { AuthConfig } from '../config.js'
import { InputError } from '../input-error.js'
import { parseList } from '../list.js'
import type { GitConfigEntry } from './gitconfig.js'
import type { Claim, Grant } from './grant.js'
import { grantEntries, inheritedHeaderNotes, secretForms, type ExistingHeader } from './http.js'
import { lineClaims } from './lines.js'
import { goAuthHeaders, goAuthSupported, type UserGoAuth } from './goauth.js'
import { goRequestGrants, netrcEntries, type NetrcEntry } from './netrc.js'
import { precedence } from './precedence.js'
import { patternScope, scopeName, serverHost } from './scope.js'
import { defaultEndpoint, labelledRoutes, planSsh, type SshPlan, type SshRoute } from './ssh.js'
import { KEY_INPUT, parseSshKeys, secretLines, type SshKey } from './ssh-keys.js'
import { emptyTokenError, tokenClaims, widenedNote, TOKEN_SOURCE } from './token.js'

export interface PlanInput {
  auth: Pick<AuthConfig, 'privateModules' | 'token' | 'credentials' | 'sshPrivateKey'> &
    Partial<Pick<AuthConfig, 'sshKnownHosts'>>
  /** The runner's /etc/ssh/ssh_known_hosts (ssh reads it too; only checked, never copied). */
  systemKnownHosts?: string
  /** GITHUB_SERVER_URL; default https://github.com. */
  serverUrl?: string
  /** The current environment: its GOPRIVATE (the runner's and private-modules, as src/environment/ exported it). */
  env: Readonly<Record<string, string | undefined>>
  existingHeaders?: readonly ExistingHeader[]
  /** The installed Go and its GOAUTH (Go >= 1.24 scopes go's own requests with GOAUTH, goauth.ts). */
  goRequests?: { goVersion: string; goAuth: UserGoAuth }
}

export interface EnvironmentPlan {
  /** GOPRIVATE patterns in effect (the workflow's and the input's). */
  privatePatterns: string[]
  /** The https grants (token, credentials lines). */
  grants: Grant[]
  /** Entries for the private git config file, in order (holds secrets). */
  gitConfig: GitConfigEntry[]
  /** Entries for the private .netrc (holds secrets); empty: no NETRC needed. */
  netrc: NetrcEntry[]
  /** go's own requests through GOAUTH instead of netrc (Go >= 1.24). */
  goAuth?: GoAuthPlan
  /** Every secret and every derived form that could be printed; mask all before anything else. */
  secrets: string[]
  /** Where credentials go, e.g. `github.com/acme/` (for the summary). */
  credentialScopes: string[]
  /** Human notes for the summary. */
  notes: string[]
  /** Deploy keys: aliases, routes, known_hosts (ssh.ts); the git entries need the file paths (configure.ts). */
  ssh?: SshPlan
}

export interface GoAuthPlan {
  /** What the GOAUTH command prints (holds secrets). */
  headers: string
  user: UserGoAuth
  /** The grants it serves (for a netrc fallback and messages). */
  grants: Grant[]
}

export function planEnvironment(input: PlanInput): EnvironmentPlan {
  const { auth } = input
  // parseInputs validated and normalised the patterns; the Go variables themselves are src/environment/'s.
  const patterns = auth.privateModules
  const host = serverHost(input.serverUrl)
  const keys = parseSshKeys(auth.sshPrivateKey)
  const { grants, routes, notes } = decideGrants(auth, patterns, host, keys)
  notes.push(...inheritedHeaderNotes(grants, input.existingHeaders ?? []))
  const goAuth = planGoAuth(grants, input.goRequests)
  const netrc = goAuth ? [] : netrcEntries(grants, notes)
  const go = { privatePatterns: [...new Set([...parseList(input.env.GOPRIVATE), ...patterns])] }
  for (const g of grants) {
    if (g.source !== TOKEN_SOURCE && !go.privatePatterns.some((p) => patternScope(p, g.host))) {
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
    privatePatterns: go.privatePatterns
  })
  if (ssh) notes.push(...ssh.notes)
  const secrets = [...grants.flatMap(secretForms), ...secretLines(auth.sshPrivateKey)]
  return {
    privatePatterns: go.privatePatterns,
    grants,
    gitConfig: grants.flatMap(grantEntries),
    netrc,
    ...(goAuth ? { goAuth } : {}),
    secrets: [...new Set(secrets)].filter((s) => s !== ''),
    credentialScopes: [...grants.map(scopeName), ...(ssh?.scopes ?? [])],
    notes,
    ...(ssh ? { ssh } : {})
  }
}

/**
 * The grant decision alone, for parseInputs: every error it can raise (an empty token for a scope
 * nothing else serves, several unlabelled keys, a credentials line with a wildcard) before any work.
 */
export function checkGrants(auth: PlanInput['auth'], serverUrl: string | undefined): void {
  decideGrants(auth, auth.privateModules, serverHost(serverUrl), parseSshKeys(auth.sshPrivateKey))
}

function planGoAuth(grants: readonly Grant[], go: PlanInput['goRequests']): GoAuthPlan | undefined {
  const served = goRequestGrants(grants)
  if (!go || !goAuthSupported(go.goVersion) || served.length === 0) return undefined
  return { headers: goAuthHeaders(served), user: go.goAuth, grants: served }
}

/** Every kind's claims, in rank order, through precedence.ts; then the checks on what was kept. */
function decideGrants(
  auth: PlanInput['auth'],
  patterns: readonly string[],
  host: string,
  keys: readonly SshKey[]
): { grants: Grant[]; routes: SshRoute[]; notes: string[] } {
  const labelled = labelledRoutes(keys)
  const lines = lineClaims(auth.credentials)
  const unlabelled = keys.filter((k) => k.labels.length === 0)
  if (unlabelled.length > 1) {
    throw new InputError(
      KEY_INPUT,
      `Input '${KEY_INPUT}' has ${unlabelled.length} keys without a label (keys ${unlabelled.map((k) => k.number).join(', ')}). GitHub accepts a deploy key for one repository and takes the first key it knows, so every repository needs to know its own key: put a line '# ${host}/<org>/<repo>' before each key.`
    )
  }
  const tokens = tokenClaims(patterns, host, auth.token)
  const key = unlabelled[0]
  const claims: Claim[] = [
    ...labelled.map((route): Claim => ({ kind: 'ssh-label', route })),
    ...lines,
    ...(key ? tokens.map((t) => unlabelledClaim(t, key.number, host)) : []),
    ...tokens
  ]
  const { kept, overridden } = precedence(claims)
  const notes: string[] = []
  for (const { claim, by } of overridden) {
    if (claim.kind === 'credentials' && 'route' in by) {
      notes.push(
        `${claim.grant.source} and ${by.route.source} of '${KEY_INPUT}' are both for ${scopeName(claim.grant)}: the labelled key is used.`
      )
    }
  }
  const won = (c: Claim): boolean => !overridden.some((o) => o.claim === c)
  for (const c of claims) {
    if (c.kind !== 'token' || !won(c)) continue
    // An empty token is fine when an ssh key is given (its labels may cover what go fetches).
    if (c.grant.token === '' && auth.sshPrivateKey.trim() === '')
      throw emptyTokenError(c.pattern ?? '', c.grant)
    if (c.grant.token !== '' && c.widened) notes.push(widenedNote(c.pattern ?? '', c.grant))
  }
  const grants = kept.flatMap((c) => ('grant' in c && c.grant.token !== '' ? [c.grant] : []))
  const routes = kept.flatMap((c) => ('route' in c ? [c.route] : []))
  return { grants, routes, notes }
}

/** The unlabelled key takes every private-modules scope on the GitHub host that nothing else has. */
function unlabelledClaim(token: Claim, key: number, host: string): Claim {
  const { path } = 'grant' in token ? token.grant : token.route
  return {
    kind: 'ssh-unlabelled',
    route: {
      host,
      path,
      key,
      endpoint: defaultEndpoint(host),
      source: `key ${key} (unlabelled, for private-modules '${token.pattern ?? ''}')`
    },
    pattern: token.pattern
  }
}
