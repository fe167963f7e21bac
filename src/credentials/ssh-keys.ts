/**
 * Pure: the `ssh-private-key` input. Parses keys (PEM/OpenSSH armour) and their `# host/org/repo
 * [ssh://user@host:port]` labels, tells an encrypted key without prompting (the OpenSSH header), and lists
 * every line to mask. Errors name the line and the key number, never the key.
 */
import { createHash } from 'node:crypto'
import { InputError } from '../input-error.js'
import { hasGlobMeta } from './scope.js'

export const KEY_INPUT = 'ssh-private-key'

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
  /** '' (whole host), `org/` (prefix) or `org/repo` (one repository), a scope (scope.ts). */
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
  if (elements.some((e) => hasGlobMeta(e) || e === '.' || e === '..')) {
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

/** `SHA256:<base64 without padding>` of a public key line (`type base64 [comment]`), as ssh-keygen -l prints. */
export function fingerprint(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1] ?? ''
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`
}
