/**
 * testbed/git-server.ts with the real git client: smart-HTTP through `git http-backend`, GitHub-like Basic
 * auth (401 + realm, wrong token, 404 "Repository not found"), 400 on a duplicate Authorization header,
 * injected 502 / reset / corrupt as git sees them, go-get meta, deterministic repos, clean shutdown.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { createBareRepo, startGitServer, type GitServer } from '../../testbed/git-server.ts'
import { baseEnv, portRefused, processesWithEnv, run } from '../helpers/git-util.ts'

let root: string
let repos: string
let git: GitServer
let env: Record<string, string>
let m1Commits: Record<string, string>

const TOKEN = 'ghs_benchTOKEN123'

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'git-server-test-'))
  repos = path.join(root, 'repos')
  const m1 = await createBareRepo(repos, 'github.com/acme/m1', {
    'v1.0.0': { 'go.mod': 'module github.com/acme/m1\n\ngo 1.19\n', 'm1.go': 'package m1\n\nconst V = 1\n' },
    'v1.1.0': { 'go.mod': 'module github.com/acme/m1\n\ngo 1.19\n', 'm1.go': 'package m1\n\nconst V = 2\n' }
  })
  m1Commits = m1.commits
  await createBareRepo(repos, 'github.com/acme/private', {
    'v0.1.0': { 'go.mod': 'module github.com/acme/private\n\ngo 1.19\n', 'p.go': 'package private\n' }
  })
  await createBareRepo(repos, 'github.com/other/hidden', { 'v1.0.0': { README: 'hidden\n' } })
  git = await startGitServer({
    root: repos,
    auth: [
      { prefix: 'github.com/acme/private', users: { 'x-access-token': TOKEN } },
      { prefix: 'github.com/other/', users: { 'x-access-token': TOKEN }, wrongCredentialsStatus: 404 }
    ]
  })
  env = baseEnv(root)
})

afterAll(async () => {
  await git?.close()
  rmSync(root, { recursive: true, force: true })
})

const withToken = (url: string, token = TOKEN) => url.replace('http://', `http://x-access-token:${token}@`)

describe('public repository', () => {
  test('git ls-remote lists the tags createBareRepo wrote', async () => {
    const r = await run('git', ['ls-remote', git.repoUrl('github.com/acme/m1')], { env })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`${m1Commits['v1.0.0']}\trefs/tags/v1.0.0`)
    expect(r.stdout).toContain(`${m1Commits['v1.1.0']}\trefs/tags/v1.1.0`)
    expect(r.stdout).toContain(`${m1Commits['v1.1.0']}\tHEAD`)
  })

  test('git clone (without .git in the URL) checks out the latest version', async () => {
    const dest = path.join(root, 'clone-m1')
    const r = await run('git', ['clone', '-q', `${git.url}/github.com/acme/m1`, dest], { env })
    expect(r.code).toBe(0)
    expect(readFileSync(path.join(dest, 'm1.go'), 'utf8')).toContain('const V = 2')
    const tag = await run('git', ['-C', dest, 'checkout', '-q', 'v1.0.0'], { env })
    expect(tag.code).toBe(0)
    expect(readFileSync(path.join(dest, 'm1.go'), 'utf8')).toContain('const V = 1')
  })

  test('createBareRepo is deterministic (same commit ids in another root)', async () => {
    const other = await createBareRepo(path.join(root, 'again'), 'github.com/acme/m1', {
      'v1.0.0': {
        'go.mod': 'module github.com/acme/m1\n\ngo 1.19\n',
        'm1.go': 'package m1\n\nconst V = 1\n'
      },
      'v1.1.0': { 'go.mod': 'module github.com/acme/m1\n\ngo 1.19\n', 'm1.go': 'package m1\n\nconst V = 2\n' }
    })
    expect(other.commits).toEqual(m1Commits)
  })

  test('an unknown repository is 404', async () => {
    const r = await run('git', ['ls-remote', git.repoUrl('github.com/acme/nope')], { env })
    expect(r.code).toBe(128)
    expect(r.stderr).toMatch(/not found/i)
  })
})

describe('private repository', () => {
  test('without credentials git cannot prompt and exits 128', async () => {
    const r = await run('git', ['ls-remote', git.repoUrl('github.com/acme/private')], { env })
    expect(r.code).toBe(128)
    expect(r.stderr).toContain('could not read Username')
    const last = git.faults.requests('/github.com/acme/private').at(-1)
    expect(last?.authorized).toBe(false)
    expect(git.gitLog.at(-1)).toMatchObject({ repo: 'github.com/acme/private', status: 401 })
  })

  test('the 401 carries WWW-Authenticate: Basic realm="GitHub"', async () => {
    const res = await fetch(`${git.repoUrl('github.com/acme/private')}/info/refs?service=git-upload-pack`)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="GitHub"')
  })

  test('with the right token it is served, and the server saw the user', async () => {
    const r = await run('git', ['ls-remote', withToken(git.repoUrl('github.com/acme/private'))], { env })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('refs/tags/v0.1.0')
    expect(git.gitLog.at(-1)).toMatchObject({
      repo: 'github.com/acme/private',
      user: 'x-access-token',
      status: 200
    })
  })

  test('a wrong token is refused (401, git: Authentication failed)', async () => {
    const r = await run('git', ['ls-remote', withToken(git.repoUrl('github.com/acme/private'), 'wrong')], {
      env
    })
    expect(r.code).toBe(128)
    expect(r.stderr).toContain('Authentication failed')
  })

  test('a rule with wrongCredentialsStatus 404 answers "Repository not found" like GitHub', async () => {
    const r = await run('git', ['ls-remote', withToken(git.repoUrl('github.com/other/hidden'), 'wrong')], {
      env
    })
    expect(r.code).toBe(128)
    expect(r.stderr).toContain('Repository not found')
    const ok = await run('git', ['ls-remote', withToken(git.repoUrl('github.com/other/hidden'))], { env })
    expect(ok.code).toBe(0)
  })

  test('two Authorization headers → 400 Duplicate header (http.extraheader + a narrower one)', async () => {
    const url = withToken(git.repoUrl('github.com/acme/private'))
    const basic = (u: string, p: string) =>
      `AUTHORIZATION: basic ${Buffer.from(`${u}:${p}`).toString('base64')}`
    const r = await run(
      'git',
      [
        '-c',
        `http.extraheader=${basic('x-access-token', 'checkout-token')}`,
        '-c',
        `http.${git.url}/github.com/acme/.extraheader=${basic('x-access-token', TOKEN)}`,
        'ls-remote',
        url
      ],
      { env }
    )
    expect(r.code).toBe(128)
    expect(r.stderr).toContain('Duplicate header: "Authorization"')
    expect(r.stderr).toContain('400')
    expect(git.faults.log.at(-1)?.authorizationHeaders).toBe(2)
  })
})

describe('faults as git sees them', () => {
  test('502 on info/refs → exit 128; the next request passes (firstN)', async () => {
    const remove = git.faults.add({ path: '/info/refs', firstN: 1, fault: { kind: 'status', status: 502 } })
    try {
      const r = await run('git', ['ls-remote', git.repoUrl('github.com/acme/m1')], { env })
      expect(r.code).toBe(128)
      expect(r.stderr).toContain('502')
      const again = await run('git', ['ls-remote', git.repoUrl('github.com/acme/m1')], { env })
      expect(again.code).toBe(0)
    } finally {
      remove()
    }
  })

  test('a reset mid-pack on git-upload-pack → clone fails with 128', async () => {
    const remove = git.faults.add({ path: /^POST .*git-upload-pack/, fault: { kind: 'reset' } })
    try {
      const r = await run(
        'git',
        ['clone', '-q', git.repoUrl('github.com/acme/m1'), path.join(root, 'clone-reset')],
        { env }
      )
      expect(r.code).toBe(128)
      expect(git.faults.requests(/git-upload-pack/).some((x) => x.outcome === 'reset')).toBe(true)
    } finally {
      remove()
    }
  })

  test('a corrupted pack response → clone fails with 128', async () => {
    const remove = git.faults.add({ path: /^POST .*git-upload-pack/, fault: { kind: 'corrupt' } })
    try {
      const r = await run(
        'git',
        ['clone', '-q', git.repoUrl('github.com/acme/m1'), path.join(root, 'clone-corrupt')],
        { env }
      )
      expect(r.code).toBe(128)
    } finally {
      remove()
    }
  })
})

describe('go-get discovery', () => {
  test('?go-get=1 answers a go-import meta for the repository prefix of any sub-path', async () => {
    const res = await fetch(`${git.url}/github.com/acme/m1/sub/pkg?go-get=1`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(
      `<meta name="go-import" content="github.com/acme/m1 git ${git.url}/github.com/acme/m1">`
    )
  })

  test('the base URL is configurable and go-get can require auth', async () => {
    const other = await startGitServer({
      root: repos,
      goGetBaseUrl: (host) => `https://${host}`,
      auth: [{ prefix: 'github.com/acme/private', users: { u: 'p' }, goGet: true }]
    })
    try {
      const pub = await (await fetch(`${other.url}/github.com/acme/m1?go-get=1`)).text()
      expect(pub).toContain('content="github.com/acme/m1 git https://github.com/acme/m1"')
      expect((await fetch(`${other.url}/github.com/acme/private?go-get=1`)).status).toBe(401)
      const authed = await fetch(`${other.url}/github.com/acme/private?go-get=1`, {
        headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` }
      })
      expect(await authed.text()).toContain(
        'content="github.com/acme/private git https://github.com/acme/private"'
      )
    } finally {
      await other.close()
    }
  })
})

describe('shutdown', () => {
  test('close() kills a running git http-backend and frees the port', async () => {
    const server = await startGitServer({ root: repos })
    // A POST whose body never ends keeps http-backend waiting on stdin.
    const req = http.request(`${server.url}/github.com/acme/m1.git/git-upload-pack`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-git-upload-pack-request', 'transfer-encoding': 'chunked' }
    })
    req.on('error', () => undefined)
    req.write('0014command=ls-refs\n')
    for (let i = 0; i < 100 && server.activeChildren() === 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(server.activeChildren()).toBe(1)
    const needle = `GIT_PROJECT_ROOT=${path.resolve(repos)}`
    expect(processesWithEnv(needle).length).toBeGreaterThan(0)
    await server.close()
    req.destroy()
    expect(server.activeChildren()).toBe(0)
    expect(await portRefused(server.port)).toBe(true)
    // The shared server is idle: no http-backend of this root is left anywhere.
    expect(git.activeChildren()).toBe(0)
    expect(processesWithEnv(needle)).toEqual([])
  })
})
