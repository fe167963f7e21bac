/**
 * The bundled action (dist/main, then dist/post, through testbed/runner.ts) against modules served over git:
 * `https://github.com/<org>/...` is the real URL, testbed/mitm.ts routes it to testbed/git-server.ts, which
 * answers like GitHub (401 without credentials, 400 on two Authorization headers). Go comes from the bench
 * mirror, public modules of example.com from the bench module proxy.
 *
 * Retry over git: seeded git faults (502 and resets mid-pack) are retried until the download succeeds;
 * missing credentials fail at once (class auth, one attempt; docs/ARCHITECTURE.md, Failure classes).
 * Credentials: private modules of github.com/acme get the token, github.com/other does not; nothing of the
 * token is left anywhere after post; actions/checkout's extraheader causes no duplicate Authorization
 * header.
 *
 * One runner VM path for every job (like action.test.ts: the tool cache is kept, so Go is installed once).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {
  type GitServer,
  type GoMirror,
  type JobDirs,
  type Mitm,
  type ModuleProxy,
  type ModuleSet,
  type ModuleVersion,
  type JobEnv,
  type StepResult,
  SYSTEM_PATH,
  generateModules,
  newJob,
  newJobDirs,
  removeTree,
  runAction,
  runLaterStep,
  startGitServer,
  startGoMirror,
  startMitm,
  startModuleProxy,
  writeConsumerProject,
  writeGitRepo
} from '../../testbed/index.ts'
import { forms, rawOutput, scanFiles } from '../helpers/auth-scan.ts'

const TOKEN = 'ghp_actionGitAcmeToken0123456789abcdef'
const OTHER_ORG_TOKEN = 'ghp_actionGitOtherOrgToken0123456789'
/** The job's github.token: it cannot read acme's repositories (GitHub answers 401 for it here). */
const JOB_TOKEN = 'ghs_actionGitJobToken0123456789abcdefgh'

let root: string
let pubGit: ModuleSet
let priv: ModuleSet
let pub: ModuleSet
let git: GitServer
let proxy: ModuleProxy
let mitm: Mitm
let mirror: GoMirror
let dirs: JobDirs | undefined

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'action-git-e2e-'))
  const repos = path.join(root, 'repos')
  pubGit = generateModules({
    dir: path.join(root, 'pubgit'),
    names: [1, 2, 3, 4, 5, 6].map((i) => `github.com/pubco/lib${i}`),
    write: false
  })
  priv = generateModules({
    dir: path.join(root, 'priv'),
    names: ['github.com/acme/m1', 'github.com/acme/m2', 'github.com/other/secret'],
    write: false
  })
  pub = generateModules({ dir: path.join(root, 'pub'), names: ['example.com/pub/p1'] })
  for (const m of [...pubGit.modules, ...priv.modules]) writeGitRepo(m, path.join(repos, `${m.path}.git`))
  ;[git, proxy, mirror] = await Promise.all([
    startGitServer({
      root: repos,
      auth: [
        { prefix: 'github.com/acme/', users: { 'x-access-token': TOKEN } },
        { prefix: 'github.com/other/', users: { 'x-access-token': OTHER_ORG_TOKEN } }
      ]
    }),
    startModuleProxy({ modules: pub }),
    startGoMirror({ variant: 'full' })
  ])
  mitm = await startMitm({ routes: { 'github.com': git.url } })
}, 120_000)

afterAll(async () => {
  await Promise.all([mitm?.close(), git?.close(), proxy?.close(), mirror?.close()])
  dirs?.cleanup()
  removeTree(root)
})

interface Checkout {
  job: JobEnv
  /** argv of every git the job ran (a PATH shim: go's git children are not node's children). */
  gitArgv: () => string
}

/**
 * A fresh runner VM with the project checked out: HOME, RUNNER_TEMP and the workspace emptied at the same
 * paths, the tool cache kept (Go is installed by the first job only). A `git` shim first on PATH records
 * the argv of every git process of the job.
 */
function checkout(requires: ModuleVersion[], env: Record<string, string> = {}): Checkout {
  dirs ??= newJobDirs('action-git-e2e-job-')
  for (const dir of [dirs.workspace, dirs.home, dirs.temp, path.join(dirs.root, 'shims')]) {
    removeTree(dir)
    fs.mkdirSync(dir, { recursive: true })
  }
  const shims = path.join(dirs.root, 'shims')
  const argvLog = path.join(dirs.root, 'git-argv.log')
  fs.writeFileSync(argvLog, '')
  fs.writeFileSync(
    path.join(shims, 'git'),
    // not exec: the shim also records git's exit status (go reports a failed git as `exit status 128`)
    `#!/bin/sh\nprintf '%s\\n' "git $*" >> '${argvLog}'\n/usr/bin/git "$@"\nrc=$?\nprintf 'exit %s %s\\n' "$rc" "$1" >> '${argvLog}'\nexit $rc\n`,
    { mode: 0o755 }
  )
  writeConsumerProject(dirs.workspace, { modulePath: 'example.com/app', requires })
  const job = newJob({
    dirs,
    basePath: `${shims}:${SYSTEM_PATH}`,
    githubToken: JOB_TOKEN,
    env: { ...mitm.env, ...env }
  })
  return { job, gitArgv: () => fs.readFileSync(argvLog, 'utf8') }
}

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'go-version': mirror.goVersion,
    'go-download-base-url': mirror.baseUrl,
    goproxy: proxy.goproxy,
    gosumdb: 'off',
    cache: 'false',
    'retry-backoff': '100ms',
    ...extra
  }
}

const acme = (): ModuleVersion[] => [
  priv.get('github.com/acme/m1'),
  priv.get('github.com/acme/m2'),
  pub.get('example.com/pub/p1')
]

/** The step's failure message: the last `::error::` (annotations per go.mod line come before it). */
const finalError = (step: StepResult): string =>
  step.commands.filter((c) => c.command === 'error' && !c.properties.file).pop()?.message ?? ''

/**
 * A fault rule's `path` that matches every request while fewer than `budget` requests were faulted: the
 * seeded fraction then applies to the first requests only, so the number of attempts (and p-retry's
 * doubling waits) stays bounded whatever order the parallel go processes send their requests in.
 * testbed/faults.ts has no such cap; this relies on its documented order (a request is logged, then the
 * rules are matched against it, first rule first).
 */
class FaultBudget extends RegExp {
  private readonly log: ReadonlyArray<{ outcome: string }>
  private readonly budget: number
  constructor(log: ReadonlyArray<{ outcome: string }>, budget: number) {
    super('')
    this.log = log
    this.budget = budget
  }
  override test(): boolean {
    return this.log.filter((r) => r.outcome !== 'ok').length < this.budget
  }
}

/** Requests of the git server for one repository (by the GitHub path `/<org>/<repo>`). */
const requestsOf = (repo: string) => git.gitLog.filter((r) => r.repo === repo)

describe('setup-go-deps over git (bundled action, runner emulation)', () => {
  it('retries seeded git faults (502s and resets mid-pack on 30% of requests, the first 10 faults) until every module is there', async () => {
    const c = checkout(pubGit.latest())
    git.faults.clearLog()
    const budget = new FaultBudget(git.faults.log, 10)
    const rules = [
      git.faults.add({ path: budget, fraction: 0.15, seed: 3, fault: { kind: 'status', status: 502 } }),
      git.faults.add({ path: budget, fraction: 0.18, seed: 103, fault: { kind: 'reset' } })
    ]
    let build: { exitCode: number | null; stderr: string } | undefined
    const run = await runAction({
      job: c.job,
      inputs: inputs({ goproxy: 'direct', retries: '12' }),
      between: async (job) => {
        // a later step builds with nothing but what the action fetched
        build = await runLaterStep('go', ['build', './...'], job, { stepEnv: { GOPROXY: 'off' } })
      }
    }).finally(() => rules.forEach((remove) => remove()))

    const faulted = git.faults.log.filter((r) => r.outcome !== 'ok')
    expect(faulted.length).toBeGreaterThan(0)
    expect(faulted.every((r) => r.outcome === 'reset' || r.status === 502)).toBe(true)
    expect(run.main.exitCode).toBe(0)
    expect(run.main.outputs['error-class'] ?? '').toBe('')
    expect(Number(run.main.outputs['modules'])).toBe(6)
    const attempts = Number(run.main.outputs['download-attempts'])
    expect(attempts).toBeGreaterThan(1)
    // git itself exited with 128 (go reports it as `exit status 128`) and the action called it class git
    expect(c.gitArgv()).toMatch(/^exit 128 /m)
    expect(run.main.stdout).toMatch(/Attempt failed \(git\)[^:\n]*: github\.com\/pubco\/lib\d@v1\.0\.0: /)
    // the summary lists every attempt; the first one failed with class git, the last one did not fail
    const rows = [
      ...run.main.summary.matchAll(
        /<tr><td>(\d+)<\/td><td>[^<]*<\/td><td>(\d+)<\/td><td>(\d+)<\/td><td>([^<]*)<\/td>/g
      )
    ]
    expect(rows.map((r) => Number(r[1]))).toEqual(Array.from({ length: attempts }, (_, i) => i + 1))
    expect(rows[0]?.[4]).toBe('git')
    expect(rows[rows.length - 1]?.[3]).toBe('0')
    expect(run.main.summary).toContain(`6 modules ready after ${attempts} attempts`)
    // each module was served in full once, after its faults
    for (const m of pubGit.latest())
      expect(requestsOf(m.path).some((r) => r.service === 'upload-pack' && r.status === 200)).toBe(true)
    expect({ exitCode: build?.exitCode, stderr: build?.stderr }).toEqual({ exitCode: 0, stderr: '' })
  }, 120_000)

  it('refuses private-modules with an empty token before any network request, naming both inputs', async () => {
    // e.g. a secret that is not available to a pull request from a fork
    const c = checkout(acme())
    const before = git.gitLog.length
    const run = await runAction({
      job: c.job,
      inputs: inputs({ 'private-modules': 'github.com/acme/*', token: '' })
    })
    expect(run.main.exitCode).toBe(1)
    expect(run.main.outputs['error-class']).toBe('config')
    const error = finalError(run.main)
    expect(error).toContain("Input 'private-modules' names 'github.com/acme/*'")
    expect(error).toContain("input 'token' is empty")
    expect(git.gitLog.slice(before)).toEqual([])
    expect(run.post?.exitCode).toBe(0)
  }, 60_000)

  it.each([
    ["the job's github.token (the default), which cannot read acme's repositories", {}],
    ['a revoked token', { token: 'ghp_revokedToken000000000000000000000' }]
  ] as const)(
    'fails fast with %s: one attempt, class auth, a hint naming private-modules, token and the deploy-key label',
    async (_what, tokenInput: Record<string, string>) => {
      const c = checkout(acme())
      const before = git.gitLog.length
      const run = await runAction({
        job: c.job,
        inputs: inputs({ 'private-modules': 'github.com/acme/*', retries: '5', ...tokenInput })
      })
      expect(run.main.exitCode).toBe(1)
      expect(run.main.outputs['error-class']).toBe('auth')
      expect(run.main.outputs['download-attempts']).toBe('1')
      const error = finalError(run.main)
      expect(error).toContain("'private-modules'")
      expect(error).toContain("'token'")
      expect(error).toMatch(/with a line '# github\.com\/acme\/m[12]' before it/)
      expect(error).toContain('(error-class: auth)')
      expect(run.main.summary).toContain('failed after 1 attempt: auth')
      expect(run.main.stdout).not.toContain('Retrying')
      // git sent the token it was given, the server refused it, and nothing was asked again
      const acmeLog = git.gitLog.slice(before).filter((r) => r.repo?.startsWith('github.com/acme/'))
      expect(acmeLog.length).toBeGreaterThan(0)
      expect(acmeLog.every((r) => r.status === 401 && r.user === 'x-access-token')).toBe(true)
      expect(acmeLog.filter((r) => r.repo === 'github.com/acme/m1').length).toBe(1)
      expect(run.post?.exitCode).toBe(0)
    },
    60_000
  )

  it('with the token: two private acme modules over git and a public one through the proxy; a later go build works', async () => {
    const c = checkout(acme())
    const before = git.gitLog.length
    proxy.faults.clearLog()
    let build: { exitCode: number | null; stderr: string } | undefined
    const run = await runAction({
      job: c.job,
      inputs: inputs({ 'private-modules': 'github.com/acme/*', token: TOKEN }),
      between: async (job) => {
        build = await runLaterStep('go', ['build', '-o', path.join(dirs!.root, 'app'), '.'], job)
      }
    })
    expect(run.main.exitCode).toBe(0)
    expect(run.main.outputs['download-attempts']).toBe('1')
    expect(Number(run.main.outputs['modules'])).toBe(3)
    expect(run.main.env.GOPRIVATE).toBe('github.com/acme/*')
    expect(run.main.summary).toMatch(/<td>Private modules<\/td><td>[^<]*github\.com\/acme\//)
    for (const repo of ['github.com/acme/m1', 'github.com/acme/m2']) {
      const log = git.gitLog.slice(before).filter((r) => r.repo === repo)
      expect(log.some((r) => r.service === 'upload-pack' && r.status === 200)).toBe(true)
      expect(log.every((r) => r.user === 'x-access-token' && r.status === 200)).toBe(true)
    }
    // the private modules never went to the proxy; the public one did
    expect(proxy.zipDownloads()).toEqual(['example.com/pub/p1@v1.0.0'])
    expect(proxy.faults.log.filter((r) => r.path.includes('/acme/'))).toEqual([])
    expect({ exitCode: build?.exitCode, stderr: build?.stderr }).toEqual({ exitCode: 0, stderr: '' })
    expect(run.post?.exitCode).toBe(0)
  }, 60_000)

  it('does not send the acme token to a private module of another organisation', async () => {
    // the workflow marks github.com/other private itself, but gives the action a token for acme only
    const c = checkout([priv.get('github.com/acme/m1'), priv.get('github.com/other/secret')], {
      GOPRIVATE: 'github.com/other/*'
    })
    const before = git.gitLog.length
    const rawBefore = git.faults.log.length
    const run = await runAction({
      job: c.job,
      inputs: inputs({ 'private-modules': 'github.com/acme/*', token: TOKEN })
    })
    expect(run.main.env.GOPRIVATE).toBe('github.com/other/*,github.com/acme/*')
    expect(run.main.exitCode).toBe(1)
    expect(run.main.outputs['error-class']).toBe('auth')
    expect(run.main.outputs['download-attempts']).toBe('1')
    const error = finalError(run.main)
    expect(error).toContain('github.com/other/secret@v1.0.0')
    expect(error).toContain("with a line '# github.com/other/secret' before it")
    const log = git.gitLog.slice(before)
    const other = log.filter((r) => r.repo === 'github.com/other/secret')
    expect(other.length).toBeGreaterThan(0)
    expect(other.every((r) => r.user === undefined && r.status === 401)).toBe(true)
    const m1 = log.filter((r) => r.repo === 'github.com/acme/m1')
    expect(m1.some((r) => r.service === 'upload-pack' && r.status === 200)).toBe(true)
    expect(m1.every((r) => r.user === 'x-access-token')).toBe(true)
    // and the raw requests agree: no credentials at all reached github.com/other
    expect(
      git.faults.log.slice(rawBefore).filter((r) => r.path.startsWith('/other/') && r.authorized)
    ).toEqual([])
  }, 60_000)

  it('leaves no trace of the token after post: files, step logs, argv of every child and of every git', async () => {
    const c = checkout(acme())
    const steps: StepResult[] = []
    const run = await runAction({
      job: c.job,
      inputs: inputs({ 'private-modules': 'github.com/acme/*', token: TOKEN }),
      between: async (job) => {
        steps.push(await runLaterStep('go', ['build', '-o', path.join(dirs!.root, 'app'), '.'], job))
        steps.push(await runLaterStep('go', ['mod', 'verify'], job))
      }
    })
    expect(run.conclusion).toBe('success')
    expect(run.post?.exitCode).toBe(0)
    expect(steps.map((s) => s.exitCode)).toEqual([0, 0])
    const post = run.post as StepResult
    // the token was masked before anything could print it
    expect(run.main.masks).toContain(TOKEN)
    // raw, base64 of x-access-token:TOKEN (the header git sends), and base64 of the token alone
    const needles = [...forms(TOKEN), Buffer.from(TOKEN).toString('base64')]
    // HOME (module cache, go's git repositories), RUNNER_TEMP (GITHUB_* files included) and the workspace
    expect(fs.readdirSync(path.join(dirs!.home, 'go', 'pkg', 'mod', 'cache', 'vcs')).length).toBeGreaterThan(
      0
    )
    expect(fs.readdirSync(path.join(dirs!.temp, '_runner_file_commands')).length).toBeGreaterThan(0)
    expect(scanFiles([dirs!.home, dirs!.temp, dirs!.workspace], needles)).toEqual([])
    for (const step of [run.main, post, ...steps])
      for (const n of needles) expect(rawOutput(step)).not.toContain(n)
    for (const child of [...run.main.children, ...post.children]) {
      for (const n of needles) expect([child.file, ...child.args].join(' ')).not.toContain(n)
      // no child (go, git, tar, the cache client's) inherits the raw inputs, the token among them
      expect([child.file, child.envNames.filter((name) => /^INPUT_/i.test(name))]).toEqual([child.file, []])
    }
    const argv = c.gitArgv()
    // the shim saw go's git (Go 1.19: `ls-remote -q origin`; 1.26: `ls-remote -q --end-of-options <url>`)
    expect(argv).toMatch(/^git ls-remote -q (--end-of-options )?(origin|https:\/\/github\.com\/acme\/m\d)$/m)
    for (const n of needles) expect(argv).not.toContain(n)
    // what a step after post would get
    for (const n of needles) expect(JSON.stringify(run.env)).not.toContain(n)
  }, 60_000)

  it.each([
    ['the workspace repository (as actions/checkout writes it)', 'local'],
    ["the runner's global git config", 'global']
  ] as const)(
    'an extraheader for https://github.com/ in %s causes no duplicate Authorization header',
    async (_where, scope) => {
      const c = checkout(acme())
      const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${JOB_TOKEN}`).toString('base64')}`
      execFileSync('git', ['init', '-q', dirs!.workspace])
      if (scope === 'local')
        execFileSync('git', ['-C', dirs!.workspace, 'config', 'http.https://github.com/.extraheader', header])
      else
        fs.writeFileSync(
          path.join(dirs!.home, '.gitconfig'),
          `[http "https://github.com/"]\n\textraheader = ${header}\n`
        )
      const before = git.gitLog.length
      const rawBefore = git.faults.log.length
      const run = await runAction({
        job: c.job,
        inputs: inputs({ 'private-modules': 'github.com/acme/*', token: TOKEN })
      })
      const log = git.gitLog.slice(before)
      expect(log.filter((r) => r.status === 400)).toEqual([])
      expect(git.faults.log.slice(rawBefore).filter((r) => r.authorizationHeaders > 1)).toEqual([])
      expect(run.main.exitCode).toBe(0)
      expect(run.main.outputs['download-attempts']).toBe('1')
      for (const repo of ['github.com/acme/m1', 'github.com/acme/m2']) {
        const mine = log.filter((r) => r.repo === repo)
        expect(mine.some((r) => r.service === 'upload-pack')).toBe(true)
        // every request carried the acme token (the server refuses the job token for acme with 401)
        expect(mine.every((r) => r.user === 'x-access-token' && r.status === 200)).toBe(true)
      }
      expect(run.main.summary).toContain('An extraheader for https://github.com/')
      expect(run.post?.exitCode).toBe(0)
      // post removed only its own configuration: checkout's header is still there
      const kept = execFileSync(
        'git',
        ['-C', dirs!.workspace, 'config', '--get-all', 'http.https://github.com/.extraheader'],
        { encoding: 'utf8', env: { ...process.env, HOME: dirs!.home } }
      )
      expect(kept.trim()).toBe(header)
    },
    60_000
  )
})
