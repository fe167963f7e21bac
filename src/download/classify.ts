/**
 * Pure: what go printed -> a Diagnosis (class, retry or not, one-sentence cause, a hint naming the input).
 *
 * The decision rests on a table of rules tried in order; the first rule whose pattern matches wins. Order
 * matters because go wraps one failure in another: `invalid version: git ls-remote ...: exit status 128:
 * fatal: could not read Username` is an auth failure, not a not-found one, and a proxy's `404 Not Found`
 * whose `server response:` quotes an upstream `i/o timeout` is a not-found (the proxy caches that answer),
 * not a network error. So: permanent and specific rules first, then HTTP statuses, then transient
 * patterns, then the generic not-found words, then the fallback (exit status 128 -> git, retryable;
 * anything else unknown, not retryable: a retry that cannot help wastes minutes).
 *
 * The inputs are go's own outputs: the `Error` field of each `go mod download -json` object when there is
 * one, else stderr (go prints no JSON for graph-load errors and for a checksum mismatch, which is a
 * base.Fatalf in go 1.19: golang/go#35380, #69510).
 */
import type { Diagnosis, ErrorClass } from '../types.js'

/** One object of `go mod download -json` (cmd/go/internal/modcmd/download.go, moduleJSON). */
export interface ModuleJson {
  Path: string
  Version?: string
  Query?: string
  Error?: string
  Info?: string
  GoMod?: string
  Zip?: string
  Dir?: string
  Sum?: string
  GoModSum?: string
}

export interface Failure {
  exitCode: number
  stderr: string
  json: ModuleJson[]
}

interface Rule {
  /** Short id, for tests and the summary's detail. */
  id: string
  errorClass: ErrorClass
  retryable: boolean
  /** Every pattern must match (AND); the first one's match is the evidence line. */
  patterns: RegExp[]
  cause: (m: RegExpMatchArray, text: string) => string
  /** `mod` is the `path@version` the failure is about, when known. */
  hint: (m: RegExpMatchArray, text: string, mod: string | undefined) => string
}

const HINT = {
  goproxyList:
    "If you set 'goproxy' with several proxies, note the separator: with ',' go falls back to the next entry only on 404/410; with '|' it falls back on any error. Set 'fallback-proxies' to let this action switch proxies when one keeps failing.",
  privateModules:
    "This looks like a private module: set 'private-modules' to its pattern (e.g. 'github.com/acme/*') so go fetches it directly with the 'token' (or 'credentials' for other hosts, 'ssh-private-key' for ssh), and never through the public proxy or checksum database.",
  token:
    "Set 'private-modules' to the module's pattern (e.g. 'github.com/acme/*') and a 'token' that can read the repository (a fine-grained token with Contents: read on it, or a classic token with the repo scope; the default github.token can read only this repository). For GitLab, Bitbucket or GHES hosts use 'credentials' ('host/prefix username:token').",
  ssh: "The git server refused the ssh key: set 'ssh-private-key' to a deploy key that has read access to this repository (label it with a '# host/org/repo' line when you pass several).",
  knownHosts:
    "ssh could not verify the git server's host key: add the server's key to 'ssh-known-hosts' (GitHub's keys are built in; GHES, GitLab and self-hosted servers need theirs: run 'ssh-keyscan <host>' and check the fingerprint).",
  checksum:
    "Do not bypass this (no GONOSUMCHECK, GOFLAGS=-insecure or GOSUMDB=off): the module's content changed since go.sum was written (a re-tagged version, or a tampered download). Check the module's release history; if the new content is legitimate, update go.sum with 'go get <module>@<version>' on a trusted machine and review the diff.",
  notFound:
    'Check that the version exists: the tag may be missing, deleted, or not pushed yet (proxies cache a miss for up to 30 minutes). Run go mod tidy locally and commit go.mod and go.sum.',
  cacheCorrupt:
    'The module cache held a damaged file. The action purged it and downloaded again; a cache with a damaged file is not saved.',
  network:
    "The connection failed or dropped mid-transfer: a flaky upstream or network, or, if it never connects, the runner's egress firewall, proxy settings or DNS. Transient errors are retried; raise 'retries' or 'retry-timeout' for a flaky network, or set 'fallback-proxies'.",
  git: "The git server dropped the connection; this is retried. Raise 'retries' or 'retry-backoff' if it keeps happening.",
  proxy:
    "The module proxy answered with a server error; this is retried and, after two failing attempts, 'fallback-proxies' are tried in order.",
  rateLimited:
    "The module proxy is rate-limiting this runner (429 Too Many Requests); the action waits longer before retrying. Lower 'parallel' or use your own proxy via 'goproxy'.",
  sumdbPrivate:
    "The public checksum database (sum.golang.org) cannot see private modules and answers 410 Gone: set 'private-modules' (it sets GOPRIVATE, hence GONOSUMDB) or 'gonosumdb' to the module's pattern.",
  goVersion:
    "A module needs a newer Go than the one installed: raise 'go-version' (or the go/toolchain line that 'go-version-file' reads).",
  gosumdb:
    "Set 'gosumdb' to a valid value: 'sum.golang.org', '<name>+<key> [<url>]', or 'off' only for private modules via 'gonosumdb'.",
  govcs:
    "GOVCS forbids this version control system for this module: adjust GOVCS in the workflow env (e.g. 'GOVCS=github.com:git,private:git').",
  proxyOff:
    "GOPROXY=off forbids downloads: remove GOPROXY=off (or 'goproxy: off') from the environment before this step; the action exports it itself after a successful download when 'offline-after-download' is true.",
  goMod: 'Fix the file named in the message; run go mod tidy locally and commit go.mod and go.sum.',
  timeout:
    "No module finished for 'attempt-timeout' (a stalled server: go sets no deadline of its own), or 'retry-timeout' ran out. The unfinished modules are retried; raise 'attempt-timeout' for very large modules on a slow link."
}

const STATUS_4XX_NOT_FOUND = /reading (\S+): (404 Not Found|410 Gone)/

/**
 * Rules, in priority order. Every pattern comes from real go output; the unit tests hold the texts and
 * cite where each was seen.
 */
const RULES: Rule[] = [
  {
    id: 'checksum-mismatch',
    errorClass: 'checksum',
    retryable: false,
    patterns: [/checksum mismatch/],
    cause: (_m, text) => {
      const security = /SECURITY ERROR\n([^\n]*\n?[^\n]*)/.exec(text)
      const detail = security
        ? ` SECURITY ERROR: ${(security[1] ?? '').replace(/\s+/g, ' ').trim()}`
        : ' SECURITY ERROR.'
      return `checksum mismatch against go.sum or the checksum database.${detail}`
    },
    hint: () => HINT.checksum
  },
  {
    // A private module sent to the public checksum database: sum.golang.org answers 410 Gone (it cannot
    // fetch the module). golang/go#35164, #34528.
    id: 'sumdb-private',
    errorClass: 'config',
    retryable: false,
    patterns: [/reading (\S+\/lookup\/\S+): 410 Gone/],
    cause: (m) => `the checksum database cannot verify this module (${m[1]}: 410 Gone): it is not public.`,
    hint: () => HINT.sumdbPrivate
  },
  {
    // A private module sent to a public proxy: the proxy answers 404/410 and quotes the git failure it got.
    id: 'proxy-private',
    errorClass: 'config',
    retryable: false,
    patterns: [
      STATUS_4XX_NOT_FOUND,
      /server response:[\s\S]*(could not read Username|terminal prompts disabled|Repository not found|Authentication failed)/
    ],
    cause: (m) => `the module proxy could not fetch this module (${m[2]}): it is private.`,
    hint: () => HINT.privateModules
  },
  {
    id: 'zip-invalid',
    errorClass: 'cache-corrupt',
    retryable: true,
    patterns: [
      /zip: not a valid zip file|unexpected ziphash|zip: checksum error|\.ziphash: .*(no such file|invalid)/
    ],
    cause: () => 'a module zip in the module cache is damaged.',
    hint: () => HINT.cacheCorrupt
  },
  {
    id: 'gosumdb-invalid',
    errorClass: 'config',
    retryable: false,
    patterns: [/invalid GOSUMDB: [^\n]*/],
    cause: (m) => `${m[0]}.`,
    hint: () => HINT.gosumdb
  },
  {
    id: 'goproxy-invalid',
    errorClass: 'config',
    retryable: false,
    patterns: [
      /GOPROXY list is not the empty string[^\n]*|invalid proxy URL[^\n]*|GOPROXY=[^\n]*: invalid[^\n]*/
    ],
    cause: (m) => `GOPROXY is invalid: ${m[0]}.`,
    hint: () =>
      "Fix 'goproxy': a comma or pipe separated list of https URLs, 'direct' or 'off', e.g. 'https://proxy.golang.org,direct'."
  },
  {
    id: 'goproxy-off',
    errorClass: 'config',
    retryable: false,
    patterns: [/module lookup disabled by GOPROXY=off/],
    cause: () => 'a module is missing from the cache and GOPROXY=off forbids downloading it.',
    hint: () => HINT.proxyOff
  },
  {
    id: 'govcs',
    errorClass: 'config',
    retryable: false,
    patterns: [/GOVCS disallows using \S+ for \S+ \S+/],
    cause: (m) => `${m[0]}.`,
    hint: () => HINT.govcs
  },
  {
    id: 'go-too-old',
    errorClass: 'config',
    retryable: false,
    // go 1.21+: `go: go.mod requires go >= 1.99 (running go 1.26.8; GOTOOLCHAIN=local)`: keep the whole line.
    patterns: [/(?:\S*go\.(?:mod|work) )?requires go >= ?[\d.]+[^\n]*|note: module requires Go [\d.]+/],
    cause: (m) => `the installed Go is too old: ${m[0].trim()}.`,
    hint: (m) => {
      // Under GOTOOLCHAIN=local (the action's own pin, or the workflow's) go will not switch to a newer
      // toolchain itself (golang/go#57001): the Go to install is the fix, so name the version it needs.
      const needs = /requires go >= ?([\d.]+\d)/i.exec(m[0])?.[1]
      return needs && /GOTOOLCHAIN=local/.test(m[0])
        ? `Go ${needs} or newer is needed, and GOTOOLCHAIN=local keeps go from switching to it: set 'go-version' to ${needs} or newer, or 'go-version-file: go.mod' to install what go.mod asks for.`
        : HINT.goVersion
    }
  },
  {
    // go names the line of a go.mod/go.work/go.sum it cannot parse on the line after its header:
    // `go: errors parsing go.mod:` / `go.mod:4: unknown directive: foo` (relative to the directory go ran
    // in), `malformed go.sum:` / `/abs/go.sum:5: wrong number of fields 2`. The header alone says nothing.
    id: 'gofile-syntax',
    errorClass: 'config',
    retryable: false,
    patterns: [/^\s*(?:\S*[\\/])?go\.(?:mod|work|sum):\d+(?::\d+)?: [^\n]*/m],
    cause: (m) => `${m[0].trim()}.`,
    hint: () => HINT.goMod
  },
  {
    id: 'malformed-path',
    errorClass: 'config',
    retryable: false,
    patterns: [/malformed module path "[^"]*"[^\n]*/],
    cause: (m) => `${m[0]}.`,
    hint: () => HINT.goMod
  },
  {
    id: 'gomod-parse',
    errorClass: 'config',
    retryable: false,
    patterns: [
      /(?:go\.(?:mod|work|sum)):\d+:[^\n]*|errors parsing go\.(?:mod|work)[^\n]*|malformed go\.sum[^\n]*|inconsistent vendoring[^\n]*|missing go\.sum entry[^\n]*|updates to go\.(?:mod|sum) needed[^\n]*|go: cannot find main module[^\n]*|go\.mod file not found[^\n]*|parsing \$GOFLAGS[^\n]*/
    ],
    cause: (m) => `${m[0].trim()}.`,
    hint: () => HINT.goMod
  },
  {
    id: 'ssh-host-key',
    errorClass: 'auth',
    retryable: false,
    patterns: [/Host key verification failed/],
    cause: () => 'ssh could not verify the git server (Host key verification failed).',
    hint: () => HINT.knownHosts
  },
  {
    id: 'ssh-publickey',
    errorClass: 'auth',
    retryable: false,
    patterns: [/Permission denied \(publickey[^)]*\)/],
    cause: () => 'the git server refused the ssh key (Permission denied (publickey)).',
    hint: () => HINT.ssh
  },
  {
    id: 'git-auth',
    errorClass: 'auth',
    retryable: false,
    patterns: [
      /could not read (?:Username|Password)[^\n]*|terminal prompts disabled|Repository not found|repository '[^']*' not found|Authentication failed for[^\n]*|The requested URL returned error: 40[13]|returned error: 40[13]|HTTP Basic: Access denied|Invalid username or (?:password|token)/
    ],
    cause: (m) => `authentication failed (git: ${m[0].trim()}).`,
    hint: (_m, text, mod) => `${HINT.token} ${deployKeyHint(repositoryOf(text, mod))}`
  },
  {
    // With http.<scope>.followRedirects=false (credentials/http.ts), git stops at a redirect instead of carrying
    // the credentials to wherever it points: a renamed or moved repository.
    id: 'git-redirect',
    errorClass: 'not-found',
    retryable: false,
    patterns: [/The requested URL returned error: (30[1278])/],
    cause: (m) =>
      `the git server redirected the request (HTTP ${m[1]}: the repository was renamed or moved), and git does not follow redirects for a scope with credentials.`,
    hint: () =>
      "Point go at the repository's new location: a 'replace' directive in go.mod (old path => new path at a version), or the new module path in the imports. Following the redirect would hand the credentials to wherever it points, so the action does not."
  },
  {
    // go refuses to send a login in GOPROXY (or GOAUTH's) over plain http.
    id: 'insecure-credentials',
    errorClass: 'config',
    retryable: false,
    patterns: [/refusing to pass credentials to insecure URL: \S+/],
    cause: () =>
      'go refuses to send the proxy login over plain http (refusing to pass credentials to insecure URL).',
    hint: () =>
      "Use an https:// URL for a proxy that needs a login (in GOPROXY or 'goproxy'), or drop the login from the URL."
  },
  {
    id: 'tls-untrusted',
    errorClass: 'config',
    retryable: false,
    patterns: [
      /server certificate verification failed[^\n]*|SSL certificate problem[^\n]*|x509: certificate signed by unknown authority|x509: certificate (?:has expired|is not valid)[^\n]*|tls: failed to verify certificate[^\n]*/
    ],
    cause: (m) => `the runner does not trust the server's TLS certificate (${m[0].trim()}).`,
    hint: () =>
      "Behind a TLS-intercepting proxy, give git and go its CA before this step (GIT_SSL_CAINFO or 'git config --global http.sslCAInfo' for git, SSL_CERT_FILE for go); otherwise fix the server's certificate chain. Not retried: the same certificate fails every time."
  },
  {
    id: 'proxy-auth',
    errorClass: 'auth',
    retryable: false,
    patterns: [/reading (\S+): (401 Unauthorized|403 Forbidden)/],
    cause: (m) => `the module proxy refused the request (${m[2]}).`,
    hint: () =>
      "The proxy needs credentials: give them in 'credentials' from a secret (a line '<proxy host> <user>:<token>', e.g. 'proxy.corp.example.com ci:${{ secrets.PROXY_TOKEN }}'), or set 'private-modules' if this module should not go through a proxy at all."
  },
  {
    id: 'proxy-not-found',
    errorClass: 'not-found',
    retryable: false,
    patterns: [STATUS_4XX_NOT_FOUND],
    cause: (m) => `the module proxy has no such version (${m[2]}).`,
    hint: () => HINT.notFound
  },
  {
    id: 'proxy-rate-limited',
    errorClass: 'proxy',
    retryable: true,
    patterns: [/429 Too Many Requests/],
    cause: () => 'the module proxy is rate-limiting (429 Too Many Requests).',
    hint: () => HINT.rateLimited
  },
  {
    id: 'proxy-5xx',
    errorClass: 'proxy',
    retryable: true,
    patterns: [/(?:reading \S+|unexpected status \(\S+\)): (5\d\d[^\n]*)/],
    cause: (m) => `the module proxy failed (${(m[1] ?? '').trim()}).`,
    hint: () => `${HINT.proxy} ${HINT.goproxyList}`
  },
  {
    // HTTP/2 stream resets from Google front ends: golang/go#51323 and #36759.
    id: 'http2-stream',
    errorClass: 'proxy',
    retryable: true,
    patterns: [/stream error: stream ID \d+; [A-Z_]+[^\n]*/],
    cause: (m) => `the connection to the proxy was reset (${m[0].trim()}).`,
    hint: () => `${HINT.proxy} ${HINT.goproxyList}`
  },
  {
    // Go's resolver says "no such host" only for NXDOMAIN: the name does not exist. Retrying cannot fix a
    // misspelt proxy URL or a private host that does not resolve from this runner, so that fails fast.
    // A public service's name (proxy.golang.org, github.com, ...) never legitimately vanishes, so
    // NXDOMAIN for one of those is the runner's resolver misbehaving: retried.
    id: 'dns-no-such-host-public',
    errorClass: 'network',
    retryable: true,
    patterns: [
      /lookup ((?:[\w-]+\.)*(?:golang\.org|github\.com|gitlab\.com|bitbucket\.org|googlesource\.com|gopkg\.in|google\.golang\.org|go\.dev|githubusercontent\.com))(?: on (?:\[[^\]]+\]|[^:\s]+):\d+)?: no such host/
    ],
    cause: (m) => `DNS lookup of ${m[1]} failed (no such host) on the runner.`,
    hint: () => HINT.network
  },
  {
    id: 'dns-no-such-host',
    errorClass: 'network',
    retryable: false,
    patterns: [/lookup (\S+?)(?: on (?:\[[^\]]+\]|[^:\s]+):\d+)?: no such host/],
    cause: (m) => `the host ${m[1]} does not exist in DNS (no such host).`,
    hint: (m) =>
      `Check the spelling of ${m[1]} in 'goproxy', 'fallback-proxies' or the module path. If it is a private host reachable only inside your network, the runner cannot reach it: use a self-hosted runner or a proxy it can reach.`
  },
  {
    id: 'network',
    errorClass: 'network',
    retryable: true,
    patterns: [
      /dial tcp[^\n]*: (?:i\/o timeout|connect: connection refused|connect: network is unreachable|connect: no route to host|connect: connection timed out)|connection reset by peer|TLS handshake timeout|unexpected EOF|read: connection timed out|broken pipe|server misbehaving|Temporary failure in name resolution|i\/o timeout|Client\.Timeout exceeded|context deadline exceeded|http2: (?:server sent GOAWAY|client connection lost)[^\n]*|: EOF$|net\/http: [^\n]*(?:timeout|closed)[^\n]*/m
    ],
    cause: (m) => `the network failed (${m[0].trim()}).`,
    hint: () => HINT.network
  },
  {
    id: 'git-transient',
    errorClass: 'git',
    retryable: true,
    patterns: [
      /early EOF|the remote end hung up unexpectedly|RPC failed[^\n]*|returned error: (?:5\d\d|429)|ssh: connect to host [^\n]*|kex_exchange_identification[^\n]*|gnutls_handshake\(\) failed[^\n]*|GnuTLS recv error[^\n]*|Could not resolve host[^\n]*|Failed to connect to[^\n]*|index-pack failed|transfer closed with outstanding read data remaining|SSL_ERROR_SYSCALL|OpenSSL SSL_read[^\n]*|Connection timed out|Operation timed out[^\n]*|Recv failure[^\n]*|Connection reset by peer|expected flush after ref listing|protocol error: bad pack header|unable to access '[^']*': (?:Empty reply from server|HTTP\/2 stream \d+ was not closed cleanly)[^\n]*/i
    ],
    cause: (m) => `git failed while fetching (${m[0].trim()}).`,
    hint: () => HINT.git
  },
  {
    // A module path ending in .git is fetched by git directly (no ?go-get=1 page); when every protocol go
    // tries fails, go prints only this line and hides git's own error (401, 404, DNS, a dropped connection
    // alike), so it is retried like a git failure and the hint says how to see git's answer.
    id: 'git-no-protocol',
    errorClass: 'git',
    retryable: true,
    patterns: [/(\S+?)(?:@\S+)?: no secure protocol found for repository/],
    cause: (m) =>
      `go could not fetch the repository ${m[1]} over https or ssh (go shows only "no secure protocol found for repository" and hides git's own error).`,
    hint: (m) =>
      `To see git's answer, run \`git ls-remote https://${m[1]}\` in a step before this one. A private repository needs credentials for its host: 'private-modules' with 'token', a 'credentials' line, or an 'ssh-private-key'.`
  },
  {
    id: 'not-found',
    errorClass: 'not-found',
    retryable: false,
    patterns: [
      /unknown revision [^\n]*|invalid version: (?![^\n]*exit status 128)[^\n]*|no matching versions for query[^\n]*|invalid pseudo-version[^\n]*|cannot find module providing package[^\n]*|version "[^"]*" invalid[^\n]*|module \S+ found \([^)]*\), but does not contain package[^\n]*|no required module provides package[^\n]*/
    ],
    cause: (m) => `the version does not exist (${m[0].trim()}).`,
    hint: () => HINT.notFound
  }
]

/** `path@version` named by go's text, e.g. `go: example.com/m@v1.0.0: ...` or `verifying example.com/m@v1.0.0/go.mod: ...`. */
export function moduleOf(text: string): string | undefined {
  const m =
    /(?:^|[\s"'])([A-Za-z0-9][-A-Za-z0-9_.~+]*(?:\/[-A-Za-z0-9_.~+!]+)*@v\d[-A-Za-z0-9_.+]*?)(?:\/go\.mod)?:/m.exec(
      text
    )
  return m?.[1]
}

/** Hosts whose repositories are exactly `host/org/repo`: a module path below that is a subdirectory. */
const THREE_ELEMENT_HOSTS = new Set(['github.com', 'bitbucket.org'])

/**
 * The repository (`host/org/repo`, as an ssh label names it) a git failure is about: git's own URL when it
 * printed one (`repository 'https://github.com/acme/x/' not found`, `Authentication failed for '...'`),
 * which also covers a custom import path whose go-import meta points elsewhere; else derived from the
 * module path (a module in a subdirectory or with a /vN suffix lives in the repository above it).
 */
export function repositoryOf(text: string, mod?: string): string | undefined {
  const url =
    /(?:repository|Authentication failed for|unable to access) '(?:https?|ssh):\/\/(?:[^@/']*@)?([^/':]+)(?::\d+)?\/([^']+?)(?:\.git)?\/?'/.exec(
      text
    )
  if (url) return `${url[1]}/${url[2]}`
  if (!mod) return undefined
  const elems = (mod.split('@')[0] ?? '').split('/')
  const host = elems[0] ?? ''
  if (THREE_ELEMENT_HOSTS.has(host)) return elems.length >= 3 ? elems.slice(0, 3).join('/') : undefined
  if (elems.length > 1 && /^v\d+$/.test(elems[elems.length - 1] ?? '')) elems.pop()
  return elems.length >= 2 ? elems.join('/') : undefined
}

/** The deploy-key route: ssh.ts picks a key per repository by its `# host/org/repo` label line. */
function deployKeyHint(repo: string | undefined): string {
  return `If you use deploy keys, add this repository's key to 'ssh-private-key' with a line '# ${repo ?? '<host>/<org>/<repo>'}' before it.`
}

function evidenceLine(text: string, match: RegExpMatchArray): string {
  const at = match.index ?? 0
  const start = text.lastIndexOf('\n', at) + 1
  const end = text.indexOf('\n', at)
  return text.slice(start, end === -1 ? undefined : end).trim()
}

/**
 * Classify one error text (a JSON `Error`, or stderr). When no rule matches, the fallback decides:
 * git's `exit status 128` is retryable, anything else is `unknown` and not retried.
 */
export function classifyText(text: string, module?: string): Diagnosis {
  const mod = module ?? moduleOf(text)
  for (const rule of RULES) {
    const matches = rule.patterns.map((p) => p.exec(text))
    if (matches.some((m) => m === null)) continue
    const first = matches[0] as RegExpMatchArray
    const d: Diagnosis = {
      errorClass: rule.errorClass,
      retryable: rule.retryable,
      cause: `${mod ? `${mod}: ` : ''}${rule.cause(first, text)}`,
      hint: rule.hint(first, text, mod),
      evidence: evidenceLine(text, first)
    }
    if (mod) d.module = mod
    return d
  }
  const git128 = /exit status 128/.exec(text)
  const lastLine =
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop()
      ?.trim() ?? ''
  // git's own words: its fatal line, else the first line it printed after go's "exit status 128:".
  const gitSaid = /^\s*(fatal: [^\n]*\S)/m.exec(text) ?? /exit status 128:\n\s*([^\n]*\S)/.exec(text)
  const d: Diagnosis = git128
    ? {
        errorClass: 'git',
        retryable: true,
        cause: `${mod ? `${mod}: ` : ''}git failed (exit status 128${gitSaid ? `: ${gitSaid[1]}` : ''}) without a known permanent reason.`,
        hint: HINT.git,
        evidence: evidenceLine(text, gitSaid ?? git128)
      }
    : {
        errorClass: 'unknown',
        retryable: false,
        cause: `${mod ? `${mod}: ` : ''}go mod download failed: ${lastLine || 'no output'}`,
        hint: 'This failure is not one the action knows to be transient, so it was not retried. The log group of the attempt has go’s full output.',
        evidence: lastLine
      }
  if (mod) d.module = mod
  return d
}

/** Per-module diagnoses for every JSON object with an `Error`. */
export function classifyModules(json: readonly ModuleJson[]): Diagnosis[] {
  return json
    .filter((j) => j.Error)
    .map((j) => classifyText(j.Error as string, j.Version ? `${j.Path}@${j.Version}` : j.Path))
}

/** Severity for picking the one diagnosis that explains a failed attempt: permanent before transient. */
const SEVERITY: Record<ErrorClass, number> = {
  checksum: 10,
  config: 9,
  auth: 8,
  'not-found': 7,
  unknown: 6,
  'cache-corrupt': 5,
  proxy: 4,
  network: 3,
  git: 2,
  timeout: 1
}

/** The diagnosis that decides an attempt: any permanent one beats every transient one, then a 429. */
export function worst(diagnoses: readonly Diagnosis[]): Diagnosis | undefined {
  let best: Diagnosis | undefined
  for (const d of diagnoses) {
    // Among transient ones a 429 decides: its longer wait must not be skipped because of a 502 beside it.
    const rank = (x: Diagnosis): number =>
      (x.retryable ? (isRateLimited(x) ? 50 : 0) : 100) + SEVERITY[x.errorClass]
    if (!best || rank(d) > rank(best)) best = d
  }
  return best
}

/**
 * The whole failure of one go process: per-module JSON errors when go printed them, else stderr. A
 * failure without JSON errors and with exit code 0 is not a failure (returns undefined).
 */
export function classify(failure: Failure): Diagnosis | undefined {
  const perModule = classifyModules(failure.json)
  if (perModule.length > 0) return worst(perModule)
  if (failure.exitCode === 0) return undefined
  return classifyText(failure.stderr)
}

/** True when the proxy or the git server asked us to slow down (429): those retries wait longer (policy.ts rateLimitExtraWait). */
export function isRateLimited(d: Diagnosis): boolean {
  // The status phrases only: a pseudo-version's timestamp or hash (v0.0.0-20210429...) holds "429" too.
  return (
    (d.errorClass === 'proxy' || d.errorClass === 'git') &&
    /429 Too Many Requests|returned error: 429\b|\bstatus(?: code)? 429\b/i.test(`${d.evidence} ${d.cause}`)
  )
}

/** `Retry-After` seconds when go (or a proxy's quoted response) printed one; go itself usually does not. */
export function retryAfterMs(text: string): number | undefined {
  const m = /Retry-After:?\s*(\d+)/i.exec(text)
  return m ? Number(m[1]) * 1000 : undefined
}

/**
 * A checksum mismatch for a module whose files were already in the module cache before this run
 * downloaded anything cannot tell a damaged cache (a restored archive from elsewhere) from a re-tagged
 * module: go compares the cached .ziphash with go.sum and prints the same SECURITY ERROR. Purging the
 * cached files and downloading once more resolves it safely: the fresh download is verified against
 * go.sum again, and if it still mismatches, that is the real `checksum` failure.
 */
export function asCacheCorrupt(d: Diagnosis): Diagnosis {
  return {
    ...d,
    errorClass: 'cache-corrupt',
    retryable: true,
    cause: `${d.module ? `${d.module}: ` : ''}the cached copy does not match go.sum (the restored module cache may be damaged); purged and downloaded again.`,
    hint: HINT.cacheCorrupt
  }
}

/** The watchdog's diagnosis for modules that did not finish before the attempt was stopped. */
export function timeoutDiagnosis(reason: 'stalled' | 'budget', ms: number, module?: string): Diagnosis {
  const d: Diagnosis = {
    errorClass: 'timeout',
    retryable: reason === 'stalled',
    cause:
      reason === 'stalled'
        ? `${module ? `${module}: ` : ''}no module finished for ${Math.round(ms / 1000)}s; go was stopped (a stalled server).`
        : `${module ? `${module}: ` : ''}the total time budget of ${Math.round(ms / 1000)}s ran out.`,
    hint:
      reason === 'stalled'
        ? HINT.timeout
        : "Raise 'retry-timeout', or look at the attempts in the summary for the server that is slow.",
    evidence: ''
  }
  if (module) d.module = module
  return d
}
