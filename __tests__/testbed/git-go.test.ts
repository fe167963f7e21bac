/**
 * Real `go mod download` (go 1.19, GOPROXY=direct) of modules served by testbed/git-server.ts under their
 * real paths github.com/acme/<repo>, reached through testbed/mitm.ts: a public module, a private one with the
 * credential rewrite the action writes (GIT_CONFIG_COUNT url.<token URL>.insteadOf, nothing on disk), the
 * same private module refused without it, and a custom-domain module found through ?go-get=1.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createBareRepo, startGitServer, type GitServer } from '../../testbed/git-server.ts'
import { startMitm, type Mitm } from '../../testbed/mitm.ts'
import { goEnv, run } from '../helpers/git-util.ts'

const TOKEN = 'ghs_goPrivateToken'
let root: string
let git: GitServer
let mitm: Mitm
let n = 0

/** A fresh sandbox (module cache, HOME, gitconfig) with the MITM's proxy and trust variables. */
function sandbox(extra: Record<string, string> = {}) {
  const dir = path.join(root, `sandbox-${++n}`)
  mkdirSync(path.join(dir, 'work'), { recursive: true })
  writeFileSync(path.join(dir, 'work', 'go.mod'), 'module example.com/consumer\n\ngo 1.19\n')
  const env = goEnv(dir, {
    ...mitm.env,
    GOPROXY: 'direct',
    GOPRIVATE: 'github.com/acme,go.acme.dev',
    GONOSUMDB: 'github.com/acme,go.acme.dev',
    GOSUMDB: 'off',
    ...extra
  })
  return { dir, cwd: path.join(dir, 'work'), env }
}

interface Downloaded {
  Path: string
  Version: string
  Zip?: string
  Dir?: string
  Sum?: string
  Error?: string
  Origin?: { URL: string }
}

async function goDownload(mod: string, sb: ReturnType<typeof sandbox>) {
  const r = await run('go', ['mod', 'download', '-json', mod], { env: sb.env, cwd: sb.cwd, timeoutMs: 45000 })
  const info = r.stdout.trim() ? (JSON.parse(r.stdout) as Downloaded) : undefined
  return { ...r, info }
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'git-go-test-'))
  const repos = path.join(root, 'repos')
  await createBareRepo(repos, 'github.com/acme/pub', {
    'v1.0.0': {
      'go.mod': 'module github.com/acme/pub\n\ngo 1.19\n',
      'pub.go': 'package pub\n\nconst Name = "pub"\n'
    },
    'v1.2.0': {
      'go.mod': 'module github.com/acme/pub\n\ngo 1.19\n',
      'pub.go': 'package pub\n\nconst Name = "pub 1.2"\n'
    }
  })
  await createBareRepo(repos, 'github.com/acme/secret', {
    'v0.3.0': {
      'go.mod': 'module github.com/acme/secret\n\ngo 1.19\n',
      'secret.go': 'package secret\n\nconst S = 3\n'
    }
  })
  await createBareRepo(repos, 'go.acme.dev/tools', {
    'v1.4.0': { 'go.mod': 'module go.acme.dev/tools\n\ngo 1.19\n', 'tools.go': 'package tools\n' }
  })
  git = await startGitServer({
    root: repos,
    auth: [{ prefix: 'github.com/acme/secret', users: { 'x-access-token': TOKEN } }]
  })
  mitm = await startMitm({ routes: { 'github.com': git.url, 'go.acme.dev': git.url } })
})

afterAll(async () => {
  await mitm?.close()
  await git?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('go mod download, GOPROXY=direct, through the MITM', () => {
  test('a public module at github.com/acme/pub (git over https://github.com)', async () => {
    const sb = sandbox()
    const r = await goDownload('github.com/acme/pub@v1.2.0', sb)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.info?.Error).toBeUndefined()
    expect(r.info?.Origin?.URL).toBe('https://github.com/acme/pub')
    expect(r.info?.Sum).toMatch(/^h1:/)
    expect(readFileSync(path.join(r.info?.Dir ?? '', 'pub.go'), 'utf8')).toContain('pub 1.2')
    const seen = mitm.requests('github.com').filter((x) => x.path.startsWith('/acme/pub/'))
    expect(seen.map((x) => `${x.method} ${x.path.replace(/\?.*/, '')}`)).toContain('GET /acme/pub/info/refs')
    expect(seen.every((x) => x.outcome === 'forwarded' && x.tls)).toBe(true)
  })

  test('a private module is refused without credentials (git cannot prompt)', async () => {
    const sb = sandbox()
    const r = await goDownload('github.com/acme/secret@v0.3.0', sb)
    expect(r.code).toBe(1)
    expect(`${r.info?.Error ?? ''}${r.stderr}`).toMatch(/terminal prompts disabled|could not read Username/)
    expect(existsSync(path.join(sb.dir, 'gopath', 'pkg', 'mod', 'github.com', 'acme', 'secret@v0.3.0'))).toBe(
      false
    )
  })

  test('the private module with the token in an env-only insteadOf rewrite', async () => {
    const sb = sandbox({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `url.https://x-access-token:${TOKEN}@github.com/acme/.insteadOf`,
      GIT_CONFIG_VALUE_0: 'https://github.com/acme/'
    })
    git.faults.clearLog()
    const r = await goDownload('github.com/acme/secret@v0.3.0', sb)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(readFileSync(path.join(r.info?.Dir ?? '', 'secret.go'), 'utf8')).toContain('const S = 3')
    const served = git.faults.requests(/\/acme\/secret\//).filter((x) => x.user === 'x-access-token')
    expect(served.length).toBeGreaterThan(0)
    // The global gitconfig stayed empty: the credential lived only in the environment.
    expect(readFileSync(sb.env.GIT_CONFIG_GLOBAL ?? '', 'utf8')).toBe('')
  })

  test('a wrong token in the rewrite fails', async () => {
    const sb = sandbox({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'url.https://x-access-token:wrong@github.com/acme/.insteadOf',
      GIT_CONFIG_VALUE_0: 'https://github.com/acme/'
    })
    const r = await goDownload('github.com/acme/secret@v0.3.0', sb)
    expect(r.code).toBe(1)
    expect(`${r.info?.Error ?? ''}${r.stderr}`).toMatch(/Authentication failed|terminal prompts disabled/)
  })

  test('a custom-domain module is found through the go-get meta (go.acme.dev/tools)', async () => {
    const sb = sandbox()
    const r = await goDownload('go.acme.dev/tools@v1.4.0', sb)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.info?.Origin?.URL).toBe('https://go.acme.dev/tools')
    const paths = mitm.requests('go.acme.dev').map((x) => x.path)
    expect(paths).toContain('/tools?go-get=1')
    expect(paths.some((p) => p.startsWith('/tools/info/refs'))).toBe(true)
  })

  test('a 502 on info/refs is what go reports (cmd/go does not retry)', async () => {
    const remove = git.faults.add({ path: /\/acme\/pub\/info\/refs/, fault: { kind: 'status', status: 502 } })
    try {
      const sb = sandbox()
      const r = await goDownload('github.com/acme/pub@v1.0.0', sb)
      expect(r.code).toBe(1)
      expect(`${r.info?.Error ?? ''}${r.stderr}`).toMatch(/502/)
      expect(`${r.info?.Error ?? ''}${r.stderr}`).toMatch(/exit status 128/)
    } finally {
      remove()
    }
  })
})
