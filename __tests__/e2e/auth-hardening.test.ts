/**
 * Credentials that cannot stray, with real git and go 1.26 against the testbed servers: the credential
 * step runs as a runner step (auth-step.mjs: parseInputs + configureEnvironment from source), then git or
 * go run as later steps in the job's environment. `https://github.com/...`, `https://go.acme.example/...`
 * and `https://mirror.example/...` are routed by testbed/mitm.ts to two testbed/git-server.ts instances,
 * whose request logs say who received which credential.
 *
 *   - a redirect to another host never carries the token there (git's http.followRedirects);
 *   - go's own ?go-get=1 requests get a credential only inside its scope (GOAUTH, Go >= 1.24), composed
 *     with the user's own GOAUTH;
 *   - no child process of the action sees the raw inputs (INPUT_*).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startGitServer, type GitServer } from '../../testbed/git-server.ts'
import { SYSTEM_PATH } from '../../testbed/isolated-go.ts'
import { startMitm, type Mitm } from '../../testbed/mitm.ts'
import {
  generateModules,
  writeConsumerProject,
  writeGitRepo,
  type ModuleSet
} from '../../testbed/module-gen.ts'
import { newJob, newJobDirs, runLaterStep, type JobDirs, type JobEnv } from '../../testbed/runner.ts'
import { authMain, authPost } from '../helpers/auth-scan.ts'
import { cleanupKeys, makeKey } from '../helpers/auth-ssh-keys.ts'

const TOKEN = 'ghp_hardeningAcmeToken0123456789abcd'
const LIB_TOKEN = 'team-lib-token-0123456789abcdef'

let root: string
let mods: ModuleSet
let git: GitServer
let mirror: GitServer
let mitm: Mitm
const jobs: JobDirs[] = []

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-hardening-'))
  mods = generateModules({
    dir: path.join(root, 'mods'),
    names: ['github.com/acme/m1', 'go.acme.example/team/lib', 'go.acme.example/open/x'],
    write: false
  })
  for (const m of mods.modules) writeGitRepo(m, path.join(root, 'repos', `${m.path}.git`))
  // the redirect target holds the same repository under another host
  const m1 = mods.modules.find((m) => m.path === 'github.com/acme/m1')
  if (m1) writeGitRepo(m1, path.join(root, 'mirror', 'mirror.example', 'acme', 'm1.git'))
  ;[git, mirror] = await Promise.all([
    startGitServer({
      root: path.join(root, 'repos'),
      auth: [
        { prefix: 'github.com/acme/', users: { 'x-access-token': TOKEN } },
        { prefix: 'go.acme.example/team/', users: { 'ci-bot': LIB_TOKEN }, goGet: true }
      ]
    }),
    startGitServer({ root: path.join(root, 'mirror') })
  ])
  mitm = await startMitm({
    routes: { 'github.com': git.url, 'go.acme.example': git.url, 'mirror.example': mirror.url }
  })
}, 60_000)

afterAll(async () => {
  await Promise.all([mitm?.close(), git?.close(), mirror?.close()])
  for (const d of jobs) d.cleanup()
  fs.rmSync(root, { recursive: true, force: true })
  cleanupKeys()
})

function job(env: Record<string, string> = {}): JobEnv {
  const dirs = newJobDirs('auth-hardening-job-')
  jobs.push(dirs)
  writeConsumerProject(dirs.workspace, {
    modulePath: 'example.com/app',
    requires: [mods.get('go.acme.example/team/lib'), mods.get('go.acme.example/open/x')]
  })
  return newJob({
    dirs,
    basePath: SYSTEM_PATH,
    env: { ...mitm.env, GOPROXY: 'off', GOSUMDB: 'off', GOFLAGS: '-modcacherw', GOTOOLCHAIN: 'local', ...env }
  })
}

/** `?go-get=1` requests the git server saw since `before`, per repository: the user names they carried. */
function goGetUsers(before: number, repo: string): (string | undefined)[] {
  return git.gitLog
    .slice(before)
    .filter((r) => r.service === 'go-get' && r.repo === repo)
    .map((r) => r.user)
}

const TEAM_LINE = {
  'private-modules': 'go.acme.example',
  credentials: `go.acme.example/team ci-bot:${LIB_TOKEN}`
}

describe('credentials that cannot stray', () => {
  it('a redirect to another host never carries the token there (followRedirects off for the scope)', async () => {
    const j = job()
    const main = await authMain(j, { 'private-modules': 'github.com/acme/*', token: TOKEN })
    expect(main.conclusion).toBe('success')
    const remove = git.faults.add({
      path: /^GET \/acme\/m1(\.git)?\/info\/refs/,
      fault: {
        kind: 'status',
        status: 302,
        headers: { location: 'https://mirror.example/acme/m1.git/info/refs?service=git-upload-pack' }
      }
    })
    const rawBefore = git.faults.log.length
    const mirrorBefore = mirror.faults.log.length
    // where cmd/go runs git for a module: a bare repository under GOMODCACHE/cache/vcs
    const vcs = path.join(j.dirs.home, 'go', 'pkg', 'mod', 'cache', 'vcs', 'redirected')
    execFileSync('git', ['init', '-q', '--bare', vcs])
    const ls = await runLaterStep('git', ['ls-remote', 'https://github.com/acme/m1'], j, { cwd: vcs })
    remove()
    // github.com got our header and answered with the redirect ...
    expect(git.faults.log.slice(rawBefore).filter((r) => r.status === 302 && r.authorized).length).toBe(1)
    // ... which git did not follow with it: the other host never received an Authorization header
    expect(mirror.faults.log.slice(mirrorBefore).filter((r) => r.authorized)).toEqual([])
    expect(ls.exitCode).not.toBe(0)
    await authPost(j, main)
  }, 60_000)

  it("go's own ?go-get=1 requests carry a credential inside its scope only, not elsewhere on the host", async () => {
    const j = job()
    const main = await authMain(j, TEAM_LINE)
    expect(main.conclusion).toBe('success')
    expect(main.env.GOAUTH).toMatch(/goauth\.mjs";netrc$/)
    expect(main.env.NETRC).toBeUndefined()
    const before = git.gitLog.length
    const dl = await runLaterStep('go', ['mod', 'download'], j)
    expect({ exitCode: dl.exitCode, stderr: dl.stderr }).toEqual({ exitCode: 0, stderr: '' })
    expect(goGetUsers(before, 'go.acme.example/open/x')).toEqual([undefined]) // outside: nothing
    expect(goGetUsers(before, 'go.acme.example/team/lib')).toEqual(['ci-bot']) // inside: at once
    await authPost(j, main)
  }, 60_000)

  it("composes with the user's own GOAUTH (one without netrc): private modules still authenticate", async () => {
    const j = job({ GOAUTH: `git ${os.tmpdir()}` })
    const main = await authMain(j, TEAM_LINE)
    expect(main.conclusion).toBe('success')
    expect(main.env.GOAUTH).toMatch(new RegExp(`goauth\\.mjs";git ${os.tmpdir().replace(/[/.]/g, '\\$&')}$`))
    const before = git.gitLog.length
    const dl = await runLaterStep('go', ['mod', 'download'], j)
    expect({ exitCode: dl.exitCode, stderr: dl.stderr }).toEqual({ exitCode: 0, stderr: '' })
    expect(goGetUsers(before, 'go.acme.example/team/lib')).toEqual(['ci-bot'])
    expect(goGetUsers(before, 'go.acme.example/open/x')).toEqual([undefined])
    await authPost(j, main)
  }, 60_000)

  it('a user GOAUTH=off is kept, with a warning naming what goes unauthenticated and the fix', async () => {
    const j = job({ GOAUTH: 'off' })
    const main = await authMain(j, TEAM_LINE)
    expect(main.conclusion).toBe('success')
    expect(main.env.GOAUTH).toBeUndefined()
    expect(main.env.NETRC).toBeUndefined() // go would ignore it
    const warning =
      main.commands.find((c) => c.command === 'warning' && c.message.includes('GOAUTH'))?.message ?? ''
    expect(warning).toContain("GOAUTH is 'off' (from the environment)")
    expect(warning).toContain('go.acme.example/team/')
    expect(warning).toContain('Remove GOAUTH=off')
    await authPost(j, main)
  }, 60_000)

  it('no child process of the credential step sees INPUT_* (token, credentials, ssh key)', async () => {
    const j = job()
    const key = makeKey()
    const main = await authMain(j, {
      ...TEAM_LINE,
      'private-modules': 'go.acme.example, github.com/acme/*',
      token: TOKEN,
      'ssh-private-key': `# github.com/acme/keyed\n${key.private}`
    })
    expect(main.conclusion).toBe('success')
    const files = main.children.map((c) => path.basename(c.file))
    expect(files).toEqual(expect.arrayContaining(['git', 'go', 'ssh-keygen']))
    for (const c of main.children)
      expect([c.file, c.envNames.filter((n) => /^INPUT_/i.test(n))]).toEqual([c.file, []])
    await authPost(j, main)
  }, 60_000)
})
