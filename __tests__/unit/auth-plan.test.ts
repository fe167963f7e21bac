import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { onlyOurIncludes, planGitConfigEnv, serializeGitConfig } from '../../src/credentials/gitconfig.js'
import { parseExistingHeaders } from '../../src/credentials/http.js'
import { serializeNetrc } from '../../src/credentials/netrc.js'
import { planEnvironment, type EnvironmentPlan, type PlanInput } from '../../src/credentials/plan.js'
import type { Claim } from '../../src/credentials/grant.js'
import { precedence } from '../../src/credentials/precedence.js'
import { covers, patternScope } from '../../src/credentials/scope.js'
import type { CredentialLine } from '../../src/config.js'
import { parseCredentials } from '../../src/inputs.js'
import { makeKey } from '../helpers/auth-ssh-keys.js'
import { inputErrorOf as errorOf } from '../helpers/input-error.ts'

const TOKEN = 'ghp_Tok3nValue0123456789abcdefABCDEF'
const b64 = (s: string): string => Buffer.from(s).toString('base64')

function plan(over: {
  privateModules?: string[]
  token?: string
  credentials?: CredentialLine[]
  sshPrivateKey?: string
  serverUrl?: string
  env?: Record<string, string>
  existingHeaders?: PlanInput['existingHeaders']
}): EnvironmentPlan {
  return planEnvironment({
    auth: {
      privateModules: over.privateModules ?? [],
      token: over.token ?? TOKEN,
      credentials: over.credentials ?? [],
      sshPrivateKey: over.sshPrivateKey ?? ''
    },
    serverUrl: over.serverUrl,
    env: over.env ?? {},
    existingHeaders: over.existingHeaders
  })
}

/** The git config entries as `key=value` lines, the token replaced by <T> for readable expectations. */
function entries(p: EnvironmentPlan): string[] {
  return p.gitConfig.map((e) => `${e.key}=${e.value.replace(b64(`x-access-token:${TOKEN}`), '<T>')}`)
}

describe('patterns -> credential scopes', () => {
  it.each([
    ['github.com/acme/*', 'acme/', false],
    ['github.com/acme', 'acme/', false],
    ['github.com/acme/repo', 'acme/repo', false],
    ['github.com/acme/*-svc', 'acme/', true],
    ['github.com/*/repo', '', true],
    ['github.com', '', false],
    ['git*.com/acme', 'acme/', false]
  ])('%s gives the token to https://github.com/%s (widened: %s)', (pattern, scope, widened) => {
    expect(patternScope(pattern, 'github.com')).toEqual({ path: scope, widened })
  })

  it('a pattern on another host or a glob host that does not match gets nothing', () => {
    expect(patternScope('gitlab.com/acme/*', 'github.com')).toBeUndefined()
    expect(patternScope('*.corp.example.com', 'github.com')).toBeUndefined()
    expect(patternScope('github.com.evil.example/acme', 'github.com')).toBeUndefined()
  })

  it('a glob host matching the GHES host gives that whole host', () => {
    expect(patternScope('*.corp.example.com', 'git.corp.example.com')).toEqual({ path: '', widened: false })
    expect(patternScope('*.corp.example.com', 'corp.example.com')).toBeUndefined()
  })

  it('covers is by path element, not by string prefix', () => {
    expect(covers({ host: 'h', path: 'acme/' }, { host: 'h', path: 'acme/x' })).toBe(true)
    expect(covers({ host: 'h', path: 'acme/x' }, { host: 'h', path: 'acme/xy' })).toBe(false)
    expect(covers({ host: 'h', path: '' }, { host: 'h', path: 'acme/' })).toBe(true)
    expect(covers({ host: 'h', path: 'acme/' }, { host: 'g', path: 'acme/' })).toBe(false)
  })
})

describe('git config for github.com/acme/*', () => {
  const p = plan({ privateModules: ['github.com/acme/*'] })

  it('rewrites the https, scp-like and ssh forms of acme onto https and sends one header there', () => {
    expect(entries(p)).toEqual([
      'url.https://github.com/acme/.insteadOf=https://github.com/acme/',
      'url.https://github.com/acme/.insteadOf=git@github.com:acme/',
      'url.https://github.com/acme/.insteadOf=ssh://git@github.com/acme/',
      'http.https://github.com/acme/.extraheader=',
      'http.https://github.com/acme/.extraheader=AUTHORIZATION: basic <T>',
      'http.https://github.com/acme/.followRedirects=false'
    ])
    expect(p.credentialScopes).toEqual(['github.com/acme/'])
  })

  it('turns off redirects wherever the header is sent (git would carry it to the redirect target)', () => {
    const p = plan({ privateModules: ['github.com/acme/repo'] })
    const headerUrls = p.gitConfig
      .filter((e) => e.value.startsWith('AUTH'))
      .map((e) => e.key.replace(/\.extraheader$/, ''))
    const noRedirect = p.gitConfig
      .filter((e) => e.key.endsWith('.followRedirects') && e.value === 'false')
      .map((e) => e.key.replace(/\.followRedirects$/, ''))
    expect(noRedirect).toEqual(headerUrls)
    expect(headerUrls).toHaveLength(2)
  })

  it('never puts the token in a URL (git would pass it in argv to git-remote-https)', () => {
    for (const e of p.gitConfig) {
      expect(e.key).not.toContain(TOKEN)
      if (e.key.endsWith('insteadOf')) expect(e.value).not.toMatch(/x-access-token|:[^/@]+@/)
    }
  })

  it('gives nothing to another organisation or another host', () => {
    const keys = p.gitConfig.map((e) => e.key).join('\n')
    expect(keys).not.toMatch(/github\.com\/(?!acme\/)/)
    expect(keys).not.toContain('gitlab')
  })

  it('needs no .netrc for github.com', () => {
    expect(p.netrc).toEqual([]) // go never makes its own HTTP request to github.com (built-in host)
  })

  it('lists the raw token and every derived form as secrets', () => {
    expect(p.secrets).toEqual(
      expect.arrayContaining([TOKEN, b64(`x-access-token:${TOKEN}`), encodeURIComponent(TOKEN)])
    )
    const header = p.gitConfig.find((e) => e.value.startsWith('AUTHORIZATION'))?.value ?? ''
    expect(p.secrets.some((s) => header.includes(s))).toBe(true)
  })
})

describe('scoping', () => {
  it('a repository pattern covers the repository and its .git form, nothing beside it', () => {
    const p = plan({ privateModules: ['github.com/acme/repo'] })
    const headers = p.gitConfig.filter((e) => e.value.startsWith('AUTH')).map((e) => e.key)
    expect(headers).toEqual([
      'http.https://github.com/acme/repo.extraheader',
      'http.https://github.com/acme/repo.git.extraheader'
    ])
  })

  it('the GHES host of GITHUB_SERVER_URL gets the token, github.com does not', () => {
    const p = plan({
      privateModules: ['ghes.corp.example.com/acme/*', 'github.com/acme/*'],
      serverUrl: 'https://ghes.corp.example.com'
    })
    expect(p.credentialScopes).toEqual(['ghes.corp.example.com/acme/'])
    // GHES is not in go's built-in table: go's ?go-get=1 discovery request needs the credential too.
    expect(p.netrc).toEqual([{ machine: 'ghes.corp.example.com', login: 'x-access-token', password: TOKEN }])
  })

  it('a GHES host with a port gets https rewrites only and a netrc line without the port', () => {
    const p = plan({ privateModules: ['ghes.example.com/acme'], serverUrl: 'https://ghes.example.com:8443/' })
    expect(p.gitConfig.filter((e) => e.key.endsWith('insteadOf')).map((e) => e.value)).toEqual([
      'https://ghes.example.com:8443/acme/'
    ])
    expect(p.netrc[0]?.machine).toBe('ghes.example.com')
  })

  it('credentials lines give their own scope and username, and a netrc line for go discovery', () => {
    const credentials = parseCredentials(
      'gitlab.com/acme oauth2:glpat-AAA\nbitbucket.org/team x-token-auth:bbBBB\n'
    )
    const p = plan({ privateModules: ['gitlab.com/acme/*', 'bitbucket.org/team/*'], credentials, token: '' })
    expect(p.credentialScopes).toEqual(['gitlab.com/acme/', 'bitbucket.org/team/'])
    expect(p.gitConfig).toContainEqual({
      key: 'http.https://gitlab.com/acme/.extraheader',
      value: `AUTHORIZATION: basic ${b64('oauth2:glpat-AAA')}`
    })
    expect(p.gitConfig).toContainEqual({
      key: 'url.https://bitbucket.org/team/.insteadOf',
      value: 'git@bitbucket.org:team/'
    })
    // bitbucket.org is in go's built-in table; gitlab.com is resolved with ?go-get=1.
    expect(p.netrc).toEqual([{ machine: 'gitlab.com', login: 'oauth2', password: 'glpat-AAA' }])
    expect(p.secrets).toEqual(
      expect.arrayContaining(['glpat-AAA', b64('oauth2:glpat-AAA'), 'bbBBB', b64('x-token-auth:bbBBB')])
    )
  })

  it('a credentials line for the same scope wins over token', () => {
    const p = plan({
      privateModules: ['github.com/acme/*'],
      credentials: parseCredentials('github.com/acme me:ghp_other')
    })
    const headers = p.gitConfig.filter((e) => e.value.startsWith('AUTH'))
    expect(headers).toEqual([
      {
        key: 'http.https://github.com/acme/.extraheader',
        value: `AUTHORIZATION: basic ${b64('me:ghp_other')}`
      }
    ])
    expect(p.secrets).not.toContain(TOKEN)
  })

  it('a narrower scope with the same token is dropped, a different token is kept', () => {
    const same = plan({ privateModules: ['github.com/acme/*', 'github.com/acme/repo'] })
    expect(same.credentialScopes).toEqual(['github.com/acme/'])
    const other = plan({
      privateModules: ['github.com/acme/*'],
      credentials: parseCredentials('github.com/acme/special u:tok2')
    })
    expect(other.credentialScopes).toEqual(['github.com/acme/special', 'github.com/acme/'])
  })

  it('a glob in the organisation widens the scope to the whole host and says so', () => {
    const p = plan({ privateModules: ['github.com/*/internal-*'] })
    expect(p.credentialScopes).toEqual(['github.com/'])
    expect(p.notes.join('\n')).toContain('every repository under https://github.com/')
  })

  it('a credentials line for a host no pattern names is noted (a private proxy host is fine)', () => {
    const p = plan({ credentials: parseCredentials('athens.corp.example.com ci:pw1') })
    expect(p.netrc).toEqual([{ machine: 'athens.corp.example.com', login: 'ci', password: 'pw1' }])
    expect(p.notes.join('\n')).toContain('no private-modules pattern names athens.corp.example.com')
  })

  it('netrc holds one credential per host and says which', () => {
    const p = plan({
      credentials: parseCredentials('gitlab.com/a u:t1\ngitlab.com/b u:t2'),
      privateModules: ['gitlab.com/*']
    })
    expect(p.netrc).toEqual([{ machine: 'gitlab.com', login: 'u', password: 't1' }])
    expect(p.notes.join('\n')).toContain('one credential per host')
  })
})

describe('private patterns', () => {
  it("uses the GOPRIVATE in effect (the runner's patterns and private-modules) to decide what is private", () => {
    const p = plan({ privateModules: ['github.com/acme/*'], env: { GOPRIVATE: 'corp.example.com' } })
    expect(p.privatePatterns).toEqual(['corp.example.com', 'github.com/acme/*'])
  })

  it('without private modules and inputs, writes no credentials', () => {
    const p = plan({})
    expect(p).toMatchObject({ gitConfig: [], netrc: [], secrets: [], credentialScopes: [] })
  })
})

describe('bad input', () => {
  it('an empty token with a private pattern on the GitHub host names both inputs', () => {
    const error = errorOf(() => plan({ privateModules: ['github.com/acme/*'], token: '' }))
    expect(error.input).toBe('token')
    expect(error.message).toContain("Input 'private-modules' names 'github.com/acme/*' on github.com")
    expect(error.message).toContain("input 'token' is empty")
    expect(error.message).toContain("'credentials' line 'github.com/acme <user>:<token>'")
  })

  it('an empty token is fine when a credentials line or an ssh key covers the pattern, or it is on another host', () => {
    expect(
      plan({
        privateModules: ['github.com/acme/*'],
        token: '',
        credentials: parseCredentials('github.com u:t')
      }).credentialScopes
    ).toEqual(['github.com/'])
    expect(
      plan({ privateModules: ['github.com/acme/*'], token: '', sshPrivateKey: makeKey().private })
        .credentialScopes
    ).toEqual(['github.com/acme/ (ssh, key 1)'])
    expect(plan({ privateModules: ['gitlab.com/acme/*'], token: '' }).credentialScopes).toEqual([])
  })

  it('a credentials line with a wildcard fails without echoing its token (parseCredentials, before any plan)', () => {
    const error = errorOf(() => parseCredentials('gitlab.com/a* u:SECRET1'))
    expect(error.input).toBe('credentials')
    expect(error.message).toContain("'gitlab.com/a*'")
    expect(error.message).toContain('wildcard')
    expect(error.message).not.toContain('SECRET1')
  })
})

describe('existing extraheaders (actions/checkout)', () => {
  it('parses git config --show-scope --name-only output', () => {
    const out =
      'local\thttp.https://github.com/.extraheader\nglobal\thttp.extraheader\nsystem\thttp.https://x.example/.extraheader\n'
    expect(parseExistingHeaders(out)).toEqual([
      { scope: 'local', url: 'https://github.com/' },
      { scope: 'global', url: '' },
      { scope: 'system', url: 'https://x.example/' }
    ])
  })

  it("notes checkout's local header and a global one that covers the scope, not one for another host", () => {
    const p = plan({
      privateModules: ['github.com/acme/*'],
      existingHeaders: [
        { scope: 'local', url: 'https://github.com/' },
        { scope: 'global', url: 'https://github.com/acme' },
        { scope: 'global', url: 'https://gitlab.com/' },
        { scope: 'global', url: 'https://github.com/other/' }
      ]
    })
    expect(p.notes).toHaveLength(2)
    expect(p.notes[0]).toContain("actions/checkout's")
    expect(p.notes[1]).toContain('resets it for https://github.com/acme/')
    // the reset is written whether or not a conflict was seen
    expect(plan({ privateModules: ['github.com/acme/*'] }).gitConfig).toContainEqual({
      key: 'http.https://github.com/acme/.extraheader',
      value: ''
    })
  })
})

describe('files and variables', () => {
  it('serializes a git config file that git reads back exactly, header reset included', () => {
    const p = plan({
      privateModules: ['github.com/acme/*'],
      credentials: parseCredentials('gitlab.com/a"b;c#d u:t\\"#;x')
    })
    const dir = mkdtempSync(path.join(tmpdir(), 'auth-plan-'))
    const file = path.join(dir, 'config')
    writeFileSync(file, serializeGitConfig(p.gitConfig))
    const listed = execFileSync('git', ['config', '--file', file, '--null', '--list'], { encoding: 'utf8' })
      .split('\0')
      .filter((l) => l !== '')
      .map((l) => {
        const i = l.indexOf('\n')
        return { key: l.slice(0, i), value: l.slice(i + 1) }
      })
    // git lowercases section and variable names, not subsections
    const norm = (e: { key: string; value: string }) => ({
      key: e.key.replace(
        /^(\w+)\.(.*)\.(\w+)$/,
        (_m, s: string, sub: string, n: string) => `${s.toLowerCase()}.${sub}.${n.toLowerCase()}`
      ),
      value: e.value
    })
    expect(listed).toEqual(p.gitConfig.map(norm))
  })

  it("netrc: ours first, then the user's own file kept verbatim", () => {
    const text = serializeNetrc(
      [{ machine: 'gitlab.com', login: 'oauth2', password: 'p' }],
      'machine athens login a password b'
    )
    expect(text).toBe('machine gitlab.com\nlogin oauth2\npassword p\n\nmachine athens login a password b\n')
  })

  it("GIT_CONFIG_PARAMETERS: includes our file for go's repositories only, and git reads it back", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "auth-plan-it's!-"))
    const vcs = path.join(dir, 'go', 'pkg', 'mod', 'cache', 'vcs')
    const file = path.join(dir, 'gitconfig')
    writeFileSync(file, serializeGitConfig([{ key: 'user.name', value: 'From Include' }]))
    const out = planGitConfigEnv({}, [{ gitdir: vcs }, { gitdir: `${vcs}/` }], file)
    expect(Object.keys(out)).toEqual(['GIT_CONFIG_PARAMETERS'])
    execFileSync('git', ['init', '-q', '--bare', path.join(vcs, 'abc')])
    const name = (cwd: string) =>
      execFileSync('git', ['config', 'user.name'], {
        cwd,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', ...out }
      }).trim()
    expect(name(path.join(vcs, 'abc'))).toBe('From Include')
    expect(() => name(dir)).toThrow() // elsewhere: not set at all
  })

  it("GIT_CONFIG_PARAMETERS: the workflow's GIT_CONFIG_COUNT entries are left alone, never re-exported", () => {
    const out = planGitConfigEnv(
      { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraheader', GIT_CONFIG_VALUE_0: 'X-Secret: s3cr3t' },
      [{ gitdir: '/home/r/go/pkg/mod/cache/vcs' }],
      '/tmp/x/gitconfig'
    )
    expect(out).toEqual({
      GIT_CONFIG_PARAMETERS: "'includeIf.gitdir:/home/r/go/pkg/mod/cache/vcs/.path'='/tmp/x/gitconfig'"
    })
  })

  it('GIT_CONFIG_PARAMETERS: escapes glob characters and uses gitdir/i where paths are case-insensitive', () => {
    const out = planGitConfigEnv(
      {},
      [{ gitdir: 'C:\\Users\\r[1]\\go\\pkg\\mod\\cache\\vcs' }],
      'C:/t/gitconfig',
      true
    )
    expect(out.GIT_CONFIG_PARAMETERS).toBe(
      "'includeIf.gitdir/i:C:/Users/r\\[1]/go/pkg/mod/cache/vcs/.path'='C:/t/gitconfig'"
    )
  })

  it('GIT_CONFIG_PARAMETERS: refuses to add to a value already there (it would export it for the job)', () => {
    expect(() => planGitConfigEnv({ GIT_CONFIG_PARAMETERS: "'a.b'='c'" }, [], 'f')).toThrow(
      /GIT_CONFIG_PARAMETERS .* is set in this step's environment/
    )
  })

  it("GIT_CONFIG_PARAMETERS: replaces an earlier use's include of this action, and nothing else", () => {
    const vcs = [{ gitdir: '/h/go/pkg/mod/cache/vcs' }]
    const earlier = planGitConfigEnv({}, vcs, "/t/setup-go-deps-auth-it's!x/gitconfig").GIT_CONFIG_PARAMETERS!
    expect(onlyOurIncludes(earlier)).toBe(true)
    expect(onlyOurIncludes(`${earlier} ${earlier}`)).toBe(true)
    expect(
      planGitConfigEnv({ GIT_CONFIG_PARAMETERS: earlier }, vcs, '/t/setup-go-deps-auth-b/gitconfig')
    ).toEqual({
      GIT_CONFIG_PARAMETERS:
        "'includeIf.gitdir:/h/go/pkg/mod/cache/vcs/.path'='/t/setup-go-deps-auth-b/gitconfig'"
    })
    for (const other of [
      `${earlier} 'http.extraheader'='X: secret'`,
      "'includeIf.gitdir:/x/.path'='/t/other/gitconfig'",
      "'includeIf.gitdir:/x/.path'='/t/setup-go-deps-auth-a/other'",
      "'includeIf.gitdir:/x/.path'",
      "'unterminated"
    ])
      expect([other, onlyOurIncludes(other)]).toEqual([other, false])
  })
})

describe('precedence between credential kinds (one pure function)', () => {
  const http = (kind: 'token' | 'credentials', path: string, token = 't'): Claim => ({
    kind,
    grant: { host: 'github.com', path, username: 'u', token, source: kind }
  })
  const ssh = (kind: 'ssh-label' | 'ssh-unlabelled', path: string, key = 1): Claim => ({
    kind,
    route: {
      host: 'github.com',
      path,
      key,
      endpoint: { user: 'git', hostName: 'github.com', port: 22, path: '' },
      source: kind
    }
  })
  const names = (cs: readonly Claim[]) =>
    cs.map((c) => `${c.kind} ${'grant' in c ? c.grant.path : c.route.path}`)

  it('the more explicit kind wins the same scope: label > credentials line > unlabelled key > token', () => {
    const claims = [
      http('token', 'acme/'),
      ssh('ssh-unlabelled', 'acme/'),
      http('credentials', 'acme/'),
      ssh('ssh-label', 'acme/')
    ]
    const { kept, overridden } = precedence(claims)
    expect(names(kept)).toEqual(['ssh-label acme/'])
    expect(overridden.map((o) => o.claim.kind)).toEqual(['token', 'ssh-unlabelled', 'credentials'])
  })

  it('a pattern-derived kind gives way to an explicit one that covers it; an explicit one keeps its own narrower scope', () => {
    const { kept } = precedence([
      ssh('ssh-label', 'acme/x'),
      http('credentials', 'acme/'),
      http('token', 'acme/y')
    ])
    expect(names(kept)).toEqual(['ssh-label acme/x', 'credentials acme/'])
    // the token keeps the rest of the organisation beside a labelled repository
    expect(names(precedence([ssh('ssh-label', 'acme/x'), http('token', 'acme/')]).kept)).toEqual([
      'ssh-label acme/x',
      'token acme/'
    ])
  })

  it('a claim inside another that sends the same credential adds nothing; another credential stays', () => {
    expect(names(precedence([http('token', 'acme/'), http('token', 'acme/x')]).kept)).toEqual(['token acme/'])
    expect(
      names(precedence([http('credentials', 'acme/', 'a'), http('credentials', 'acme/x', 'b')]).kept)
    ).toEqual(['credentials acme/', 'credentials acme/x'])
  })
})
