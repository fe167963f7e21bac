/**
 * The credential step as real runner steps (testbed/runner.ts: GITHUB_ENV/STATE files, isolated HOME and
 * RUNNER_TEMP, child argv recorded), without servers: what is masked, written, exported and removed.
 * The main/post steps run src/credentials/ from source through auth-step.mjs (the bundle needs every
 * module of the action; this needs only the credential part).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { newJob, newJobDirs, runLaterStep, type JobDirs, type JobEnv } from '../../testbed/runner.ts'
import { authMain, authPost, b64, forms, rawOutput, scanFiles } from '../helpers/auth-scan.ts'

const TOKEN = 'ghp_applyTestToken+/=0123456789abcdef'
const GITLAB = 'glpat-Applytest_gitlab+tok'

let dirs: JobDirs | undefined
afterEach(() => dirs?.cleanup())

function job(env: Record<string, string> = {}): JobEnv {
  dirs = newJobDirs('auth-apply-')
  return newJob({ dirs, env })
}

const USER_GITCONFIG =
  '[url "git@github.com:"]\n\tinsteadOf = https://github.com/\n[user]\n\tname = Runner User\n'
const USER_NETRC = 'machine athens.corp.example.com\nlogin ci\npassword userNetrcPassword\n'

const inputs = {
  'private-modules': 'github.com/acme/*\ngitlab.com/acme/*',
  token: TOKEN,
  credentials: `gitlab.com/acme oauth2:${GITLAB}`
}

describe('configureEnvironment / removeEnvironment as runner steps', () => {
  it('masks every form of every secret before printing anything else', async () => {
    const j = job()
    const main = await authMain(j, inputs)
    expect(main.conclusion).toBe('success')
    const lines = main.stdout.split('\n').filter((l) => l !== '')
    const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'))
    const maskLines = lines.filter((l) => l.startsWith('::add-mask::'))
    expect(firstOther).toBe(maskLines.length) // every mask comes first
    for (const f of [...forms(TOKEN), ...forms(GITLAB, 'oauth2')]) expect(main.masks).toContain(f)
    expect(encodeURIComponent(TOKEN)).not.toBe(TOKEN) // the URL-encoded form is a distinct mask
  })

  it('writes credentials only into a private RUNNER_TEMP directory and exports only paths', async () => {
    const j = job()
    fs.writeFileSync(path.join(j.dirs.home, '.gitconfig'), USER_GITCONFIG)
    fs.writeFileSync(path.join(j.dirs.home, '.netrc'), USER_NETRC, { mode: 0o600 })
    const main = await authMain(j, inputs)
    expect(main.conclusion).toBe('success')

    const state = JSON.parse(main.state.auth ?? '{}') as { dir: string; files: string[] }
    expect(path.dirname(state.dir)).toBe(j.dirs.temp)
    expect(fs.statSync(state.dir).mode & 0o777).toBe(0o700)
    expect(state.files.map((f) => path.basename(f)).sort()).toEqual([
      'gitconfig',
      'goauth-headers',
      'goauth.mjs'
    ])
    for (const f of state.files) expect(fs.statSync(f).mode & 0o777).toBe(0o600)

    // The token is in our files and nowhere else in the job's directories.
    const all = [...forms(TOKEN), ...forms(GITLAB, 'oauth2')]
    const hits = scanFiles([j.dirs.home, j.dirs.temp, j.dirs.workspace], all).filter(
      (h) => path.dirname(h.where) !== state.dir
    )
    expect(hits).toEqual([])
    // ... and not in what the step exported, saved or printed, nor in any child's argv.
    expect(JSON.stringify([main.env, main.state, main.outputs])).not.toMatch(
      new RegExp(all.map((s) => s.replace(/[+/=]/g, '\\$&')).join('|'))
    )
    for (const f of all) expect(rawOutput(main)).not.toContain(f)
    for (const c of main.children) for (const f of all) expect(c.args.join(' ')).not.toContain(f)

    // HOME's git config and netrc are byte-identical and still read by go (GOAUTH keeps `netrc` after ours).
    expect(fs.readFileSync(path.join(j.dirs.home, '.gitconfig'), 'utf8')).toBe(USER_GITCONFIG)
    expect(fs.readFileSync(path.join(j.dirs.home, '.netrc'), 'utf8')).toBe(USER_NETRC)
    expect(main.env.NETRC).toBeUndefined()
    const script = path.join(state.dir, 'goauth.mjs')
    expect(main.env.GOAUTH).toBe(`"${process.execPath}" "${script}";netrc`)
    // what go reads from the command: one block, for the credentials line's scope only
    const printed = (await runLaterStep(process.execPath, [script, 'https://gitlab.com/acme/x?go-get=1'], j))
      .stdout
    expect(printed).toBe(`https://gitlab.com/acme\n\nAuthorization: Basic ${b64(`oauth2:${GITLAB}`)}\n\n`)
    expect(main.env.GOPRIVATE).toBe('github.com/acme/*,gitlab.com/acme/*')
  })

  it("on Go < 1.24: a .netrc for go's own requests, ours first, the user's after it", async () => {
    const j = job()
    fs.writeFileSync(path.join(j.dirs.home, '.gitconfig'), USER_GITCONFIG)
    fs.writeFileSync(path.join(j.dirs.home, '.netrc'), USER_NETRC, { mode: 0o600 })
    const main = await authMain(j, inputs, { AUTH_GO_VERSION: '1.23.4' })
    expect(main.conclusion).toBe('success')

    const state = JSON.parse(main.state.auth ?? '{}') as { dir: string; files: string[] }
    expect(path.dirname(state.dir)).toBe(j.dirs.temp)
    expect(fs.statSync(state.dir).mode & 0o777).toBe(0o700)
    expect(state.files.map((f) => path.basename(f)).sort()).toEqual(['gitconfig', 'netrc'])
    for (const f of state.files) expect(fs.statSync(f).mode & 0o777).toBe(0o600)

    // The token is in our two files and nowhere else in the job's directories.
    const all = [...forms(TOKEN), ...forms(GITLAB, 'oauth2')]
    const hits = scanFiles([j.dirs.home, j.dirs.temp, j.dirs.workspace], all).filter(
      (h) => path.dirname(h.where) !== state.dir
    )
    expect(hits).toEqual([])
    // ... and not in what the step exported, saved or printed, nor in any child's argv.
    expect(JSON.stringify([main.env, main.state, main.outputs])).not.toMatch(
      new RegExp(all.map((s) => s.replace(/[+/=]/g, '\\$&')).join('|'))
    )
    for (const f of all) expect(rawOutput(main)).not.toContain(f)
    for (const c of main.children) for (const f of all) expect(c.args.join(' ')).not.toContain(f)

    // HOME's git config and netrc are byte-identical; ours is exported for go with the user's after ours.
    expect(fs.readFileSync(path.join(j.dirs.home, '.gitconfig'), 'utf8')).toBe(USER_GITCONFIG)
    expect(fs.readFileSync(path.join(j.dirs.home, '.netrc'), 'utf8')).toBe(USER_NETRC)
    expect(main.env.NETRC).toBe(path.join(state.dir, 'netrc'))
    expect(fs.readFileSync(main.env.NETRC as string, 'utf8')).toBe(
      `machine gitlab.com\nlogin oauth2\npassword ${GITLAB}\n\n${USER_NETRC}`
    )
    expect(main.env.GOPRIVATE).toBe('github.com/acme/*,gitlab.com/acme/*')
  })

  it("applies the rewrites and the header only inside go's module-fetch repositories", async () => {
    const j = job()
    await authMain(j, inputs)
    // what cmd/go does for a module: a bare repository under $GOMODCACHE/cache/vcs/<hash>
    const vcs = path.join(j.dirs.home, 'go', 'pkg', 'mod', 'cache', 'vcs', '0123abcd')
    fs.mkdirSync(vcs, { recursive: true })
    execFileSync('git', ['init', '-q', '--bare', vcs])
    execFileSync('git', ['init', '-q', j.dirs.workspace])
    const get = async (cwd: string, key: string) =>
      (await runLaterStep('git', ['config', '--null', '--get-all', key], j, { cwd })).stdout
        .split('\0')
        .slice(0, -1)
    const rewrites = await get(vcs, 'url.https://github.com/acme/.insteadOf')
    expect(rewrites).toEqual([
      'https://github.com/acme/',
      'git@github.com:acme/',
      'ssh://git@github.com/acme/'
    ])
    expect(await get(vcs, 'http.https://github.com/acme/.extraheader')).toEqual([
      '',
      `AUTHORIZATION: basic ${b64(`x-access-token:${TOKEN}`)}`
    ])
    // the workspace repository (where actions/checkout's credentials live) and any other directory: nothing
    expect(await get(j.dirs.workspace, 'url.https://github.com/acme/.insteadOf')).toEqual([])
    expect(await get(j.dirs.temp, 'http.https://github.com/acme/.extraheader')).toEqual([])
  })

  it("keeps the job's GIT_CONFIG_* entries working for later steps", async () => {
    const j = job({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'user.name',
      GIT_CONFIG_VALUE_0: 'From Workflow'
    })
    const main = await authMain(j, { 'private-modules': 'github.com/acme/*', token: TOKEN })
    expect(main.env.GIT_CONFIG_PARAMETERS).toMatch(
      /^'includeIf\.gitdir:.*\/go\/pkg\/mod\/cache\/vcs\/\.path'='/
    )
    expect((await runLaterStep('git', ['config', 'user.name'], j, { cwd: j.dirs.temp })).stdout.trim()).toBe(
      'From Workflow'
    )
  })

  it('a second use in the same job replaces the first one’s include (one header per scope); each post removes its own', async () => {
    const j = job()
    const first = await authMain(j, { 'private-modules': 'github.com/acme/*', token: TOKEN })
    expect(first.conclusion).toBe('success')
    const second = await authMain(j, {
      'private-modules': 'github.com/acme/*\ngithub.com/other/*',
      token: TOKEN
    })
    expect({ conclusion: second.conclusion, errors: second.stdout.match(/^::error.*$/gm) }).toEqual({
      conclusion: 'success',
      errors: null
    })
    const dirOf = (step: typeof first) => (JSON.parse(step.state.auth ?? '{}') as { dir: string }).dir
    expect(dirOf(first)).not.toBe(dirOf(second))
    expect(second.env.GIT_CONFIG_PARAMETERS).toContain(`${dirOf(second)}/gitconfig`)
    expect(second.env.GIT_CONFIG_PARAMETERS).not.toContain(dirOf(first))
    // go's repositories see the second use's configuration alone: one header for the scope both name.
    const vcs = path.join(j.dirs.home, 'go', 'pkg', 'mod', 'cache', 'vcs', 'abc')
    execFileSync('git', ['init', '-q', '--bare', vcs])
    const headers = await runLaterStep(
      'git',
      ['config', '--get-all', 'http.https://github.com/acme/.extraheader'],
      j,
      { cwd: vcs }
    )
    expect(headers.stdout.split('\n').filter((h) => h !== '')).toEqual([
      `AUTHORIZATION: basic ${b64(`x-access-token:${TOKEN}`)}`
    ])
    expect((await authPost(j, second)).conclusion).toBe('success')
    expect((await authPost(j, first)).conclusion).toBe('success')
    expect([fs.existsSync(dirOf(first)), fs.existsSync(dirOf(second))]).toEqual([false, false])
  })

  it('never writes GIT_CONFIG_* entries set only on its step (step-level env) to GITHUB_ENV', async () => {
    const secret = 'AUTHORIZATION: bearer stepLevelSecret0123'
    const k = job()
    const step = await authMain(
      k,
      { 'private-modules': 'github.com/acme/*', token: TOKEN },
      {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.https://git.corp.example/.extraheader',
        GIT_CONFIG_VALUE_0: secret
      }
    )
    expect(step.conclusion).toBe('success')
    expect(
      Object.keys(step.env).filter(
        (n) => n.startsWith('GIT_CONFIG_COUNT') || /^GIT_CONFIG_(KEY|VALUE)_/.test(n)
      )
    ).toEqual([])
    expect(scanFiles([k.dirs.temp], [secret, 'stepLevelSecret0123'])).toEqual([])
    // a later step (without the step-level entries) still runs git
    expect((await runLaterStep('git', ['config', '--list'], k, { cwd: k.dirs.temp })).exitCode).toBe(0)
  })

  it('post deletes every credential file and points later post steps back to the previous values', async () => {
    const j = job()
    const main = await authMain(j, inputs)
    const { dir } = JSON.parse(main.state.auth ?? '{}') as { dir: string }
    expect(fs.existsSync(dir)).toBe(true)
    const post = await authPost(j, main)
    expect(post.conclusion).toBe('success')
    expect(fs.existsSync(dir)).toBe(false)
    expect(post.env).toEqual({ GIT_CONFIG_PARAMETERS: '', GOAUTH: '' })
    const all = [...forms(TOKEN), ...forms(GITLAB, 'oauth2')]
    expect(scanFiles([j.dirs.temp, j.dirs.home, j.dirs.workspace], all)).toEqual([])
    // git still works with the stale include gone (git skips a missing include file)
    expect((await runLaterStep('git', ['config', '--list'], j, { cwd: j.dirs.temp })).exitCode).toBe(0)
  })

  it('a credential file post cannot remove fails post by name, after removing the others and restoring the variables', async () => {
    const j = job()
    const main = await authMain(j, inputs)
    const { dir, files } = JSON.parse(main.state.auth ?? '{}') as { dir: string; files: string[] }
    const stuck = files.find((f) => path.basename(f) === 'gitconfig') as string
    // An immutable file (as one held open on Windows): even root cannot delete it.
    execFileSync('chattr', ['+i', stuck])
    try {
      const post = await authPost(j, main)
      expect(post.conclusion).toBe('failure')
      const errors = post.commands.filter((c) => c.command === 'error').map((c) => c.message)
      expect(errors.join('\n')).toContain(`could not remove ${stuck}: `)
      // The other files are gone, and later post steps no longer point at ours.
      for (const f of files.filter((f) => f !== stuck)) expect(fs.existsSync(f)).toBe(false)
      expect(post.env).toEqual({ GIT_CONFIG_PARAMETERS: '', GOAUTH: '' })
    } finally {
      execFileSync('chattr', ['-i', stuck])
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('an empty token with a private GitHub pattern fails naming both inputs and writes nothing', async () => {
    const j = job()
    const main = await authMain(j, { 'private-modules': 'github.com/acme/*', token: '' })
    expect(main.conclusion).toBe('failure')
    const error = main.commands.find((c) => c.command === 'error')?.message ?? ''
    expect(error).toContain("Input 'private-modules' names 'github.com/acme/*'")
    expect(error).toContain("input 'token' is empty")
    expect(main.state.auth).toBeUndefined()
    expect(fs.readdirSync(j.dirs.temp).filter((e) => e.startsWith('setup-go-deps-auth-'))).toEqual([])
  })

  it('a credentials line that does not parse names its line number and never echoes it', async () => {
    const j = job()
    const main = await authMain(j, {
      credentials: `gitlab.com/a oauth2:${GITLAB}\nnot a valid line s3cr3tValue`
    })
    expect(main.conclusion).toBe('failure')
    const error = main.commands.find((c) => c.command === 'error')?.message ?? ''
    expect(error).toContain("Input 'credentials' line 2 does not parse")
    expect(rawOutput(main)).not.toContain('s3cr3tValue')
  })

  it('exports the validated Go environment inputs for later steps', async () => {
    const j = job()
    const main = await authMain(j, {
      goproxy: 'https://proxy.corp.example.com , direct',
      gosumdb: 'off',
      goflags: '-mod=mod'
    })
    expect(main.conclusion).toBe('success')
    expect(main.env).toEqual({
      GOPROXY: 'https://proxy.corp.example.com,direct',
      GOSUMDB: 'off',
      GOFLAGS: '-mod=mod'
    })
    const goEnv = await runLaterStep('go', ['env', 'GOPROXY', 'GOSUMDB', 'GOFLAGS'], j, { cwd: j.dirs.temp })
    expect(goEnv.stdout.trim().split('\n')).toEqual([
      'https://proxy.corp.example.com,direct',
      'off',
      '-mod=mod'
    ])
    const bad = await authMain(job(), { goflags: '-insecure' })
    expect(bad.conclusion).toBe('failure')
    expect(bad.commands.find((c) => c.command === 'error')?.message).toContain(
      "Input 'goflags' has '-insecure'"
    )
  })
})
