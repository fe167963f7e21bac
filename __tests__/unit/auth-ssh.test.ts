/**
 * SSH deploy keys, the pure part (src/credentials/ssh-keys.ts, known-hosts.ts, ssh.ts and their routing
 * in plan.ts), on real keys made by ssh-keygen/openssl, checked where possible by the real tools: `ssh -G` shows what ssh makes of the
 * generated ssh_config, `git ls-remote --get-url` what git makes of the insteadOf rules (neither connects).
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { serializeGitConfig } from '../../src/credentials/gitconfig.js'
import { BUILTIN_KNOWN_HOSTS, knownHostsCover, parseKnownHosts } from '../../src/credentials/known-hosts.js'
import { planEnvironment, type EnvironmentPlan, type PlanInput } from '../../src/credentials/plan.js'
import {
  fingerprint,
  parseLabelLine,
  parseSshKeys,
  readOpensshKey,
  secretLines
} from '../../src/credentials/ssh-keys.js'
import {
  serializeSshConfig,
  sshCommand,
  sshFiles,
  sshGitConfig,
  type SshPlan
} from '../../src/credentials/ssh.js'
import { parseCredentials } from '../../src/inputs.js'
import { cleanupKeys, keyBodyLines, makeKey, makePemKey } from '../helpers/auth-ssh-keys.js'
import { inputErrorOf as errorOf } from '../helpers/input-error.ts'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-ssh-unit-'))
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
  cleanupKeys()
})

const TOKEN = 'ghp_sshUnitToken0123456789'

function plan(
  over: Partial<PlanInput['auth']> & { env?: Record<string, string>; system?: string }
): EnvironmentPlan {
  return planEnvironment({
    auth: {
      privateModules: over.privateModules ?? ['github.com/acme/*'],
      token: over.token ?? TOKEN,
      credentials: over.credentials ?? [],
      sshPrivateKey: over.sshPrivateKey ?? '',
      sshKnownHosts: over.sshKnownHosts ?? ''
    },
    env: over.env ?? {},
    systemKnownHosts: over.system
  })
}

/** The lines of a key's body: what must never appear in a message. */
const bodyLines = (pem: string): string[] => keyBodyLines(pem)

function expectNoKeyIn(message: string, pem: string): void {
  for (const line of bodyLines(pem)) expect(message).not.toContain(line)
  expect(message).toContain('The key is not shown')
}

describe('parsing ssh-private-key', () => {
  it('reads one unlabelled OpenSSH key and writes it back with a final newline and LF line ends', () => {
    const key = makeKey()
    const pasted = key.private.trimEnd().replace(/\n/g, '\r\n') // a secret pasted on Windows, newline lost
    const [parsed, ...rest] = parseSshKeys(pasted)
    expect(rest).toEqual([])
    expect(parsed?.pem).toBe(key.private)
    expect(parsed?.keyType).toBe('ssh-ed25519')
    expect(parsed?.labels).toEqual([])
  })

  it('attaches each label to the key after it, in every URL form users write', () => {
    const [a, b, c] = [makeKey(), makeKey({ type: 'ecdsa' }), makeKey()]
    const input = [
      '# Deploy keys of the private modules (this line is a comment)',
      '# github.com/acme/x',
      a.private,
      '# git@github.com:Acme/Y.git',
      '# https://github.com/acme/z.git',
      b.private,
      '',
      '# gitlab.corp.example.com/platform/* ssh://git@gitlab.corp.example.com:2222',
      c.private
    ].join('\n')
    const keys = parseSshKeys(input)
    expect(keys.map((k) => [k.number, k.keyType, k.labels.map((l) => `${l.host}/${l.path}`)])).toEqual([
      [1, 'ssh-ed25519', ['github.com/acme/x']],
      [2, 'ecdsa-sha2-nistp256', ['github.com/Acme/Y', 'github.com/acme/z']],
      [3, 'ssh-ed25519', ['gitlab.corp.example.com/platform/']]
    ])
    expect(keys[2]?.labels[0]?.endpoint).toEqual({
      user: 'git',
      hostName: 'gitlab.corp.example.com',
      port: 2222,
      path: ''
    })
    expect(keys.map((k) => k.pem)).toEqual([a.private, b.private, c.private])
  })

  it('accepts PEM keys (PKCS#8, EC, RSA) as OpenSSH does', () => {
    for (const pem of [makePemKey('pkcs8'), makePemKey('ec'), makeKey({ type: 'rsa' }).private]) {
      expect(parseSshKeys(pem)[0]?.pem).toBe(pem.endsWith('\n') ? pem : `${pem}\n`)
    }
  })

  it('refuses a key encrypted with a passphrase, in each format, without showing it', () => {
    const encrypted = [
      makeKey({ passphrase: 'correct horse' }).private,
      makePemKey('pkcs8-encrypted'),
      makePemKey('rsa-traditional-encrypted')
    ]
    for (const pem of encrypted) {
      const error = errorOf(() => parseSshKeys(`# github.com/acme/x\n${pem}`))
      expect(error.input).toBe('ssh-private-key')
      expect(error.message).toContain('key 1 (line 2) is encrypted with a passphrase')
      expect(error.message).toContain('ssh-keygen -p -N "" -f deploy_key')
      expectNoKeyIn(error.message, pem)
    }
  })

  it('refuses a public key, a PuTTY key, a truncated key and stray text, naming the line only', () => {
    const key = makeKey()
    const pub = errorOf(() => parseSshKeys(key.public))
    expect(pub.message).toContain('line 1 holds a public key (ssh-ed25519), not a private key')
    expect(pub.message).not.toContain(key.public.split(' ')[1])

    const truncated = key.private.split('\n').slice(0, 3).join('\n')
    const cut = errorOf(() => parseSshKeys(truncated))
    expect(cut.message).toContain("key 1 (line 1) has no '-----END OPENSSH PRIVATE KEY-----' line")
    expectNoKeyIn(cut.message, truncated)

    const stray = errorOf(() => parseSshKeys(`${key.private}\nsomething pasted by mistake`))
    expect(stray.message).toMatch(/line \d+ is neither part of a key/)
    expect(stray.message).not.toContain('something pasted')

    expect(errorOf(() => parseSshKeys('PuTTY-User-Key-File-3: ssh-ed25519\n')).message).toContain('puttygen')
    const damaged = key.private.replace(/\n([A-Za-z0-9+/]{10})/, '\n$1!!')
    expect(errorOf(() => parseSshKeys(damaged)).message).toContain('is damaged')
  })

  it("explains a key whose newlines were stored as the two characters '\\n'", () => {
    const oneLine = makeKey().private.trimEnd().replace(/\n/g, '\\n')
    expect(errorOf(() => parseSshKeys(oneLine)).message).toContain("the two characters '\\n'")
  })

  it('refuses a label with no key after it and labels it cannot route', () => {
    const key = makeKey()
    expect(errorOf(() => parseSshKeys(`${key.private}# github.com/acme/x\n`)).message).toContain(
      'label on line'
    )
    expect(() => parseLabelLine('acme/x', 3)).toThrow(/does not start with a host name/)
    expect(() => parseLabelLine('github.com/acme/*-svc', 3)).toThrow(/wildcard/)
    expect(() => parseLabelLine('github.com/acme/x ssh://git@h:99999', 3)).toThrow(/not a TCP port/)
    // free text stays a comment
    expect(parseLabelLine('deploy key for the billing service', 1)).toBeUndefined()
    expect(parseLabelLine('github.com/acme/x ssh://ci@[::1]:2200/mirror/x.git', 1)).toEqual({
      host: 'github.com',
      path: 'acme/x',
      line: 1,
      endpoint: { user: 'ci', hostName: '::1', port: 2200, path: 'mirror/x' }
    })
  })

  it('lists every body line of every key for masking, and no label or armour line', () => {
    const [a, b] = [makeKey({ type: 'rsa' }), makeKey()]
    const input = `# github.com/acme/x\n${a.private}# github.com/acme/y\n${b.private}`
    const lines = secretLines(input)
    for (const pem of [a.private, b.private]) {
      for (const l of pem.split('\n').filter((x) => x.length >= 8 && !x.startsWith('-----')))
        expect(lines).toContain(l)
    }
    expect(lines.some((l) => l.includes('github.com') || l.startsWith('-----'))).toBe(false)
  })

  it('reads the OpenSSH header: cipher and key type', () => {
    const b64 = (pem: string) =>
      Buffer.from(
        pem
          .split('\n')
          .filter((l) => l && !l.startsWith('-----'))
          .join(''),
        'base64'
      )
    expect(readOpensshKey(b64(makeKey({ type: 'rsa' }).private))).toEqual({
      cipher: 'none',
      keyType: 'ssh-rsa'
    })
    expect(readOpensshKey(b64(makeKey({ passphrase: 'pw' }).private))?.cipher).toBe('aes256-ctr')
    expect(readOpensshKey(Buffer.from('not a key'))).toBeUndefined()
  })

  it('computes the fingerprint ssh-keygen -l prints', () => {
    const key = makeKey()
    const expected = execFileSync('ssh-keygen', ['-l', '-f', `${key.file}.pub`], { encoding: 'utf8' }).split(
      ' '
    )[1]
    expect(fingerprint(key.public)).toBe(expected)
  })
})

describe('known_hosts', () => {
  it("has GitHub's published keys built in, for github.com and ssh.github.com:443 only", () => {
    const builtin = parseKnownHosts(BUILTIN_KNOWN_HOSTS)
    expect(builtin.map((e) => e.keyType).sort()).toEqual([
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp256',
      'ssh-ed25519',
      'ssh-ed25519',
      'ssh-rsa',
      'ssh-rsa'
    ])
    expect(knownHostsCover(builtin, 'github.com', 22)).toBe(true)
    expect(knownHostsCover(builtin, 'ssh.github.com', 443)).toBe(true)
    expect(knownHostsCover(builtin, 'github.com', 2222)).toBe(false)
    expect(knownHostsCover(builtin, 'gitlab.com', 22)).toBe(false)
    // the published SHA256 fingerprints (docs.github.com, "GitHub's SSH key fingerprints")
    expect(builtin.slice(0, 3).map((e) => fingerprint(`${e.keyType} ${e.key}`))).toEqual([
      'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU',
      'SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM',
      'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s'
    ])
  })

  it('matches hosts as ssh does: ports, wildcards, negation, hashed names, revoked lines', () => {
    const key = makeKey().public.split(' ').slice(0, 2).join(' ')
    const hashed = path.join(tmp, 'hashed')
    fs.writeFileSync(hashed, `[git.corp.example.com]:2222 ${key}\n`)
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' })
    const hashedText = fs.readFileSync(hashed, 'utf8')
    expect(hashedText).toMatch(/^\|1\|/)
    const entries = parseKnownHosts(
      `${hashedText}*.example.org,!bad.example.org ${key}\n@revoked revoked.example.net ${key}\n[127.0.0.1]:2200 ${key}\n`,
      'ssh-known-hosts'
    )
    expect(knownHostsCover(entries, 'git.corp.example.com', 2222)).toBe(true)
    expect(knownHostsCover(entries, 'git.corp.example.com', 22)).toBe(false)
    expect(knownHostsCover(entries, 'a.example.org', 22)).toBe(true)
    expect(knownHostsCover(entries, 'bad.example.org', 22)).toBe(false)
    expect(knownHostsCover(entries, 'revoked.example.net', 22)).toBe(false)
    expect(knownHostsCover(entries, '127.0.0.1', 2200)).toBe(true)
    expect(knownHostsCover(entries, '127.0.0.1', 22)).toBe(false)
  })

  it('refuses a malformed ssh-known-hosts line, naming the input and the line', () => {
    const error = errorOf(() =>
      parseKnownHosts(
        `# from ssh-keyscan\ngit.corp.example.com ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB\n`,
        'ssh-known-hosts'
      )
    )
    expect(error.input).toBe('ssh-known-hosts')
    expect(error.message).toContain("Input 'ssh-known-hosts' line 2 is not a known_hosts line")
    expect(errorOf(() => parseKnownHosts('just-a-host\n', 'ssh-known-hosts')).message).toContain('line 1')
  })
})

describe('routing private modules to their keys (planEnvironment)', () => {
  const five = ['a', 'b', 'c', 'd', 'e'].map((r) => ({ repo: `acme/${r}`, key: makeKey() }))
  const fiveInput = five.map((f) => `# github.com/${f.repo}\n${f.key.private}`).join('')

  it('five private modules with five deploy keys: each repository gets its own key, in every URL form', () => {
    const p = plan({ sshPrivateKey: fiveInput, token: '' })
    const ssh = p.ssh as SshPlan
    expect(ssh.aliases.map((a) => [a.name, a.key, a.endpoint, a.scopes])).toEqual(
      five.map((f, i) => [
        `setup-go-deps-${i + 1}`,
        i + 1,
        { user: 'git', hostName: 'github.com', port: 22 },
        [`github.com/${f.repo}`]
      ])
    )
    expect(p.grants).toEqual([]) // no token: nothing over https
    expect(p.credentialScopes).toEqual(five.map((f, i) => `github.com/${f.repo} (ssh, key ${i + 1})`))
    // what git makes of it
    const files = sshFiles(path.join(tmp, 'five'), path.join)
    const gitconfig = path.join(tmp, 'five.gitconfig')
    fs.writeFileSync(gitconfig, serializeGitConfig(sshGitConfig(ssh, files)))
    const url = (u: string) =>
      execFileSync('git', ['-c', `include.path=${gitconfig}`, 'ls-remote', '--get-url', u], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
        cwd: tmp
      }).trim()
    expect(url('https://github.com/acme/c')).toBe('setup-go-deps-3:acme/c')
    expect(url('git@github.com:acme/d.git')).toBe('setup-go-deps-4:acme/d.git')
    expect(url('ssh://git@github.com/acme/e')).toBe('setup-go-deps-5:acme/e')
    expect(url('https://github.com/other/x')).toBe('https://github.com/other/x')
    expect(
      execFileSync('git', ['config', '-f', gitconfig, 'core.sshCommand'], { encoding: 'utf8' }).trim()
    ).toBe(sshCommand(files.config))
  })

  it('the token keeps the rest of the organisation; the labelled repositories win by the longer prefix', () => {
    const p = plan({ sshPrivateKey: fiveInput })
    expect(p.grants.map((g) => `${g.host}/${g.path}`)).toEqual(['github.com/acme/'])
    const files = sshFiles(path.join(tmp, 'mixed'), path.join)
    const gitconfig = path.join(tmp, 'mixed.gitconfig')
    fs.writeFileSync(
      gitconfig,
      serializeGitConfig([...p.gitConfig, ...sshGitConfig(p.ssh as SshPlan, files)])
    )
    const url = (u: string) =>
      execFileSync('git', ['-c', `include.path=${gitconfig}`, 'ls-remote', '--get-url', u], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
        cwd: tmp
      }).trim()
    expect(url('https://github.com/acme/a')).toBe('setup-go-deps-1:acme/a')
    expect(url('git@github.com:acme/b')).toBe('setup-go-deps-2:acme/b')
    expect(url('https://github.com/acme/zeta')).toBe('https://github.com/acme/zeta')
    expect(url('git@github.com:acme/zeta')).toBe('https://github.com/acme/zeta')
  })

  it('one unlabelled key takes every private-modules scope on the GitHub host in place of the token', () => {
    const key = makeKey()
    const p = plan({
      privateModules: ['github.com/acme/*', 'github.com/tools/cli', 'gitlab.com/x/*'],
      sshPrivateKey: key.private
    })
    expect(p.grants).toEqual([])
    expect(p.ssh?.routes.map((r) => [`${r.host}/${r.path}`, r.key])).toEqual([
      ['github.com/acme/', 1],
      ['github.com/tools/cli', 1]
    ])
    expect(p.ssh?.aliases.length).toBe(1) // one key, one endpoint: one alias for both scopes
  })

  it('two unlabelled keys fail: GitHub would take the first for every repository', () => {
    const error = errorOf(() => plan({ sshPrivateKey: makeKey().private + makeKey().private }))
    expect(error.input).toBe('ssh-private-key')
    expect(error.message).toContain('has 2 keys without a label (keys 1, 2)')
    expect(error.message).toContain("'# github.com/<org>/<repo>'")
  })

  it('for one scope: a labelled key beats a credentials line, a credentials line beats the unlabelled key', () => {
    const key = makeKey()
    const labelled = plan({
      privateModules: ['gitlab.corp.example.com/acme/*'],
      credentials: parseCredentials('gitlab.corp.example.com/acme/app oauth2:glpat-x'),
      sshPrivateKey: `# gitlab.corp.example.com/acme/app\n${key.private}`,
      sshKnownHosts: `gitlab.corp.example.com ${key.public}`
    })
    expect(labelled.grants).toEqual([])
    expect(labelled.notes.join('\n')).toContain('the labelled key is used')

    const unlabelled = plan({
      credentials: parseCredentials('github.com/acme ci:ghp_cred'),
      sshPrivateKey: key.private
    })
    expect(unlabelled.grants.map((g) => g.source)).toEqual(["input 'credentials' (github.com/acme)"])
    expect(unlabelled.ssh?.routes).toEqual([])
    expect(unlabelled.notes.join('\n')).toContain('Key 1 (line 1) is not used')
  })

  it('two keys labelled for the same repository fail, naming both', () => {
    const input = `# github.com/acme/x\n${makeKey().private}# github.com/acme/x\n${makeKey().private}`
    expect(errorOf(() => plan({ sshPrivateKey: input })).message).toContain(
      'labels key 1 and key 2 both for github.com/acme/x'
    )
  })

  it('a host without a known host key fails before anything is written, pointing at ssh-known-hosts', () => {
    const key = makeKey()
    const input = `# github.com/acme/x ssh://git@127.0.0.1:2200\n${key.private}`
    const error = errorOf(() => plan({ sshPrivateKey: input }))
    expect(error.input).toBe('ssh-known-hosts')
    expect(error.message).toContain('has no host key for [127.0.0.1]:2200')
    expect(error.message).toContain('ssh-keyscan -p 2200 127.0.0.1')
    expect(error.message).toContain('never turns host-key checking off')
    // given by the input, or by the runner's /etc/ssh/ssh_known_hosts
    const host = `[127.0.0.1]:2200 ${makeKey().public}`
    expect(plan({ sshPrivateKey: input, sshKnownHosts: host }).ssh?.knownHosts).toContain(
      host.split(' test-')[0]
    )
    expect(plan({ sshPrivateKey: input, system: host }).ssh?.aliases[0]?.endpoint.port).toBe(2200)
  })

  it('a GIT_SSH_COMMAND set by the workflow fails: it would override the keys', () => {
    const error = errorOf(() =>
      plan({ sshPrivateKey: makeKey().private, env: { GIT_SSH_COMMAND: 'ssh -o StrictHostKeyChecking=no' } })
    )
    expect(error.message).toContain("the workflow sets GIT_SSH_COMMAND ('ssh -o StrictHostKeyChecking=no')")
  })

  it('a label outside private-modules is noted (go would ask the proxy for it)', () => {
    const p = plan({ sshPrivateKey: `# github.com/other/x\n${makeKey().private}` })
    expect(p.notes.join('\n')).toContain('no private-modules pattern names it')
  })

  it('masks every key line through the plan secrets too', () => {
    const key = makeKey()
    const p = plan({ sshPrivateKey: key.private })
    for (const l of keyBodyLines(key.private)) expect(p.secrets).toContain(l)
  })
})

describe('the ssh_config ssh reads', () => {
  const key = makeKey()
  const p = plan({
    sshPrivateKey: `# github.com/acme/x ssh://ci@127.0.0.1:2200\n${key.private}# github.com/acme/y\n${makeKey().private}`,
    sshKnownHosts: `[127.0.0.1]:2200 ${key.public}`
  })
  const dir = path.join(tmp, 'odd %d dir')
  const files = sshFiles(dir, path.join)

  /** `ssh -G`: the options ssh would use for a host, without connecting. */
  function effective(config: string, host: string): Record<string, string[]> {
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(files.config, config)
    const out = execFileSync('ssh', ['-G', '-F', files.config, host], { encoding: 'utf8' })
    const opts: Record<string, string[]> = {}
    for (const line of out.split('\n')) {
      const [k, ...v] = line.split(' ')
      if (k) (opts[k] ??= []).push(v.join(' '))
    }
    return opts
  }

  it('checks host keys against the private known_hosts and offers only that key', () => {
    const o = effective(serializeSshConfig(p.ssh as SshPlan, files), 'setup-go-deps-1')
    expect(o.hostname).toEqual(['127.0.0.1'])
    expect(o.port).toEqual(['2200'])
    expect(o.user).toEqual(['ci'])
    // ssh -G prints IdentityFile before its %-token expansion (UserKnownHostsFile after it): %% -> %
    expect(o.identityfile).toEqual([files.key(1).replace('%', '%%')])
    expect(o.userknownhostsfile).toEqual([files.knownHosts])
    expect(o.stricthostkeychecking).toEqual(['true'])
    expect(o.identitiesonly).toEqual(['yes'])
    expect(o.batchmode).toEqual(['yes'])
    expect(o.controlmaster).toEqual(['false'])
    expect(effective(serializeSshConfig(p.ssh as SshPlan, files), 'setup-go-deps-2').hostname).toEqual([
      'github.com'
    ])
  })

  it("a hostile user config (StrictHostKeyChecking no, another key) cannot weaken the action's hosts", () => {
    const hostile = path.join(tmp, 'hostile_config')
    fs.writeFileSync(
      hostile,
      'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  IdentityFile /tmp/other\n  ControlMaster auto\n  ControlPersist 600\n  ProxyCommand nc %h %p\n'
    )
    const config = serializeSshConfig(p.ssh as SshPlan, files).replace(
      'Include ~/.ssh/config',
      `Include ${hostile}`
    )
    const o = effective(config, 'setup-go-deps-1')
    expect(o.stricthostkeychecking).toEqual(['true'])
    expect(o.userknownhostsfile).toEqual([files.knownHosts])
    expect(o.identityfile?.[0]).toBe(files.key(1).replace('%', '%%')) // ours first: ssh offers it first
    expect(o.controlmaster).toEqual(['false'])
    expect(o.proxycommand).toEqual(['nc %h %p']) // options we leave open come from the user
    // other hosts: as the user configured them
    expect(effective(config, 'example.com').stricthostkeychecking).toEqual(['false'])
  })

  it('never writes an option that turns host-key checking off', () => {
    const text = serializeSshConfig(p.ssh as SshPlan, files) + sshCommand(files.config)
    expect(text).not.toMatch(/StrictHostKeyChecking\s*=?\s*(no|off|accept-new)/i)
    expect(text).not.toMatch(/UserKnownHostsFile\s*=?\s*\/dev\/null/i)
  })
})
