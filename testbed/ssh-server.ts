/**
 * An OpenSSH git server for the bench: Debian's real sshd (/usr/sbin/sshd) on a loopback port, with its
 * own host key and sshd_config in a temp dir, serving bare repositories to deploy keys the way GitHub
 * does: each key reads only its own repositories ("ERROR: Repository not found." otherwise), and a key the
 * server does not know gets "Permission denied (publickey)".
 *
 * How: one authorized_keys file for the login user (AuthorizedKeysFile <dir>/authorized_keys/%u), a
 * `command="<dir>/serve ... <key name> <repo>..."` restriction per key (plus no-pty, no forwarding). The
 * forced command gets what the client asked in SSH_ORIGINAL_COMMAND (`git-upload-pack 'acme/x.git'`),
 * accepts only git-upload-pack for the key's repositories and logs every decision (`accessLog()`).
 *
 * The login user: as root (CI, this container), a system user `git` is created once if missing (shell
 * /bin/sh so the forced command can run, password field `*`: not locked, no password), as on a real git
 * server; sshd needs root to switch to it. As another user, sshd runs unprivileged and the login user is
 * that user (connect as `ssh://<you>@127.0.0.1:<port>`).
 *
 * Usage:
 *   writeGitRepo(module, path.join(root, 'acme/x.git'))
 *   const ssh = await startSshServer({ root, keys: [{ name: 'x', publicKey: keyX.public, repos: ['acme/x'] }] })
 *   // ssh-known-hosts: ssh.knownHostsLine ; clone: ssh://git@127.0.0.1:<ssh.port>/acme/x
 *   await ssh.close()
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const SSHD = '/usr/sbin/sshd'

export interface SshKeyAccess {
  /** A name for the log, e.g. the repository it is the deploy key of. */
  name: string
  /** `ssh-ed25519 AAAA... comment`. */
  publicKey: string
  /** Repository paths (as clients ask for them, without .git), e.g. `acme/x`. */
  repos: string[]
}

export interface SshServerOptions {
  /** Directory holding `<repo>.git` bare repositories (e.g. `<root>/acme/x.git`). */
  root: string
  keys: SshKeyAccess[]
  /** Login user (default: `git` when running as root, else the current user). */
  user?: string
}

export interface SshAccessRecord {
  key: string
  repo: string
  allowed: boolean
}

export interface SshServer {
  host: '127.0.0.1'
  port: number
  user: string
  /** The server's host public key, `ssh-ed25519 AAAA...`. */
  hostPublicKey: string
  /** `[127.0.0.1]:<port> ssh-ed25519 AAAA...`, for ssh-known-hosts. */
  knownHostsLine: string
  /** Every git command a key ran: which key, which repository, allowed or refused. */
  accessLog(): SshAccessRecord[]
  /** sshd's own log (LogLevel VERBOSE): accepted and refused keys, with fingerprints. */
  sshdLog(): string
  /** Stop sshd (its per-connection processes end with their connections). */
  close(): Promise<void>
}

/** The login user, created once when running as root (the only system change the bench makes). */
export function ensureLoginUser(): string {
  if (process.getuid?.() !== 0) return os.userInfo().username
  let entry = ''
  try {
    entry = execFileSync('getent', ['passwd', 'git'], { encoding: 'utf8' }).trim()
  } catch {
    execFileSync('useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/',
      '--shell',
      '/bin/sh',
      '-p',
      '*',
      'git'
    ])
    entry = execFileSync('getent', ['passwd', 'git'], { encoding: 'utf8' }).trim()
  }
  const shell = entry.split(':')[6] ?? ''
  if (!/\/(ba|da)?sh$/.test(shell)) {
    throw new Error(
      `bench/ssh-server: user 'git' exists with shell '${shell}'; sshd runs forced commands through the login shell, so this bench needs /bin/sh (pass another 'user').`
    )
  }
  return 'git'
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

const SERVE = `#!/bin/sh
# Forced command of one key: serve git-upload-pack for the key's repositories only, log the decision.
# argv: <root> <log> <key name> <repo>...
root=$1; log=$2; key=$3; shift 3
cmd=$SSH_ORIGINAL_COMMAND
case "$cmd" in
  "git-upload-pack '"*"'") repo=\${cmd#"git-upload-pack '"}; repo=\${repo%"'"} ;;
  *) echo "$key - denied" >> "$log"; echo "ERROR: only git-upload-pack is allowed here." >&2; exit 1 ;;
esac
repo=\${repo#/}; repo=\${repo%/}; repo=\${repo%.git}
for allowed in "$@"; do
  if [ "$allowed" = "$repo" ]; then
    echo "$key $repo allowed" >> "$log"
    exec git -c safe.directory='*' upload-pack --strict "$root/$repo.git"
  fi
done
echo "$key $repo denied" >> "$log"
echo "ERROR: Repository not found." >&2
exit 1
`

const live = new Set<ChildProcess>()
let exitHook = false

export async function startSshServer(opts: SshServerOptions): Promise<SshServer> {
  const user = opts.user ?? ensureLoginUser()
  const root = path.resolve(opts.root)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sshd-'))
  // The login user reads authorized_keys, runs serve and reads the repositories: all must be reachable.
  fs.chmodSync(dir, 0o755)
  for (let d = root; d !== path.dirname(d); d = path.dirname(d)) {
    const st = fs.statSync(d)
    if ((st.mode & 0o005) !== 0o005) fs.chmodSync(d, st.mode | 0o005)
  }
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'bench-sshd',
    '-f',
    path.join(dir, 'host_ed25519')
  ])
  const hostPublicKey = fs
    .readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8')
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .join(' ')
  const serve = path.join(dir, 'serve')
  fs.writeFileSync(serve, SERVE, { mode: 0o755 })
  const log = path.join(dir, 'access.log')
  fs.writeFileSync(log, '')
  fs.chmodSync(log, 0o666)
  const q = (s: string): string => {
    if (/['"\s\\]/.test(s)) throw new Error(`bench/ssh-server: unsupported character in '${s}'`)
    return `'${s}'`
  }
  fs.mkdirSync(path.join(dir, 'authorized_keys'), { mode: 0o755 })
  fs.writeFileSync(
    path.join(dir, 'authorized_keys', user),
    opts.keys
      .map(
        (k) =>
          `command="${[serve, root, log, k.name, ...k.repos].map(q).join(' ')}",no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding ${k.publicKey.trim()}\n`
      )
      .join(''),
    { mode: 0o644 }
  )
  if (process.getuid?.() === 0 && !fs.existsSync('/run/sshd')) fs.mkdirSync('/run/sshd', { mode: 0o755 }) // privilege separation dir

  let lastError = ''
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const config = path.join(dir, 'sshd_config')
    fs.writeFileSync(
      config,
      [
        `ListenAddress 127.0.0.1:${port}`,
        `HostKey ${path.join(dir, 'host_ed25519')}`,
        'PidFile none',
        'UsePAM no',
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}/%u`,
        'StrictModes no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin no',
        `AllowUsers ${user}`,
        'AcceptEnv GIT_PROTOCOL',
        'X11Forwarding no',
        'AllowTcpForwarding no',
        'AllowAgentForwarding no',
        'PermitTTY no',
        'PrintMotd no',
        'LogLevel VERBOSE',
        'MaxStartups 64',
        ''
      ].join('\n')
    )
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (c: string) => (stderr += c))
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000)
      const check = (): void => {
        if (stderr.includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearTimeout(timer)
          resolve(true)
        }
      }
      child.stderr?.on('data', check)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve(false)
      })
    })
    if (!ready) {
      lastError = stderr
      child.kill('SIGKILL')
      continue
    }
    live.add(child)
    if (!exitHook) {
      exitHook = true
      process.once('exit', () => {
        for (const c of live) c.kill('SIGKILL')
      })
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    return {
      host: '127.0.0.1',
      port,
      user,
      hostPublicKey,
      knownHostsLine: `[127.0.0.1]:${port} ${hostPublicKey}`,
      accessLog: () =>
        fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => {
            const [key = '', repo = '', verdict = ''] = l.split(' ')
            return { key, repo, allowed: verdict === 'allowed' }
          }),
      sshdLog: () => stderr,
      close: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM')
          await exited
        }
        live.delete(child)
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true })
  throw new Error(`bench/ssh-server: sshd did not start:\n${lastError}`)
}
