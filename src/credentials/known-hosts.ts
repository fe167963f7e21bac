/**
 * Pure: known_hosts, as OpenSSH reads it (hostfile.c): GitHub's published keys built in, the
 * `ssh-known-hosts` input parsed and checked, and whether a host:port has a key (patterns with `*`/`?`,
 * `!` negation, hashed names, @revoked / @cert-authority markers). OpenSSH's host patterns are their own
 * grammar, not Go's path.Match (src/go/pattern.ts).
 */
import { createHmac } from 'node:crypto'
import { InputError } from '../input-error.js'

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
