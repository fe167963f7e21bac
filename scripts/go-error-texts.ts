/**
 * Regenerates __tests__/fixtures/go-error-texts.json: what the machine's `go` prints for every failure
 * class the classifier knows, produced against the loopback test bed (module proxy with faults, git server
 * behind the MITM as https://github.com, a damaged module cache, bad GOPROXY/GOSUMDB/GOFLAGS, a too-new
 * go line under GOTOOLCHAIN=local, ...). Each entry is the text the action classifies: the `Error` of a
 * `go mod download -json` object when go printed one, else stderr.
 *
 *   node --experimental-strip-types scripts/go-error-texts.ts            # writes the fixture
 *   node --experimental-strip-types scripts/go-error-texts.ts --print    # prints it instead
 *
 * Two substitutions keep the file stable between runs (everything else is go's text byte for byte):
 * the scenario's temporary directory becomes /tmp/gotexts, and each loopback server's port a fixed one
 * (proxy 18701, git/MITM 18702, a closed port stays 1). The expected class of each entry is in
 * __tests__/unit/classify.test.ts; a regenerated entry whose class changed fails there.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  artefactPattern,
  generateModules,
  isolatedGoEnv,
  removeTree,
  runGo,
  startGitServer,
  startMitm,
  startModuleProxy,
  writeConsumerProject,
  writeGitRepo,
  type ModuleVersion
} from '../testbed/index.ts'

interface Text {
  id: string
  /** What the scenario did, in words. */
  what: string
  /** The go command, as the action (or a user) runs it, with the scenario's environment in front. */
  command: string
  /** go's exit code. */
  exitCode: number | null
  text: string
}

const FIXTURE = path.join(import.meta.dirname, '..', '__tests__', 'fixtures', 'go-error-texts.json')

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'gotexts-'))
  const set = generateModules({ dir: path.join(root, 'mods'), count: 3, deps: [[], [], []] })
  const priv = generateModules({
    dir: path.join(root, 'priv'),
    names: ['github.com/acme/m1', 'github.com/open/lib'],
    write: false
  })
  const repos = path.join(root, 'repos')
  for (const m of priv.modules) writeGitRepo(m, path.join(repos, `${m.path}.git`))
  const proxy = await startModuleProxy({ modules: set })
  const git = await startGitServer({
    root: repos,
    auth: [{ prefix: 'github.com/acme/', users: { 'x-access-token': 'ghp_x' } }]
  })
  const mitm = await startMitm({ routes: { 'github.com': git.url } })
  const ports: Array<[string, string]> = [
    [new URL(proxy.url).port, '18701'],
    [new URL(git.url).port, '18702'],
    [String(mitm.port), '18703']
  ]
  const sanitize = (s: string): string => {
    let out = s.split(root).join('/tmp/gotexts')
    for (const [from, to] of ports) out = out.split(`127.0.0.1:${from}`).join(`127.0.0.1:${to}`)
    return out
  }
  const texts: Text[] = []
  const [m1, m2] = set.latest() as [ModuleVersion, ModuleVersion, ModuleVersion]
  let n = 0

  /** A fresh GOPATH and consumer project; run `go <args>` there and record what the action would classify. */
  const scenario = async (p: {
    id: string
    what: string
    args: string[]
    env?: Record<string, string>
    requires?: ModuleVersion[]
    prepare?: (dir: string, env: Record<string, string>, gomodcache: string) => Promise<void> | void
    /** Take stderr even when go printed JSON errors. */
    stderr?: boolean
  }): Promise<void> => {
    const dir = path.join(root, `s${++n}`)
    const go = isolatedGoEnv({ root: dir, goproxy: proxy.goproxy, goflags: '', extra: p.env })
    const ws = path.join(dir, 'ws')
    writeConsumerProject(ws, { requires: p.requires ?? [m1, m2] })
    await p.prepare?.(ws, go.env, go.gomodcache)
    const res = await runGo(p.args, { cwd: ws, env: go.env, timeoutMs: 60_000 })
    const errors = [...res.stdout.matchAll(/"Error": ("(?:[^"\\]|\\.)*")/g)].map(
      (m) => JSON.parse(m[1] as string) as string
    )
    const text = !p.stderr && errors.length > 0 ? errors.join('\n') : res.stderr
    const envText = Object.entries(p.env ?? {})
      .filter(([k]) => !/^(?:https?_proxy|no_proxy)$/i.test(k))
      .filter(([k]) => !['SSL_CERT_FILE', 'GIT_SSL_CAINFO', 'NODE_EXTRA_CA_CERTS'].includes(k))
      .map(([k, v]) => `${k}='${v}' `)
      .join('')
    texts.push({
      id: p.id,
      what: p.what,
      command: sanitize(`${envText}go ${p.args.join(' ')}`),
      exitCode: res.exitCode,
      text: sanitize(text.replace(/\n$/, ''))
    })
  }
  const explicit = (...ms: ModuleVersion[]): string[] => [
    'mod',
    'download',
    '-json',
    ...ms.map((m) => `${m.path}@${m.version}`)
  ]
  const proxyFault = async (
    id: string,
    status: number,
    kind: 'info' | 'zip' = 'info',
    body?: string
  ): Promise<void> => {
    const remove = proxy.faults.add({
      path: artefactPattern(m1.path, kind, m1.version),
      fault: body === undefined ? { kind: 'status', status } : { kind: 'status', status, body }
    })
    await scenario({
      id,
      what: `the proxy answers ${status} for the module's .${kind}`,
      args: explicit(m1)
    }).finally(remove)
  }

  try {
    // ---- proxy statuses --------------------------------------------------------------------------
    for (const status of [404, 410]) await proxyFault(`proxy-${status}`, status)
    for (const status of [500, 502, 503, 504, 429]) await proxyFault(`proxy-${status}`, status)
    await proxyFault('proxy-503-zip', 503, 'zip')
    await proxyFault(
      'proxy-404-private',
      404,
      'info',
      `not found: ${m1.path}@${m1.version}: invalid version: git ls-remote -q --end-of-options origin in /tmp/gopath/pkg/mod/cache/vcs/0a1b: exit status 128:\n\tfatal: could not read Username for 'https://github.com': terminal prompts disabled\n`
    )
    // ---- network ---------------------------------------------------------------------------------
    {
      const remove = proxy.faults.add({
        path: artefactPattern(m1.path, 'zip', m1.version),
        fault: { kind: 'reset' }
      })
      await scenario({
        id: 'network-reset-zip',
        what: 'the proxy drops the connection in the middle of the zip',
        args: explicit(m1)
      }).finally(remove)
    }
    await scenario({
      id: 'network-refused',
      what: 'nothing listens at GOPROXY',
      args: explicit(m1),
      env: { GOPROXY: 'http://127.0.0.1:1' }
    })
    // ---- config ------------------------------------------------------------------------------------
    await scenario({
      id: 'goproxy-off',
      what: 'GOPROXY=off and an empty module cache',
      args: explicit(m1),
      env: { GOPROXY: 'off' }
    })
    await scenario({
      id: 'goproxy-empty-list',
      what: 'GOPROXY is a list with no entries',
      args: explicit(m1),
      env: { GOPROXY: ',' }
    })
    await scenario({
      id: 'goproxy-bad-url',
      what: 'GOPROXY entry without a scheme',
      args: explicit(m1),
      env: { GOPROXY: 'proxy example' }
    })
    await scenario({
      id: 'gosumdb-invalid',
      what: "GOSUMDB='bad key!'",
      args: explicit(m1),
      env: { GOSUMDB: 'bad key!' },
      prepare: (ws) => fs.rmSync(path.join(ws, 'go.sum'))
    })
    await scenario({
      id: 'goflags-unknown',
      what: 'GOFLAGS with a flag go does not know',
      args: explicit(m1),
      env: { GOFLAGS: '-nosuchflag' }
    })
    await scenario({
      id: 'gotoolchain-local-too-new',
      what: 'GOTOOLCHAIN=local and a go.mod go line newer than the installed go',
      args: ['mod', 'download', '-json'],
      env: { GOTOOLCHAIN: 'local' },
      prepare: (ws) => {
        const f = path.join(ws, 'go.mod')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/^go 1\.19$/m, 'go 1.99'))
      }
    })
    await scenario({
      id: 'gotoolchain-local-too-new-explicit',
      what: 'the same with explicit path@version arguments (the action’s per-module download)',
      args: explicit(m1),
      env: { GOTOOLCHAIN: 'local' },
      prepare: (ws) => {
        const f = path.join(ws, 'go.mod')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/^go 1\.19$/m, 'go 1.99'))
      }
    })
    await scenario({
      id: 'gomod-unknown-directive',
      what: 'go.mod with an unknown directive on line 4',
      args: ['mod', 'download', '-json'],
      prepare: (ws) => {
        const f = path.join(ws, 'go.mod')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/^go 1\.19$/m, 'go 1.19\nfoo bar'))
      }
    })
    await scenario({
      id: 'gomod-unknown-directive-explicit',
      what: 'the same with explicit path@version arguments',
      args: explicit(m1),
      prepare: (ws) => {
        const f = path.join(ws, 'go.mod')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/^go 1\.19$/m, 'go 1.19\nfoo bar'))
      }
    })
    await scenario({
      id: 'gomod-bad-require',
      what: 'go.mod with a require line missing its version',
      args: ['mod', 'download', '-json'],
      prepare: (ws) => {
        const f = path.join(ws, 'go.mod')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(`\t${m2.path} ${m2.version}`, `\t${m2.path}`))
      }
    })
    await scenario({
      id: 'gosum-wrong-fields',
      what: 'go.sum line with two fields',
      args: ['mod', 'download', '-json'],
      prepare: (ws) => fs.appendFileSync(path.join(ws, 'go.sum'), `${m2.path} ${m2.version}\n`)
    })
    await scenario({
      id: 'gosum-garbled-hash',
      what: 'go.sum zip line whose h1: hash is not valid base64 of 32 bytes',
      args: ['mod', 'download', '-json'],
      prepare: (ws) => {
        const f = path.join(ws, 'go.sum')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(m1.zipHash, 'h1:not-base64!!'))
      }
    })
    await scenario({
      id: 'gosum-garbled-hash-cached',
      what: 'the same with the module already in the module cache (a restored cache)',
      args: ['mod', 'download', '-json'],
      prepare: async (ws, env) => {
        await runGo(['mod', 'download'], { cwd: ws, env, timeoutMs: 60_000 })
        const f = path.join(ws, 'go.sum')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(m1.zipHash, 'h1:not-base64!!'))
      }
    })
    await scenario({
      id: 'gosum-garbled-hash-cached-explicit',
      what: 'the same with explicit path@version arguments',
      args: explicit(m1, m2),
      prepare: async (ws, env) => {
        await runGo(['mod', 'download'], { cwd: ws, env, timeoutMs: 60_000 })
        const f = path.join(ws, 'go.sum')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(m1.zipHash, 'h1:not-base64!!'))
      }
    })
    await scenario({
      id: 'gosum-missing-gomod-line',
      what: 'go.sum without the /go.mod line of a required module (go list -m all, as a build loads the graph)',
      args: ['list', '-m', 'all'],
      prepare: (ws) => {
        const f = path.join(ws, 'go.sum')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(`${m2.sumLines[1]}\n`, ''))
      }
    })
    await scenario({
      id: 'gosum-missing-zip-line-build',
      what: 'go.sum without the zip line of an imported module (a later go build)',
      args: ['build', './...'],
      prepare: async (ws, env) => {
        await runGo(['mod', 'download'], { cwd: ws, env, timeoutMs: 60_000 })
        const f = path.join(ws, 'go.sum')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(`${m2.sumLines[0]}\n`, ''))
      }
    })
    await scenario({
      id: 'malformed-path',
      what: 'a malformed module path argument',
      args: ['mod', 'download', '-json', 'Example..com/dep@v1.0.0']
    })
    const removeSumdb = proxy.faults.add({ path: /\/sumdb\//, fault: { kind: 'status', status: 410 } })
    await scenario({
      id: 'sumdb-410',
      what: 'the checksum database answers 410 Gone (a private module sent to it)',
      args: explicit(m1),
      env: { GOSUMDB: `sum.golang.org ${proxy.url}/sumdb/sum.golang.org` },
      prepare: (ws) => fs.rmSync(path.join(ws, 'go.sum'))
    }).finally(removeSumdb)
    // ---- checksum --------------------------------------------------------------------------------
    await scenario({
      id: 'checksum-zip',
      what: "go.sum's zip hash altered",
      args: explicit(m1),
      stderr: true,
      prepare: (ws) => {
        const f = path.join(ws, 'go.sum')
        fs.writeFileSync(
          f,
          fs.readFileSync(f, 'utf8').replace(m1.zipHash, 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')
        )
      }
    })
    await scenario({
      id: 'checksum-gomod',
      what: "go.sum's go.mod hash altered",
      args: explicit(m1),
      stderr: true,
      prepare: (ws) => {
        const f = path.join(ws, 'go.sum')
        fs.writeFileSync(
          f,
          fs.readFileSync(f, 'utf8').replace(m1.modHash, 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')
        )
      }
    })
    // ---- cache-corrupt ---------------------------------------------------------------------------
    const damaged = async (id: string, what: string, damage: (downloadDir: string) => void): Promise<void> =>
      scenario({
        id,
        what,
        args: explicit(m1),
        prepare: async (ws, env, gomodcache) => {
          await runGo(explicit(m1), { cwd: ws, env, timeoutMs: 60_000 })
          const dl = path.join(gomodcache, 'cache', 'download', ...m1.path.split('/'), '@v')
          fs.chmodSync(dl, 0o755)
          const extracted = path.join(gomodcache, `${m1.path}@${m1.version}`)
          const chmodTree = (p: string): void => {
            if (!fs.existsSync(p)) return
            fs.chmodSync(p, 0o755)
            if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chmodTree(path.join(p, e))
          }
          chmodTree(extracted)
          fs.rmSync(extracted, { recursive: true, force: true })
          damage(dl)
        }
      })
    await damaged('cache-zip-garbage', 'garbage in the cached .zip, extracted tree gone', (dl) =>
      fs.writeFileSync(path.join(dl, `${m1.version}.zip`), 'garbage')
    )
    // ---- git (through the MITM as https://github.com) -----------------------------------------------
    const gitEnv = { ...mitm.env, GOPROXY: 'direct', GOPRIVATE: 'github.com', GOFLAGS: '' }
    const acme = priv.get('github.com/acme/m1')
    const open = priv.get('github.com/open/lib')
    await scenario({
      id: 'git-401',
      what: 'the git server answers 401 (no credentials for a private repository)',
      args: explicit(acme),
      env: gitEnv,
      requires: [acme]
    })
    await scenario({
      id: 'git-404',
      what: 'the repository does not exist on the git server',
      args: ['mod', 'download', '-json', 'github.com/open/nosuch@v1.0.0'],
      env: gitEnv,
      requires: [open]
    })
    await scenario({
      id: 'git-unknown-revision',
      what: 'the tag does not exist in the repository',
      args: ['mod', 'download', '-json', `${open.path}@v9.9.9`],
      env: gitEnv,
      requires: [open]
    })
    // One scenario against github.com/open/lib, with a git server fault for its duration and env on top.
    const onOpen = async (
      s: { id: string; what: string; env?: Record<string, string> },
      fault?: Parameters<typeof git.faults.add>[0]
    ) => {
      const remove = fault ? git.faults.add(fault) : () => undefined
      await scenario({ ...s, args: explicit(open), env: { ...gitEnv, ...s.env }, requires: [open] }).finally(
        remove
      )
    }
    const gitConfig = (key: string, value: string) => ({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: key,
      GIT_CONFIG_VALUE_0: value
    })
    const overSsh = gitConfig('url.ssh://git@127.0.0.1:1/.insteadOf', 'https://github.com/')
    await onOpen(
      { id: 'git-502', what: 'the git server answers 502' },
      { path: /./, fault: { kind: 'status', status: 502 } }
    )
    await onOpen(
      { id: 'git-reset-pack', what: 'the git server drops the connection in the middle of the pack' },
      { path: /git-upload-pack/, fault: { kind: 'reset' } }
    )
    await onOpen(
      { id: 'git-429', what: 'the git server answers 429 (rate limited)' },
      { path: /./, fault: { kind: 'status', status: 429 } }
    )
    // What the action's http.<scope>.followRedirects=false makes of a renamed repository.
    await onOpen(
      {
        id: 'git-301-not-followed',
        what: 'the git server redirects (a renamed repository) and git may not follow (followRedirects=false)',
        env: gitConfig('http.followRedirects', 'false')
      },
      {
        path: /./,
        fault: {
          kind: 'status',
          status: 301,
          headers: { location: 'https://github.com/open/renamed/info/refs' }
        }
      }
    )
    await onOpen({
      id: 'git-tls-untrusted',
      what: "git does not trust the server's certificate (a TLS-intercepting proxy whose CA the runner lacks)",
      env: { GIT_SSL_CAINFO: '/etc/ssl/certs/ca-certificates.crt' }
    })
    await onOpen({
      id: 'go-tls-untrusted',
      what: "go does not trust the proxy's certificate (the same, for go's own requests)",
      env: {
        GOPROXY: 'https://github.com/goproxy',
        GOPRIVATE: '',
        SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt'
      }
    })
    await onOpen({
      id: 'git-ssh-refused',
      what: 'git over ssh, nothing listens on the port (an ssh outage, or port 22 blocked)',
      env: {
        ...overSsh,
        GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'
      }
    })
    await onOpen({
      id: 'git-128-unexplained',
      what: 'git exits 128 with nothing but "Could not read from remote repository" (the ssh command itself failed)',
      env: { ...overSsh, GIT_SSH_COMMAND: 'false', GIT_SSH_VARIANT: 'ssh' }
    })
    await scenario({
      id: 'govcs-off',
      what: 'GOVCS forbids git for the module',
      args: explicit(open),
      env: { ...gitEnv, GOVCS: 'github.com:off' },
      requires: [open]
    })
  } finally {
    await Promise.all([mitm.close(), git.close(), proxy.close()])
    removeTree(root)
  }
  const version = (
    await runGo(['env', 'GOVERSION'], { cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '' } })
  ).stdout.trim()
  const out = `${JSON.stringify({ go: version, texts }, null, 2)}\n`
  if (process.argv.includes('--print')) process.stdout.write(out)
  else {
    fs.mkdirSync(path.dirname(FIXTURE), { recursive: true })
    fs.writeFileSync(FIXTURE, out)
    process.stdout.write(`${FIXTURE}: ${texts.length} texts from ${version}\n`)
  }
}

await main()
