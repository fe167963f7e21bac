/**
 * SSH deploy keys end to end with real sshd, ssh, git and go. testbed/ssh-server.ts serves github.com/acme/x
 * and github.com/acme/y on a loopback port, each repository only to its own deploy key (GitHub's rule);
 * labels route the modules there (`# github.com/acme/x ssh://git@127.0.0.1:<port>`: go still fetches
 * https://github.com/acme/x, the insteadOf rules move it to the key's ssh alias), and the server's host key
 * comes from `ssh-known-hosts`. https://github.com goes through testbed/mitm.ts to the bench git server,
 * which answers like GitHub for a token without access (404 Repository not found); every other host is
 * refused by the MITM, so nothing leaves loopback.
 *
 * The credential step runs from source as a runner step (auth-step.mjs), or the whole bundled action runs
 * (runAction on dist/, which `npm run bundle` builds) where the outcome a user sees is the download's:
 * error-class, attempts, the message.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startGitServer, type GitServer } from '../../testbed/git-server.ts'
import { startMitm, type Mitm } from '../../testbed/mitm.ts'
import {
  generateModules,
  writeConsumerProject,
  writeGitRepo,
  type ModuleSet
} from '../../testbed/module-gen.ts'
import { SYSTEM_PATH } from '../../testbed/isolated-go.ts'
import {
  newJob,
  newJobDirs,
  runAction,
  runLaterStep,
  type JobDirs,
  type JobEnv
} from '../../testbed/runner.ts'
import { startSshServer, type SshServer } from '../../testbed/ssh-server.ts'
import { classifyText } from '../../src/download/classify.js'
import { authMain, authPost, rawOutput, scanFiles } from '../helpers/auth-scan.ts'
import {
  cleanupKeys,
  keyBodyLines,
  knownHostsLine,
  makeKey,
  makePemKey,
  type TestKey
} from '../helpers/auth-ssh-keys.ts'

let root: string
let mods: ModuleSet
let sshd: SshServer
let git: GitServer
let mitm: Mitm
let keyX: TestKey
let keyY: TestKey
/** A key no repository knows (a deploy key that was never added to the repository). */
let keyUnknown: TestKey
const jobs: JobDirs[] = []

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-ssh-e2e-'))
  mods = generateModules({
    dir: path.join(root, 'mods'),
    names: ['github.com/acme/x', 'github.com/acme/y'],
    write: false
  })
  const repos = path.join(root, 'repos')
  for (const m of mods.modules) writeGitRepo(m, path.join(repos, `${m.path}.git`))
  ;[keyX, keyY, keyUnknown] = [makeKey({ comment: 'x' }), makeKey({ comment: 'y' }), makeKey()]
  sshd = await startSshServer({
    root: path.join(repos, 'github.com'),
    keys: [
      { name: 'x', publicKey: keyX.public, repos: ['acme/x'] },
      { name: 'y', publicKey: keyY.public, repos: ['acme/y'] }
    ]
  })
  git = await startGitServer({
    root: repos,
    // the job's github.token cannot read acme's private repositories: GitHub answers 404
    auth: [
      {
        prefix: 'github.com/acme/',
        users: { 'x-access-token': 'ghp_onlyTheOrgToken' },
        wrongCredentialsStatus: 404
      }
    ]
  })
  mitm = await startMitm({ routes: { 'github.com': git.url } })
}, 60_000)

afterAll(async () => {
  await Promise.all([sshd?.close(), git?.close(), mitm?.close()])
  for (const d of jobs) d.cleanup()
  fs.rmSync(root, { recursive: true, force: true })
  cleanupKeys()
})

const label = (repo: string): string => `# github.com/${repo} ssh://${sshd.user}@127.0.0.1:${sshd.port}`

function job(): { dirs: JobDirs; j: JobEnv; env: Record<string, string> } {
  const dirs = newJobDirs('auth-ssh-job-')
  jobs.push(dirs)
  const env = { ...mitm.env, GOPROXY: 'direct', GOSUMDB: 'off', GOFLAGS: '-modcacherw', GOTOOLCHAIN: 'local' }
  writeConsumerProject(dirs.workspace, { modulePath: 'example.com/app', requires: mods.latest() })
  return { dirs, j: newJob({ dirs, basePath: SYSTEM_PATH, env }), env }
}

/** Processes whose command line names a path (ssh started with our config, an agent, ...). */
function processesMentioning(needle: string): string[] {
  const out: string[] = []
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
      if (cmd.includes(needle)) out.push(`${pid} ${cmd}`)
    } catch {
      // exited meanwhile
    }
  }
  return out
}

const keyLines = (...keys: TestKey[]): string[] => keys.flatMap((k) => keyBodyLines(k.private))

describe('ssh deploy keys with real sshd, git and go', () => {
  it('two modules, two deploy keys: go mod download reads each repository with its own key; post leaves nothing', async () => {
    const { dirs, j } = job()
    const main = await authMain(j, {
      'private-modules': 'github.com/acme/*',
      token: '',
      'ssh-private-key': `${label('acme/x')}\n${keyX.private}${label('acme/y')}\n${keyY.private}`,
      'ssh-known-hosts': sshd.knownHostsLine
    })
    expect(main.conclusion).toBe('success')
    for (const line of keyLines(keyX, keyY)) {
      expect(main.masks).toContain(line)
      expect(rawOutput(main)).not.toContain(line)
    }
    const state = JSON.parse(main.state.auth ?? '{}') as { dir: string; files: string[] }
    expect(path.dirname(state.dir)).toBe(dirs.temp)
    expect(fs.statSync(state.dir).mode & 0o777).toBe(0o700)
    for (const f of state.files) expect(fs.statSync(f).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(path.join(state.dir, 'key-1'), 'utf8')).toBe(keyX.private)
    // the log names each key by the fingerprint GitHub shows for a deploy key
    expect(main.stdout).toMatch(
      /SSH key 1 \(SHA256:[^)]+\) for github\.com\/acme\/x via git@127\.0\.0\.1:\d+/
    )
    expect(main.env.GIT_SSH).toBe('ssh')
    expect(main.env.GIT_SSH_COMMAND).toBeUndefined()

    const before = sshd.accessLog().length
    const https = mitm.requests('github.com').length
    const dl = await runLaterStep('go', ['mod', 'download', '-x'], j)
    expect({ exitCode: dl.exitCode, stderr: dl.exitCode === 0 ? '' : dl.stderr }).toEqual({
      exitCode: 0,
      stderr: ''
    })
    expect(sshd.accessLog().slice(before)).toEqual(
      expect.arrayContaining([
        { key: 'x', repo: 'acme/x', allowed: true },
        { key: 'y', repo: 'acme/y', allowed: true }
      ])
    )
    expect(
      sshd
        .accessLog()
        .slice(before)
        .every((r) => r.allowed)
    ).toBe(true)
    expect(mitm.requests('github.com').slice(https)).toEqual([]) // nothing went over https
    // a later step builds offline with what was fetched
    expect(
      (
        await runLaterStep('go', ['build', '-o', path.join(dirs.root, 'app'), '.'], j, {
          stepEnv: { GOPROXY: 'off' }
        })
      ).exitCode
    ).toBe(0)

    const post = await authPost(j, main)
    expect(post.conclusion).toBe('success')
    expect(fs.existsSync(state.dir)).toBe(false)
    expect(scanFiles([dirs.temp, dirs.home, dirs.workspace], keyLines(keyX, keyY))).toEqual([])
    expect(fs.existsSync(path.join(dirs.home, '.ssh'))).toBe(false)
    expect(processesMentioning(state.dir)).toEqual([]) // no ssh, no agent left behind
    expect(processesMentioning('ssh-agent')).toEqual([])
  }, 90_000)

  it('a module whose key is missing fails at once with class auth naming that module; the other used its key', async () => {
    const { dirs, env } = job()
    const before = sshd.accessLog().length
    const run = await runAction({
      dirs,
      env,
      basePath: SYSTEM_PATH,
      inputs: {
        'private-modules': 'github.com/acme/*',
        // token: the default, the job's github.token, which cannot read acme/y (as on GitHub)
        'ssh-private-key': `${label('acme/x')}\n${keyX.private}`,
        'ssh-known-hosts': sshd.knownHostsLine,
        cache: 'false',
        retries: '3',
        'retry-backoff': '100ms'
      }
    })
    expect(run.main.exitCode).not.toBe(0)
    expect(run.main.outputs['error-class']).toBe('auth')
    expect(run.main.outputs['download-attempts']).toBe('1')
    const error = run.main.commands
      .filter((c) => c.command === 'error')
      .map((c) => c.message)
      .join('\n')
    expect(error).toContain('github.com/acme/y@v1.0.0: authentication failed')
    expect(sshd.accessLog().slice(before)).toEqual(
      expect.arrayContaining([{ key: 'x', repo: 'acme/x', allowed: true }])
    )
    expect(git.gitLog.some((r) => r.repo === 'github.com/acme/y' && r.status === 404)).toBe(true)
    expect(run.post?.exitCode).toBe(0)
    expect(fs.readdirSync(dirs.temp).filter((e) => e.startsWith('setup-go-deps-auth-'))).toEqual([])
  }, 120_000)

  it('a deploy key the repository does not know: Permission denied (publickey), class auth, not retried', async () => {
    const { j } = job()
    const main = await authMain(j, {
      'private-modules': 'github.com/acme/*',
      token: '',
      'ssh-private-key': `${label('acme/x')}\n${keyX.private}${label('acme/y')}\n${keyUnknown.private}`,
      'ssh-known-hosts': sshd.knownHostsLine
    })
    expect(main.conclusion).toBe('success')
    const dl = await runLaterStep('go', ['mod', 'download', 'github.com/acme/y'], j)
    expect(dl.exitCode).not.toBe(0)
    expect(dl.stderr).toContain('Permission denied (publickey)')
    const d = classifyText(dl.stderr)
    expect({ errorClass: d.errorClass, retryable: d.retryable, module: d.module }).toEqual({
      errorClass: 'auth',
      retryable: false,
      module: 'github.com/acme/y@v1.0.0'
    })
    expect(d.hint).toContain('ssh-private-key')
    await authPost(j, main)
  }, 60_000)

  it('a wrong host key: Host key verification failed, the ssh-known-hosts hint, one attempt, nothing in ~/.ssh', async () => {
    const { dirs, env } = job()
    const impostor = knownHostsLine(`[127.0.0.1]:${sshd.port}`, makeKey().public)
    const before = sshd.accessLog().length
    const run = await runAction({
      dirs,
      env,
      basePath: SYSTEM_PATH,
      inputs: {
        'private-modules': 'github.com/acme/*',
        token: '',
        'ssh-private-key': `${label('acme/x')}\n${keyX.private}${label('acme/y')}\n${keyY.private}`,
        'ssh-known-hosts': impostor,
        cache: 'false',
        retries: '3',
        'retry-backoff': '100ms'
      }
    })
    expect(run.main.exitCode).not.toBe(0)
    expect(run.main.outputs['error-class']).toBe('auth')
    expect(run.main.outputs['download-attempts']).toBe('1')
    const error = run.main.commands
      .filter((c) => c.command === 'error')
      .map((c) => c.message)
      .join('\n')
    expect(error).toContain('Host key verification failed')
    expect(error).toContain("'ssh-known-hosts'")
    expect(sshd.accessLog().slice(before)).toEqual([]) // no key was ever used on the impostor
    expect(fs.existsSync(path.join(dirs.home, '.ssh'))).toBe(false)
    expect(fs.readdirSync(dirs.temp).filter((e) => e.startsWith('setup-go-deps-auth-'))).toEqual([])
  }, 120_000)

  it('a key that is not usable fails naming the input, never printing the key, and leaves no key file', async () => {
    const encrypted = makeKey({ passphrase: 'hunter22' }).private
    // valid armour and base64, but not a key: only ssh-keygen can tell
    const garbage = `-----BEGIN RSA PRIVATE KEY-----\n${Buffer.from('x'.repeat(120))
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')}\n-----END RSA PRIVATE KEY-----\n`
    for (const [key, expected] of [
      [encrypted, 'is encrypted with a passphrase'],
      [makePemKey('pkcs8-encrypted'), 'is encrypted with a passphrase'],
      [garbage, 'cannot be loaded by ssh (ssh-keygen:']
    ] as const) {
      const { dirs, j } = job()
      const main = await authMain(j, {
        'private-modules': 'github.com/acme/*',
        'ssh-private-key': `# github.com/acme/x\n${key}`
      })
      expect(main.conclusion).toBe('failure')
      const error = main.commands.find((c) => c.command === 'error')?.message ?? ''
      expect(error).toContain("Input 'ssh-private-key' key 1 (line 2)")
      expect(error).toContain(expected)
      for (const line of keyBodyLines(key)) {
        expect(main.masks).toContain(line)
        expect(rawOutput(main)).not.toContain(line)
      }
      expect(fs.readdirSync(dirs.temp).filter((e) => e.startsWith('setup-go-deps-auth-'))).toEqual([])
      expect(scanFiles([dirs.temp, dirs.home, dirs.workspace], keyBodyLines(key))).toEqual([])
    }
  }, 60_000)
})
