/**
 * Test helper: real SSH keys made by ssh-keygen (and openssl for PEM variants) in a temp dir, so the tests
 * parse what users paste, not hand-written imitations. ed25519 keys take a few milliseconds.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface TestKey {
  /** The private key file's content. */
  private: string
  /** `ssh-ed25519 AAAA... comment`. */
  public: string
  file: string
}

let counter = 0
let keyDir: string | undefined

function dir(): string {
  keyDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'auth-ssh-keys-'))
  return keyDir
}

export function makeKey(
  opts: { type?: 'ed25519' | 'rsa' | 'ecdsa'; passphrase?: string; comment?: string } = {}
): TestKey {
  const file = path.join(dir(), `k${++counter}`)
  const args = [
    '-q',
    '-t',
    opts.type ?? 'ed25519',
    '-N',
    opts.passphrase ?? '',
    '-C',
    opts.comment ?? `test-${counter}`,
    '-f',
    file
  ]
  if (opts.type === 'rsa') args.push('-b', '2048')
  execFileSync('ssh-keygen', args, { stdio: 'ignore' })
  return {
    private: fs.readFileSync(file, 'utf8'),
    public: fs.readFileSync(`${file}.pub`, 'utf8').trim(),
    file
  }
}

/** A PEM key made by openssl: `pkcs8`, `pkcs8-encrypted`, `rsa-traditional-encrypted`, `ec`. */
export function makePemKey(kind: 'pkcs8' | 'pkcs8-encrypted' | 'rsa-traditional-encrypted' | 'ec'): string {
  const file = path.join(dir(), `p${++counter}.pem`)
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  if (kind === 'pkcs8') ssl(['genpkey', '-algorithm', 'ed25519', '-out', file])
  if (kind === 'ec') ssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file])
  if (kind === 'pkcs8-encrypted')
    ssl(['genpkey', '-algorithm', 'ed25519', '-aes256', '-pass', 'pass:secret', '-out', file])
  if (kind === 'rsa-traditional-encrypted')
    ssl(['genrsa', '-traditional', '-aes128', '-passout', 'pass:secret', '-out', file, '2048'])
  return fs.readFileSync(file, 'utf8')
}

/** Host key of a test server as a known_hosts line for `[127.0.0.1]:port` (or another name). */
export function knownHostsLine(name: string, publicKey: string): string {
  const [type, blob] = publicKey.trim().split(/\s+/)
  return `${name} ${type} ${blob}`
}

export function cleanupKeys(): void {
  if (keyDir) fs.rmSync(keyDir, { recursive: true, force: true })
  keyDir = undefined
}

/**
 * What of a key must never be printed or left on disk, read from the PEM here rather than with the
 * action's own `secretLines`, so a change that drops lines there fails the tests: every line between the
 * armour lines (the encrypted formats' headers included) of 8 characters or more. Shorter lines (a
 * base64 tail like `AAAA==`) are what the action does not mask on purpose: masking them would garble
 * every log line that happens to hold them.
 */
export function keyBodyLines(pem: string): string[] {
  const out: string[] = []
  let inside = false
  for (const raw of pem.split(/\r?\n/)) {
    const line = raw.trim()
    if (/^-----BEGIN [A-Z0-9 ]+-----$/.test(line)) inside = true
    else if (/^-----END [A-Z0-9 ]+-----$/.test(line)) inside = false
    else if (inside && line.length >= 8) out.push(line)
  }
  if (out.length === 0) throw new Error('keyBodyLines: no armoured body in the key given')
  return out
}
