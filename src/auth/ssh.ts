/**
 * Pure: SSH deploy keys for private modules (issue 9). Parses `ssh-private-key` (keys and their
 * `# host/org/repo` labels) and `ssh-known-hosts`, plans one ssh alias per key and endpoint, and renders
 * the private ssh_config, known_hosts and the git config entries that route each repository to its key.
 * No effects: apply.ts writes the files (0600, in the private RUNNER_TEMP directory) and runs ssh-keygen.
 *
 * How a repository reaches its key (GitHub accepts a deploy key for one repository only, and authenticates
 * the first key it knows, so offering every key to every repository fails with "Repository not found"):
 *   ssh_config:   Host setup-go-deps-1 / HostName github.com / IdentityFile <dir>/key-1 / IdentitiesOnly yes
 *                 / UserKnownHostsFile <dir>/known_hosts / StrictHostKeyChecking yes ...
 *   git config:   url."setup-go-deps-1:acme/x".insteadOf = https://github.com/acme/x (and the git@ and
 *                 ssh:// forms), in the include-scoped file of plan.ts, so only go's module fetches see it
 *   core.sshCommand = ssh -F <dir>/ssh_config -o IdentitiesOnly=yes -o ControlMaster=no -o BatchMode=yes
 * git uses the longest matching insteadOf prefix, so a repository label beats an organisation's token
 * rule. insteadOf matches plain string prefixes: a label `github.com/acme/x` also catches
 * `github.com/acme/x-tools` (label that one too when it needs another key or the token).
 *
 * Host keys are always checked (StrictHostKeyChecking yes, never no or accept-new): GitHub's published
 * keys are built in, other hosts come from `ssh-known-hosts` (or the runner's /etc/ssh/ssh_known_hosts).
 * A key encrypted with a passphrase is refused here, with a message that never shows key material.
 */
import { createHash, createHmac } from 'node:crypto'
import { InputError } from '../inputs.js'
import type { GitConfigEntry } from './plan.js'

export const KEY_INPUT = 'ssh-private-key'
export const KNOWN_HOSTS_INPUT = 'ssh-known-hosts'

/**
 * GitHub's published SSH host keys (docs.github.com "GitHub's SSH key fingerprints", the RSA key as
 * rotated on 2023-03-24). ssh.github.com:443 (ssh over the HTTPS port) serves the same keys.
 */
export const GITHUB_HOST_KEYS: readonly string[] = [
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=',
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk='
]

export const BUILTIN_KNOWN_HOSTS = `${GITHUB_HOST_KEYS.map((k) => `github.com ${k}`).join('\n')}\n${GITHUB_HOST_KEYS.map((k) => `[ssh.github.com]:443 ${k}`).join('\n')}\n`

// ---------------------------------------------------------------------------------------------------------
// Keys and labels

/** Where an ssh connection goes: `ssh://user@hostName:port/path`. */
export interface SshEndpoint {
  user: string
  hostName: string
  port: number
  /** The repository path on that server when it differs from the module's ('' = the same). */
  path: string
}

/** `# github.com/acme/x [ssh://git@ssh.github.com:443]` before a key. */
export interface SshLabel {
  /** Host as in https URLs (lowercase, with :port when not default). */
  host: string
  /** '' (whole host), `org/` (prefix) or `org/repo` (one repository), as plan.ts scopes. */
  path: string
  /** Where to connect; undefined: `git@<host>:22`. */
  endpoint?: SshEndpoint
  /** 1-based line of the input. */
  line: number
}

export interface SshKey {
  /** 1-based position in the input (messages say "key 2"). */
  number: number
  /** 1-based line of its BEGIN line. */
  line: number
  labels: SshLabel[]
  /** The key file content: normalised line ends, ending with a newline (OpenSSH refuses a key without). */
  pem: string
  /** The BEGIN line's type: OPENSSH PRIVATE KEY, RSA PRIVATE KEY, ... */
  kind: string
  /** The public key type when the format tells it (OpenSSH format), e.g. ssh-ed25519. */
  keyType?: string
}

const PRIVATE_KINDS = new Set(['OPENSSH PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY'])
const PUBLIC_KEY_LINE = /^(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-[a-z0-9-]+@openssh\.com)\s+AAAA/

const NOT_SHOWN = '(The key is not shown.)'
const HOW_TO =
  'Paste the private key file as it is, e.g. the output of \'ssh-keygen -t ed25519 -N "" -f deploy_key\' (deploy_key, not deploy_key.pub), and add deploy_key.pub to the repository as a deploy key.'

function keyError(message: string): InputError {
  return new InputError(KEY_INPUT, `Input '${KEY_INPUT}' ${message} ${NOT_SHOWN}`)
}

/**
 * Every line of the input that could be key material, for core.setSecret, without parsing it (so even an
 * input that fails to parse is masked before any message is printed). Labels, comments and BEGIN/END
 * lines are not secret; lines shorter than 8 characters would mask unrelated log text and carry nothing.
 */
export function secretLines(value: string): string[] {
  const out = new Set<string>()
  for (const raw of value.split(/\r?\n|\r/)) {
    const line = raw.trim()
    if (line.length < 8 || line.startsWith('#') || /^-----(BEGIN|END) /.test(line)) continue
    out.add(line)
  }
  return [...out]
}

/**
 * Parse `ssh-private-key`: keys in PEM/OpenSSH armour, each preceded by zero or more label lines
 * (`# host/org/repo [ssh://user@host:port]`). Other `#` lines (free text) are comments. Errors name the
 * line and key number, never the content.
 */
export function parseSshKeys(value: string): SshKey[] {
  if (value.trim() === '') return []
  if (!/\n/.test(value.trim()) && /-----BEGIN [A-Z ]+-----.*\\n/.test(value)) {
    throw keyError(
      "holds a key whose line breaks are the two characters '\\n', not real newlines. Store the key file's content in the secret unchanged (e.g. 'gh secret set NAME < deploy_key')."
    )
  }
  const lines = value.split(/\r?\n|\r/)
  const keys: SshKey[] = []
  let labels: SshLabel[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim()
    const lineNo = i + 1
    if (line === '') continue
    if (line.startsWith('#')) {
      const label = parseLabelLine(line.slice(1).trim(), lineNo)
      if (label) labels.push(label)
      continue
    }
    const begin = /^-----BEGIN ([A-Z0-9 ]+)-----$/.exec(line)
    if (!begin) {
      if (PUBLIC_KEY_LINE.test(line)) {
        throw keyError(
          `line ${lineNo} holds a public key (${line.split(/\s/)[0]}), not a private key. ${HOW_TO}`
        )
      }
      if (/^PuTTY-User-Key-File/.test(line)) {
        throw keyError(
          `line ${lineNo} starts a PuTTY key (.ppk), which OpenSSH cannot read. Convert it with 'puttygen key.ppk -O private-openssh -o deploy_key' and paste deploy_key.`
        )
      }
      throw keyError(
        `line ${lineNo} is neither part of a key (-----BEGIN ... PRIVATE KEY----- to -----END ...-----) nor a label like '# github.com/acme/repo'. ${HOW_TO}`
      )
    }
    const kind = begin[1] as string
    const number = keys.length + 1
    const end = lines.findIndex((l, j) => j > i && l.trim() === `-----END ${kind}-----`)
    if (end < 0) {
      throw keyError(
        `key ${number} (line ${lineNo}) has no '-----END ${kind}-----' line: the secret looks truncated. ${HOW_TO}`
      )
    }
    const body = lines.slice(i + 1, end).map((l) => l.trim())
    i = end
    keys.push(checkKey({ number, line: lineNo, kind, body, labels }))
    labels = []
  }
  if (labels.length > 0) {
    const last = labels[labels.length - 1] as SshLabel
    throw keyError(
      `has a label on line ${last.line} with no key after it; put each '# host/org/repo' line directly before the key it labels.`
    )
  }
  if (keys.length === 0) {
    throw keyError(`holds no key (no '-----BEGIN ... PRIVATE KEY-----' line). ${HOW_TO}`)
  }
  return keys
}

function checkKey(k: {
  number: number
  line: number
  kind: string
  body: string[]
  labels: SshLabel[]
}): SshKey {
  const where = `key ${k.number} (line ${k.line})`
  const passphrase = `is encrypted with a passphrase, which this action cannot type. Use a deploy key without a passphrase (a deploy key reads one repository; the secret store protects it): remove it with 'ssh-keygen -p -N "" -f deploy_key' or create one with 'ssh-keygen -t ed25519 -N "" -f deploy_key'.`
  if (k.kind === 'ENCRYPTED PRIVATE KEY') throw keyError(`${where} ${passphrase}`)
  if (!PRIVATE_KINDS.has(k.kind)) {
    const what = /PUBLIC KEY|CERTIFICATE/.test(k.kind) ? 'not a private key' : 'not a supported private key'
    throw keyError(
      `${where} is a '${k.kind}', ${what}. Supported: OpenSSH (-----BEGIN OPENSSH PRIVATE KEY-----), RSA, EC and PKCS#8 PEM keys. ${HOW_TO}`
    )
  }
  if (k.body.some((l) => /^Proc-Type:.*ENCRYPTED/i.test(l))) throw keyError(`${where} ${passphrase}`)
  const base64 = k.body.filter((l) => !/^[A-Za-z-]+:/.test(l)).join('')
  if (base64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw keyError(
      `${where} is damaged: its body is not base64 (a line was changed or cut while copying). ${HOW_TO}`
    )
  }
  let keyType: string | undefined
  if (k.kind === 'OPENSSH PRIVATE KEY') {
    const info = readOpensshKey(Buffer.from(base64, 'base64'))
    if (!info) throw keyError(`${where} is damaged: it is not in the OpenSSH key format. ${HOW_TO}`)
    if (info.cipher !== 'none') throw keyError(`${where} ${passphrase}`)
    keyType = info.keyType
  }
  const pem = `-----BEGIN ${k.kind}-----\n${k.body.join('\n')}\n-----END ${k.kind}-----\n`
  return {
    number: k.number,
    line: k.line,
    labels: k.labels,
    pem,
    kind: k.kind,
    ...(keyType ? { keyType } : {})
  }
}

/**
 * The unencrypted header of the OpenSSH key format (openssh PROTOCOL.key): magic, cipher name, kdf name,
 * kdf options, number of keys, the first public key. Enough to tell an encrypted key without a passphrase
 * prompt and to name the key type.
 */
export function readOpensshKey(buf: Buffer): { cipher: string; keyType: string } | undefined {
  const magic = Buffer.from('openssh-key-v1\0', 'latin1')
  if (buf.length < magic.length || !buf.subarray(0, magic.length).equals(magic)) return undefined
  let off = magic.length
  const str = (): Buffer | undefined => {
    if (off + 4 > buf.length) return undefined
    const len = buf.readUInt32BE(off)
    if (off + 4 + len > buf.length) return undefined
    const out = buf.subarray(off + 4, off + 4 + len)
    off += 4 + len
    return out
  }
  const cipher = str()
  if (!cipher || !str() || !str() || off + 4 > buf.length) return undefined
  off += 4 // number of keys
  const pub = str()
  if (!pub || pub.length < 4) return undefined
  const typeLen = pub.readUInt32BE(0)
  if (4 + typeLen > pub.length) return undefined
  return { cipher: cipher.toString('latin1'), keyType: pub.subarray(4, 4 + typeLen).toString('latin1') }
}

const GLOB = /[*?[\\]/

/**
 * A label line's text (after `#`), or undefined when it is a free comment. A label is one token with a `/`
 * (github.com/acme/x, https://github.com/acme/x.git, git@github.com:acme/x.git, github.com/acme/*),
 * optionally followed by the ssh endpoint to use (ssh://git@ssh.github.com:443, for GitHub's ssh over port
 * 443, a GHES ssh port, or a mirror).
 */
export function parseLabelLine(text: string, line: number): SshLabel | undefined {
  const tokens = text.split(/\s+/).filter((t) => t !== '')
  const [first, second] = tokens
  if (first === undefined || tokens.length > 2 || !/[/:]/.test(first)) return undefined
  if (tokens.length === 2 && !/^ssh:\/\/|@/.test(second as string)) return undefined
  const where = `Input '${KEY_INPUT}' line ${line} ('# ${text}')`
  const fix =
    "Write a label as '# host/org/repo' (one repository), '# host/org' (an organisation), optionally followed by the ssh address, e.g. '# github.com/acme/x ssh://git@ssh.github.com:443'."
  const m =
    /^(?:https?:\/\/|ssh:\/\/(?:[^@/]+@)?)?([A-Za-z0-9.-]+(?::\d+)?)(?:\/(.*))?$/.exec(first) ??
    /^[^@/:]+@([A-Za-z0-9.-]+):(.*)$/.exec(first)
  if (!m) throw new InputError(KEY_INPUT, `${where} is not a label. ${fix}`)
  let host = (m[1] as string).toLowerCase()
  if (first.startsWith('ssh://')) host = host.replace(/:\d+$/, '') // an ssh port is not the module host's
  if (!/\./.test(host)) {
    throw new InputError(KEY_INPUT, `${where} does not start with a host name (e.g. github.com). ${fix}`)
  }
  const elements = (m[2] ?? '')
    .replace(/\.git$/, '')
    .split('/')
    .filter((e) => e !== '')
  if (elements[elements.length - 1] === '*') elements.pop()
  if (elements.some((e) => GLOB.test(e) || e === '.' || e === '..')) {
    throw new InputError(
      KEY_INPUT,
      `${where} has a wildcard or a relative element inside the path; git routes by URL prefix, so a label names a host, an organisation or one repository. ${fix}`
    )
  }
  const path = elements.length === 0 ? '' : elements.length === 1 ? `${elements[0]}/` : elements.join('/')
  const label: SshLabel = { host, path, line }
  if (second !== undefined) label.endpoint = parseEndpoint(second, where, fix)
  return label
}

/** `ssh://[user@]host[:port][/path]` or `[user@]host:path` (scp form). */
export function parseEndpoint(text: string, where: string, fix: string): SshEndpoint {
  let m = /^ssh:\/\/(?:([^@/:]+)@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d+))?(\/.*)?$/.exec(text)
  if (!m) {
    const scp = /^(?:([^@/:]+)@)?([A-Za-z0-9.-]+):(.*)$/.exec(text)
    if (scp) m = [scp[0], scp[1], scp[2], undefined, `/${scp[3]}`] as unknown as RegExpExecArray
  }
  if (!m) throw new InputError(KEY_INPUT, `${where}: '${text}' is not an ssh address. ${fix}`)
  const port = m[3] === undefined ? 22 : Number(m[3])
  if (!(port > 0 && port < 65536)) {
    throw new InputError(KEY_INPUT, `${where}: port ${m[3]} is not a TCP port. ${fix}`)
  }
  const path = (m[4] ?? '')
    .replace(/^\/+/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '')
  return {
    user: m[1] ?? 'git',
    hostName: (m[2] as string).replace(/^\[|\]$/g, '').toLowerCase(),
    port,
    path
  }
}

// ---------------------------------------------------------------------------------------------------------
// known_hosts

export interface KnownHost {
  marker: '' | '@cert-authority' | '@revoked'
  /** The comma-separated host patterns (or `|1|salt|hash` hashed names). */
  patterns: string[]
  keyType: string
  key: string
}

/** Parse known_hosts text; with `input` set, a malformed line is an error naming that input and the line. */
export function parseKnownHosts(text: string, input?: string): KnownHost[] {
  const out: KnownHost[] = []
  text.split(/\r?\n|\r/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = line.split(/\s+/)
    const marker = fields[0] === '@cert-authority' || fields[0] === '@revoked' ? fields.shift() : ''
    const [hosts, keyType, key] = fields
    const blobType = key && /^[A-Za-z0-9+/]+={0,2}$/.test(key) ? blobKeyType(key) : undefined
    if (hosts === undefined || keyType === undefined || key === undefined || blobType !== keyType) {
      if (input === undefined) return
      throw new InputError(
        input,
        `Input '${input}' line ${index + 1} is not a known_hosts line ('${line.slice(0, 80)}'); expected 'host[,host...] key-type base64-key', e.g. '[git.corp.example.com]:2222 ssh-ed25519 AAAAC3Nza...' as 'ssh-keyscan -p 2222 git.corp.example.com' prints it (compare its fingerprint with the one your server's administrator publishes).`
      )
    }
    out.push({ marker: marker as KnownHost['marker'], patterns: hosts.split(','), keyType, key })
  })
  return out
}

/** The key type inside an ssh public key blob (its first string), or undefined when it is not one. */
function blobKeyType(b64: string): string | undefined {
  const blob = Buffer.from(b64, 'base64')
  if (blob.length < 4) return undefined
  const len = blob.readUInt32BE(0)
  if (len === 0 || len > 64 || 4 + len > blob.length) return undefined
  return blob.subarray(4, 4 + len).toString('latin1')
}

/** How ssh names a host in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(hostName: string, port: number): string {
  return port === 22 ? hostName : `[${hostName}]:${port}`
}

/**
 * Does any line give a key for this host, as ssh's hostfile.c matches it: patterns with `*`/`?`, `!`
 * negation (a matching negated pattern rejects the line), hashed names (`|1|base64 salt|base64
 * HMAC-SHA1(salt, name)`). @revoked lines give no key; @cert-authority lines do.
 */
export function knownHostsCover(entries: readonly KnownHost[], hostName: string, port: number): boolean {
  const name = knownHostName(hostName.toLowerCase(), port)
  return entries.some((e) => {
    if (e.marker === '@revoked') return false
    let matched = false
    for (const p of e.patterns) {
      const negated = p.startsWith('!')
      const pattern = negated ? p.slice(1) : p
      if (!patternMatches(pattern, name)) continue
      if (negated) return false
      matched = true
    }
    return matched
  })
}

function patternMatches(pattern: string, name: string): boolean {
  const hashed = /^\|1\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(pattern)
  if (hashed) {
    const mac = createHmac('sha1', Buffer.from(hashed[1] as string, 'base64')).update(name)
    return mac.digest('base64') === hashed[2]
  }
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\/-]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${re}$`).test(name)
}

/** `SHA256:<base64 without padding>` of a public key line (`type base64 [comment]`), as ssh-keygen -l prints. */
export function fingerprint(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1] ?? ''
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`
}

// ---------------------------------------------------------------------------------------------------------
// Routes, aliases and files

/** One scope (host + path, as plan.ts grants) fetched over ssh with one key. */
export interface SshRoute {
  host: string
  path: string
  key: number
  endpoint: SshEndpoint
  /** For messages: `key 2 (label on line 7)` or `key 1 (unlabelled: private-modules 'github.com/acme/*')`. */
  source: string
}

export interface SshAlias {
  /** The ssh_config Host name git is pointed at, e.g. setup-go-deps-1. */
  name: string
  key: number
  endpoint: Omit<SshEndpoint, 'path'>
  /** The scopes it serves, for comments. */
  scopes: string[]
}

export interface SshPlan {
  keys: SshKey[]
  routes: SshRoute[]
  aliases: SshAlias[]
  /** The private known_hosts file: GitHub's keys, then the `ssh-known-hosts` lines. */
  knownHosts: string
  /** `github.com/acme/x (ssh, key 1)` for the summary. */
  scopes: string[]
  notes: string[]
}

/** Default endpoint of a scope's host: git@host:22 (an https port in the host is not the ssh port). */
export function defaultEndpoint(host: string): SshEndpoint {
  return { user: 'git', hostName: host.replace(/:\d+$/, ''), port: 22, path: '' }
}

const endpointId = (e: Omit<SshEndpoint, 'path'>): string => `${e.user}@${e.hostName}:${e.port}`

/** Routes from the labels; two keys labelled for the same scope is an error (which one would git use?). */
export function labelledRoutes(keys: readonly SshKey[]): SshRoute[] {
  const routes: SshRoute[] = []
  for (const key of keys) {
    for (const label of key.labels) {
      const other = routes.find((r) => r.host === label.host && r.path === label.path)
      if (other && other.key !== key.number) {
        throw new InputError(
          KEY_INPUT,
          `Input '${KEY_INPUT}' labels key ${other.key} and key ${key.number} both for ${label.host}/${label.path} (line ${label.line}); git can offer only one key per repository. Keep the deploy key of that repository and remove or relabel the other.`
        )
      }
      if (other) continue
      routes.push({
        host: label.host,
        path: label.path,
        key: key.number,
        endpoint: label.endpoint ?? defaultEndpoint(label.host),
        source: `key ${key.number} (label on line ${label.line})`
      })
    }
  }
  return routes
}

export interface SshPlanInput {
  keys: SshKey[]
  routes: SshRoute[]
  /** `ssh-known-hosts`. */
  knownHosts: string
  /** /etc/ssh/ssh_known_hosts of the runner (ssh reads it too), for the coverage check only. */
  systemKnownHosts?: string
  /** The current environment: GIT_SSH_COMMAND would override our core.sshCommand. */
  env: Readonly<Record<string, string | undefined>>
  /** GOPRIVATE patterns in effect, for the note about labels go would send to the proxy. */
  privatePatterns: readonly string[]
  /** Does a GOPRIVATE pattern match host/path? (plan.ts owns the glob rules). */
  isPrivate: (host: string, path: string) => boolean
}

export function planSsh(input: SshPlanInput): SshPlan | undefined {
  if (input.keys.length === 0) return undefined
  const notes: string[] = []
  const workflowCommand = (input.env.GIT_SSH_COMMAND ?? '').trim()
  if (workflowCommand !== '') {
    throw new InputError(
      KEY_INPUT,
      `Input '${KEY_INPUT}' is set, but the workflow sets GIT_SSH_COMMAND ('${workflowCommand.slice(0, 100)}'), which git puts before this action's ssh settings (core.sshCommand), so go's fetches would never use these keys. Remove GIT_SSH_COMMAND from the workflow's env (this action checks host keys and picks the key per repository itself).`
    )
  }
  const userKnown = parseKnownHosts(input.knownHosts, KNOWN_HOSTS_INPUT)
  const known = [
    ...parseKnownHosts(BUILTIN_KNOWN_HOSTS),
    ...userKnown,
    ...parseKnownHosts(input.systemKnownHosts ?? '')
  ]

  const aliases: SshAlias[] = []
  for (const r of input.routes) {
    const scope = `${r.host}/${r.path}`
    let alias = aliases.find((a) => a.key === r.key && endpointId(a.endpoint) === endpointId(r.endpoint))
    if (!alias) {
      const { user, hostName, port } = r.endpoint
      if (!knownHostsCover(known, hostName, port)) {
        const name = knownHostName(hostName, port)
        throw new InputError(
          KNOWN_HOSTS_INPUT,
          `Input '${KNOWN_HOSTS_INPUT}' has no host key for ${name}, where ${r.source} connects for ${scope}. ssh would refuse the connection (Host key verification failed), and this action never turns host-key checking off. Add the server's key: run 'ssh-keyscan ${port === 22 ? '' : `-p ${port} `}${hostName}', check the fingerprint against the one your server's administrator publishes, and put the line in '${KNOWN_HOSTS_INPUT}' (GitHub's keys for github.com and ssh.github.com:443 are built in).`
        )
      }
      alias = {
        name: `setup-go-deps-${aliases.length + 1}`,
        key: r.key,
        endpoint: { user, hostName, port },
        scopes: []
      }
      aliases.push(alias)
    }
    alias.scopes.push(scope)
    if (!input.isPrivate(r.host, r.path)) {
      notes.push(
        `${r.source} is for ${scope}, but no private-modules pattern names it: go asks the module proxy and checksum database for those modules instead of fetching them over ssh. Add it to 'private-modules'.`
      )
    }
  }
  for (const key of input.keys) {
    if (!input.routes.some((r) => r.key === key.number)) {
      notes.push(
        `Key ${key.number} (line ${key.line}) is not used: it has no label and no private-modules pattern on this GitHub host is left for it. Label it with '# host/org/repo'.`
      )
    }
    if (key.keyType === 'ssh-dss') {
      notes.push(`Key ${key.number} is a DSA key, which GitHub and OpenSSH >= 7.0 refuse; use ed25519.`)
    }
  }
  const knownHosts =
    `# Written by setup-go-deps; its post step deletes this file.\n${BUILTIN_KNOWN_HOSTS}` +
    userKnown
      .map((k) => `${k.marker ? `${k.marker} ` : ''}${k.patterns.join(',')} ${k.keyType} ${k.key}\n`)
      .join('')
  return {
    keys: input.keys,
    routes: input.routes,
    aliases,
    knownHosts,
    scopes: input.routes.map((r) => `${r.host}/${r.path} (ssh, key ${r.key})`),
    notes
  }
}

/** The files of the ssh setup inside the private directory. */
export interface SshFiles {
  config: string
  knownHosts: string
  key: (n: number) => string
}

export function sshFiles(dir: string, join: (...p: string[]) => string): SshFiles {
  return {
    config: join(dir, 'ssh_config'),
    knownHosts: join(dir, 'known_hosts'),
    key: (n) => join(dir, `key-${n}`)
  }
}

/** A path as ssh_config wants it: forward slashes, `%` doubled (ssh expands %-tokens in these), quoted. */
function configPath(p: string): string {
  if (/["\n]/.test(p)) throw new Error(`cannot use a path with a quote or newline in ssh_config: ${p}`)
  return `"${p.replace(/\\/g, '/').replace(/%/g, '%%')}"`
}

/**
 * The private ssh_config. ssh takes the first value it finds for each option, so our alias blocks come
 * first and set every option that decides security; the user's ~/.ssh/config is included last, for hosts
 * that are not ours (and options we leave open, e.g. a ProxyCommand a corporate network needs).
 * ControlMaster/ControlPath: a multiplexing master from the user's config would outlive the step (and keep
 * go's pipes open: golang/go#13453, #16104).
 */
export function serializeSshConfig(plan: SshPlan, files: SshFiles): string {
  const out = ['# Written by setup-go-deps for Go module fetches; its post step deletes this file.']
  for (const a of plan.aliases) {
    out.push(
      '',
      `# key ${a.key} for ${a.scopes.join(', ')}`,
      `Host ${a.name}`,
      `  HostName ${a.endpoint.hostName}`,
      `  Port ${a.endpoint.port}`,
      `  User ${a.endpoint.user}`,
      `  IdentityFile ${configPath(files.key(a.key))}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      '  PubkeyAuthentication yes',
      '  PasswordAuthentication no',
      '  KbdInteractiveAuthentication no',
      '  BatchMode yes',
      `  UserKnownHostsFile ${configPath(files.knownHosts)}`,
      '  StrictHostKeyChecking yes',
      '  UpdateHostKeys no',
      '  CheckHostIP no',
      '  ControlMaster no',
      '  ControlPath none',
      '  ForwardAgent no',
      '  ClearAllForwardings yes',
      '  PermitLocalCommand no',
      '  ConnectTimeout 30',
      '  ServerAliveInterval 15',
      '  ServerAliveCountMax 4'
    )
  }
  out.push('', '# Other hosts: as the user configured them.', 'Match all', '  Include ~/.ssh/config', '')
  return out.join('\n')
}

/** Quote for the POSIX shell git runs core.sshCommand with. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/**
 * core.sshCommand for go's fetches. ControlMaster=no and BatchMode=yes are what cmd/go itself puts in
 * GIT_SSH_COMMAND when neither GIT_SSH nor GIT_SSH_COMMAND is set (cmd/go/internal/modload/init.go,
 * golang/go#13453, #16104); apply.ts sets GIT_SSH so that go leaves GIT_SSH_COMMAND alone and this wins.
 */
export function sshCommand(configFile: string): string {
  return `ssh -F ${shellQuote(configFile.replace(/\\/g, '/'))} -o IdentitiesOnly=yes -o ControlMaster=no -o BatchMode=yes`
}

/**
 * The git config entries: core.sshCommand, then per route the https, git@ and ssh:// forms of its scope
 * onto `<alias>:<path>`. The https form is what go uses for github.com modules (https://github.com/acme/x);
 * the ssh forms come from go-import meta tags and user rules. A host with an https port gets only the
 * https form (`git@host:` cannot carry it).
 */
export function sshGitConfig(plan: SshPlan, files: SshFiles): GitConfigEntry[] {
  const entries: GitConfigEntry[] = [{ key: 'core.sshCommand', value: sshCommand(files.config) }]
  for (const r of plan.routes) {
    const alias = plan.aliases.find(
      (a) => a.key === r.key && endpointId(a.endpoint) === endpointId(r.endpoint)
    ) as SshAlias
    const prefix = r.path === '' || r.path.endsWith('/')
    const serverPath = r.endpoint.path === '' ? r.path : prefix ? `${r.endpoint.path}/` : r.endpoint.path
    const target = `${alias.name}:${serverPath}`
    entries.push({ key: `url.${target}.insteadOf`, value: `https://${r.host}/${r.path}` })
    if (!/:\d+$/.test(r.host)) {
      entries.push({ key: `url.${target}.insteadOf`, value: `git@${r.host}:${r.path}` })
      entries.push({ key: `url.${target}.insteadOf`, value: `ssh://git@${r.host}/${r.path}` })
    }
  }
  return entries
}
