/**
 * Private modules end to end on the bench, with real git and go: `https://github.com/acme/...` is the real
 * URL (an HTTPS intercepting proxy routes it to testbed/git-server.ts, which answers like GitHub: 401 without
 * credentials, 400 on two Authorization headers). The credential step runs as a runner step (auth-step.mjs:
 * parseInputs + configureEnvironment from source), then the download and a later `go build` run as later
 * steps in the job's environment (GITHUB_ENV applied), then the post step (removeEnvironment).
 *
 * Modules: github.com/acme/m1, m2 (private, token), github.com/other/secret (private, another org),
 * go.acme.example/lib (custom domain: ?go-get=1 discovery behind auth, credentials line + NETRC),
 * ssh.acme.example/m3 (its go-import meta names ssh://git@github.com/acme/m3), example.com/pub/p1 (public,
 * through the module proxy).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startGitServer, type GitServer } from '../../testbed/git-server.ts'
import {
  generateModules,
  writeConsumerProject,
  writeGitRepo,
  type ModuleSet
} from '../../testbed/module-gen.ts'
import { startModuleProxy, type ModuleProxy } from '../../testbed/proxy.ts'
import { SYSTEM_PATH } from '../../testbed/isolated-go.ts'
import { newJob, newJobDirs, runLaterStep, type JobDirs, type JobEnv } from '../../testbed/runner.ts'
import { startMitm, type Mitm } from '../helpers/auth-mitm.ts'
import { authMain, authPost, forms, rawOutput, scanFiles } from '../helpers/auth-scan.ts'

const TOKEN = 'ghp_e2eAcmeToken0123456789abcdefXYZ'
const LIB_TOKEN = 'lib-token-e2e-0123456789'
const CHECKOUT_TOKEN = 'ghs_checkoutJobToken0123456789abcdef'

let root: string
let priv: ModuleSet
let pub: ModuleSet
let git: GitServer
let proxy: ModuleProxy
let mitm: Mitm
const jobs: JobDirs[] = []

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-e2e-'))
  const repos = path.join(root, 'repos')
  priv = generateModules({
    dir: path.join(root, 'priv'),
    names: [
      'github.com/acme/m1',
      'github.com/acme/m2',
      'github.com/other/secret',
      'go.acme.example/lib',
      'ssh.acme.example/m3'
    ],
    write: false
  })
  pub = generateModules({ dir: path.join(root, 'pub'), names: ['example.com/pub/p1'] })
  for (const m of priv.modules) {
    // ssh.acme.example/m3 lives in github.com/acme/m3 (its go-import meta points there over ssh)
    const where = m.path === 'ssh.acme.example/m3' ? 'github.com/acme/m3' : m.path
    writeGitRepo(m, path.join(repos, `${where}.git`))
  }
  git = await startGitServer({
    root: repos,
    auth: [
      { prefix: 'github.com/acme/', users: { 'x-access-token': TOKEN } },
      { prefix: 'github.com/other/', users: { 'x-access-token': 'ghp_otherOrgToken' } },
      { prefix: 'go.acme.example/', users: { 'ci-bot': LIB_TOKEN }, goGet: true }
    ],
    goGetBaseUrl: (host) => (host === 'ssh.acme.example' ? 'ssh://git@github.com/acme' : `https://${host}`)
  })
  proxy = await startModuleProxy({ modules: pub })
  mitm = await startMitm({
    dir: path.join(root, 'mitm'),
    hosts: ['github.com', 'go.acme.example', 'ssh.acme.example'],
    targetPort: git.port
  })
}, 60_000)

afterAll(async () => {
  await mitm?.close()
  await git?.close()
  await proxy?.close()
  for (const d of jobs) d.cleanup()
  fs.rmSync(root, { recursive: true, force: true })
})

/** A job whose go and git reach the bench, with PATH shims that log the argv of every git and go. */
function job(opts: { env?: Record<string, string>; project: string[] }): { j: JobEnv; argvLog: string } {
  const dirs = newJobDirs('auth-e2e-job-')
  jobs.push(dirs)
  const shims = path.join(dirs.root, 'shims')
  const argvLog = path.join(dirs.root, 'argv.log')
  fs.mkdirSync(shims)
  for (const [name, real] of [
    ['git', '/usr/bin/git'],
    ['go', execFileSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).trim()]
  ]) {
    fs.writeFileSync(
      path.join(shims, name as string),
      `#!/bin/sh\nprintf '%s\\n' "$0 $*" >> '${argvLog}'\nexec '${real}' "$@"\n`,
      { mode: 0o755 }
    )
  }
  const j = newJob({
    dirs,
    basePath: `${shims}:${SYSTEM_PATH}`,
    githubToken: CHECKOUT_TOKEN,
    env: {
      ...mitm.env,
      GOPROXY: proxy.goproxy,
      GOSUMDB: 'off',
      GOFLAGS: '-modcacherw',
      GOTOOLCHAIN: 'local',
      ...opts.env
    }
  })
  writeConsumerProject(dirs.workspace, {
    modulePath: 'example.com/app',
    requires: opts.project.map((p) => (p.startsWith('example.com/pub') ? pub.get(p) : priv.get(p)))
  })
  return { j, argvLog }
}

describe('private modules with real git and go', () => {
  it('without credentials git fails the way a user sees it (terminal prompts disabled)', async () => {
    const { j } = job({ env: { GOPRIVATE: 'github.com/acme/*' }, project: ['github.com/acme/m1'] })
    const dl = await runLaterStep('go', ['mod', 'download'], j)
    expect(dl.exitCode).not.toBe(0)
    expect(dl.stderr).toMatch(
      /could not read Username for 'https:\/\/github\.com': terminal prompts disabled/
    )
  })

  it('with the token: go mod download and a later go build succeed; checkout headers cause no 400; post leaves no secret anywhere', async () => {
    const { j, argvLog } = job({
      project: ['github.com/acme/m1', 'github.com/acme/m2', 'go.acme.example/lib', 'example.com/pub/p1']
    })
    // actions/checkout's header in the workspace repo, and a hand-written global one, both for all of github.com
    const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${CHECKOUT_TOKEN}`).toString('base64')}`
    execFileSync('git', ['init', '-q', j.dirs.workspace])
    execFileSync('git', ['-C', j.dirs.workspace, 'config', 'http.https://github.com/.extraheader', header])
    const gitconfig = `[http "https://github.com/"]\n\textraheader = ${header}\n`
    fs.writeFileSync(path.join(j.dirs.home, '.gitconfig'), gitconfig)
    const before = git.gitLog.length

    const main = await authMain(j, {
      'private-modules': 'github.com/acme/*, go.acme.example',
      token: TOKEN,
      credentials: `go.acme.example ci-bot:${LIB_TOKEN}`
    })
    expect(main.conclusion).toBe('success')
    const notes = JSON.parse(main.outputs.applied ?? '{}').notes.join('\n')
    expect(notes).toContain("actions/checkout's")
    expect(notes).toContain('resets it for https://github.com/acme/')

    // the action's download: only m1 now, so the later step has something left to fetch
    const dl = await runLaterStep('go', ['mod', 'download', 'github.com/acme/m1'], j)
    expect(dl.stderr).toBe('')
    expect(dl.exitCode).toBe(0)
    // a later step: go build fetches m2, the custom-domain module and the public one with the carried credentials
    const build = await runLaterStep('go', ['build', '-o', path.join(root, 'app'), '.'], j)
    expect({ exitCode: build.exitCode, stderr: build.stderr }).toEqual({
      exitCode: 0,
      stderr: expect.not.stringMatching(/fatal|error|40\d/i)
    })
    expect(build.stderr).toContain('go: downloading github.com/acme/m2 v1.0.0')

    const log = git.gitLog.slice(before)
    expect(log.filter((r) => r.status === 400)).toEqual([])
    for (const repo of ['github.com/acme/m1', 'github.com/acme/m2']) {
      expect(log.filter((r) => r.repo === repo && r.status === 200).length).toBeGreaterThan(0)
      expect(log.filter((r) => r.repo === repo).every((r) => r.user === 'x-access-token')).toBe(true)
    }
    // go's own ?go-get=1 request carried the credentials line's login (from NETRC), then git used the header
    expect(
      log.filter((r) => r.host === 'go.acme.example' && r.service === 'go-get').map((r) => [r.user, r.status])
    ).toEqual([['ci-bot', 200]])
    expect(
      log.some(
        (r) =>
          r.repo === 'go.acme.example/lib' &&
          r.service === 'upload-pack' &&
          r.user === 'ci-bot' &&
          r.status === 200
      )
    ).toBe(true)
    expect(proxy.zipDownloads()).toContain('example.com/pub/p1@v1.0.0')

    const post = await authPost(j, main)
    expect(post.conclusion).toBe('success')
    expect(fs.readFileSync(path.join(j.dirs.home, '.gitconfig'), 'utf8')).toBe(gitconfig)

    // The token scan: every file of HOME, RUNNER_TEMP (GITHUB_* files included) and the workspace, every
    // step's output, and the argv of every git/go and of every child of the action's node.
    const secrets = [...forms(TOKEN), ...forms(LIB_TOKEN, 'ci-bot')]
    expect(scanFiles([j.dirs.home, j.dirs.temp, j.dirs.workspace], secrets)).toEqual([])
    for (const step of [main, dl, build, post])
      for (const s of secrets) expect(rawOutput(step)).not.toContain(s)
    const argv = fs.readFileSync(argvLog, 'utf8')
    expect(argv).toContain('ls-remote') // the shims saw go's git commands
    for (const s of secrets) expect(argv).not.toContain(s)
    for (const c of [...main.children, ...post.children])
      for (const s of secrets) expect(c.args.join(' ')).not.toContain(s)
  })

  it('a private module of another organisation does not receive the token', async () => {
    const { j } = job({
      env: { GOPRIVATE: 'github.com/other/*' },
      project: ['github.com/acme/m1', 'github.com/other/secret']
    })
    const main = await authMain(j, { 'private-modules': 'github.com/acme/*', token: TOKEN })
    expect(main.conclusion).toBe('success')
    expect(main.env.GOPRIVATE).toBe('github.com/other/*,github.com/acme/*')
    const before = git.gitLog.length
    const acme = await runLaterStep('go', ['mod', 'download', 'github.com/acme/m1'], j)
    expect(acme.exitCode).toBe(0)
    const other = await runLaterStep('go', ['mod', 'download', 'github.com/other/secret'], j)
    expect(other.exitCode).not.toBe(0)
    expect(other.stderr).toContain('terminal prompts disabled')
    const log = git.gitLog.slice(before)
    const otherRequests = log.filter((r) => r.repo === 'github.com/other/secret')
    expect(otherRequests.length).toBeGreaterThan(0)
    expect(otherRequests.every((r) => r.user === undefined && r.status === 401)).toBe(true)
    expect(log.filter((r) => r.repo === 'github.com/acme/m1').every((r) => r.user === 'x-access-token')).toBe(
      true
    )
    await authPost(j, main)
  })

  it("ssh forms resolve over https with the token, despite the runner's global https->ssh rewrite", async () => {
    const { j } = job({ project: ['github.com/acme/m1', 'ssh.acme.example/m3'] })
    // common on self-hosted runners: every github.com URL goes over ssh (no ssh server here: it would fail)
    const gitconfig = '[url "git@github.com:"]\n\tinsteadOf = https://github.com/\n'
    fs.writeFileSync(path.join(j.dirs.home, '.gitconfig'), gitconfig)
    const main = await authMain(j, { 'private-modules': 'github.com/acme/*,ssh.acme.example', token: TOKEN })
    expect(main.conclusion).toBe('success')
    const before = git.gitLog.length
    const dl = await runLaterStep('go', ['mod', 'download'], j)
    expect(dl.stderr).toBe('')
    expect(dl.exitCode).toBe(0)
    const log = git.gitLog.slice(before)
    // m3's meta said ssh://git@github.com/acme/m3; git fetched it over https with our header
    expect(log.some((r) => r.host === 'ssh.acme.example' && r.service === 'go-get' && r.status === 200)).toBe(
      true
    )
    expect(
      log.some((r) => r.repo === 'github.com/acme/m3' && r.user === 'x-access-token' && r.status === 200)
    ).toBe(true)
    expect(
      log.some((r) => r.repo === 'github.com/acme/m1' && r.user === 'x-access-token' && r.status === 200)
    ).toBe(true)
    await authPost(j, main)
    expect(fs.readFileSync(path.join(j.dirs.home, '.gitconfig'), 'utf8')).toBe(gitconfig)
  })
})
