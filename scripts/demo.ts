/**
 * `npm run demo`: the README's "try it". Runs the action (the committed dist/ bundles) twice on the
 * offline bench, as a GitHub runner would, and prints what a user would see: the job summaries and the
 * outputs.
 *
 *   - A sample project of 50 modules: 45 public ones served by a module proxy, and 5 private ones under
 *     github.com/acme served by a git server that wants the token (like GitHub: 401 without it).
 *   - Everything is reached under its real hostname through an HTTPS intercepting proxy with a test CA:
 *     github.com (git), proxy.golang.org (modules), go.dev (Go downloads). So the action runs with its
 *     defaults plus `private-modules` and `token`; nothing is pointed at a test URL.
 *   - 20% of the requests to the git server and to the module proxy fail (seeded: half 502, half a
 *     connection reset mid-body), with 40 ms of latency per request.
 *   - Run 1: nothing cached. Run 2: a new job, warm from the cache the first post step saved.
 *
 * On a machine without Go or git it installs them with apt-get when run as root (as CI does), else it says
 * how. It checks at the end that no process or port is left behind.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const TOKEN = 'ghp_demoAcmeToken0123456789abcdefDEMO'
const SEED = 7
const FAULT_RATE = 0.2
const LATENCY_MS = 40
/** Inputs beyond the defaults (see the explanation printed with the workflow step). */
/** Default inputs otherwise (retries 5, retry-backoff 2s, parallel auto). */
const INPUTS: Record<string, string> = {}

const bold = (s: string) => (process.stdout.isTTY ? `\u001b[1m${s}\u001b[22m` : s)
const say = (s = '') => process.stdout.write(`${s}\n`)

// ---------------------------------------------------------------------------------------------------------
// Prerequisites: go, git, openssl (the test CA) — installed with apt-get when missing and root.

function have(cmd: string): boolean {
  return (
    spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0 ||
    spawnSync(cmd, ['version'], { stdio: 'ignore' }).status === 0
  )
}

function ensureTools(): void {
  const wanted: Array<[cmd: string, pkg: string]> = [
    ['go', 'golang-go'],
    ['git', 'git'],
    ['openssl', 'openssl']
  ]
  const missing = wanted.filter(([cmd]) => !have(cmd))
  if (missing.length === 0) return
  const pkgs = missing.map(([, p]) => p)
  if (process.getuid?.() !== 0) {
    say(
      `demo: ${missing.map(([c]) => c).join(', ')} not found. Install them first, e.g.: sudo apt-get install -y ${pkgs.join(' ')}`
    )
    process.exit(2)
  }
  say(`demo: installing ${pkgs.join(', ')} with apt-get (as CI does) ...`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  let r = spawnSync('apt-get', ['install', '-y', ...pkgs], { stdio: 'inherit', env })
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env })
    r = spawnSync('apt-get', ['install', '-y', ...pkgs], { stdio: 'inherit', env })
  }
  if (r.status !== 0) {
    say(`demo: apt-get install -y ${pkgs.join(' ')} failed; install them and run again.`)
    process.exit(2)
  }
}

ensureTools()

if (
  !fs.existsSync(path.join(REPO, 'dist', 'main', 'index.js')) ||
  !fs.existsSync(path.join(REPO, 'dist', 'post', 'index.js'))
) {
  say('demo: dist/ is missing; building it with npm run bundle ...')
  execFileSync('npm', ['run', 'bundle'], { cwd: REPO, stdio: 'inherit' })
}

// The bench is imported after the checks: its modules run `go` and `git` when used.
const { startGitServer } = await import('../testbed/git-server.ts')
const { startGoMirror } = await import('../testbed/go-mirror.ts')
const { startMitm } = await import('../testbed/mitm.ts')
const { generateModules, writeConsumerProject, writeGitRepo } = await import('../testbed/module-gen.ts')
const { startModuleProxy } = await import('../testbed/proxy.ts')
const { liveProcessGroups } = await import('../testbed/proc.ts')
const { removeTree } = await import('../testbed/isolated-go.ts')
const { runAction } = await import('../testbed/runner.ts')
const { startBenchCache } = await import('../bench/scenarios/cache.ts')
const { summaryToText } = await import('./demo-terminal.ts')
const { textTable, formatMs } = await import('../bench/scenarios/stats.ts')
type Faults = import('../testbed/faults.ts').Faults

// ---------------------------------------------------------------------------------------------------------
// The bench

const started = Date.now()
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-go-deps-demo-'))
const closers: Array<() => Promise<void>> = []
const ports: number[] = []
let exitCode = 0

function addFaults(faults: Faults, seed: number): void {
  // Half of the failures answer 502, the other half reset the connection mid-body: 0.1 + 0.9 * (0.1 / 0.9) = 0.2.
  const half = FAULT_RATE / 2
  faults.add({ fraction: half, seed, fault: { kind: 'status', status: 502 } })
  faults.add({ fraction: half / (1 - half), seed: seed + 7919, fault: { kind: 'reset' } })
}

/** The token printed before the step registered it as a secret (the runner masks only what follows ::add-mask::). */
function unmaskedToken(stdout: string): string {
  let masked = false
  for (const line of stdout.split('\n')) {
    if (line.startsWith('::add-mask::')) masked ||= line.includes(TOKEN)
    else if (line.includes(TOKEN) && !masked) return `in the log before it was masked: ${line.slice(0, 80)}`
  }
  return ''
}

/** Files under the directories that contain the token (what the post step must have removed). */
function tokenOnDisk(dirs: string[]): string[] {
  const found: string[] = []
  const visit = (p: string) => {
    let st: fs.Stats
    try {
      st = fs.lstatSync(p)
    } catch {
      return
    }
    if (st.isDirectory()) {
      // The module cache holds only module sources; skip it for speed.
      if (p.endsWith(`${path.sep}pkg${path.sep}mod`)) return
      for (const e of fs.readdirSync(p)) visit(path.join(p, e))
    } else if (st.isFile() && st.size < 1024 * 1024 && fs.readFileSync(p).includes(TOKEN))
      found.push(`on disk in ${p}`)
  }
  for (const d of dirs) visit(d)
  return found
}

function failedRequests(faults: Faults): string {
  const all = faults.log.length
  const failed = faults.log.filter((r) => r.outcome !== 'ok').length
  return `${failed} of ${all} requests failed`
}

try {
  say(bold('setup-go-deps demo: the action on an offline bench, twice (cold, then warm)'))
  const pub = generateModules({
    dir: path.join(root, 'pub'),
    count: 45,
    prefix: 'github.com/gopherlibs',
    sizeBytes: 16 * 1024,
    deps: (i, n) => (i % 9 === 0 && i + 1 < n ? [i + 1] : []),
    write: false
  })
  const priv = generateModules({
    dir: path.join(root, 'priv'),
    names: ['billing', 'auth', 'ledger', 'events', 'platform'].map((n) => `github.com/acme/${n}`),
    sizeBytes: 16 * 1024,
    write: false
  })
  const repos = path.join(root, 'repos')
  for (const m of priv.modules) writeGitRepo(m, path.join(repos, `${m.path}.git`))

  const git = await startGitServer({
    root: repos,
    latencyMs: LATENCY_MS,
    auth: [{ prefix: 'github.com/acme/', users: { 'x-access-token': TOKEN } }]
  })
  closers.push(() => git.close())
  const proxy = await startModuleProxy({ modules: pub, latencyMs: LATENCY_MS })
  closers.push(() => proxy.close())
  const mirror = await startGoMirror({ latencyMs: LATENCY_MS })
  closers.push(() => mirror.close())
  const cache = await startBenchCache()
  closers.push(() => cache.close())
  const mitm = await startMitm({
    routes: { 'github.com': git.url, 'proxy.golang.org': proxy.url, 'go.dev': mirror.url }
  })
  closers.push(() => mitm.close())
  ports.push(git.port, proxy.port, mirror.port, cache.service.port, mitm.port)
  addFaults(git.faults, SEED)
  addFaults(proxy.faults, SEED + 1)

  say(
    `Project: ${pub.modules.length} public modules (github.com/gopherlibs/*, through proxy.golang.org) and ` +
      `${priv.modules.length} private ones (github.com/acme/*, git over HTTPS with a token).`
  )
  say(
    `Upstream: ${LATENCY_MS} ms per request; ${FAULT_RATE * 100}% of git and proxy requests fail (seed ${SEED}). ` +
      'All hosts are emulated on 127.0.0.1 behind an HTTPS proxy with a test CA.'
  )
  say()
  say(bold('The workflow step:'))
  say(
    [
      '  - uses: setup-go-deps/setup-go-deps@v1',
      '    with:',
      `      go-version: '${mirror.goVersion}'`,
      "      private-modules: 'github.com/acme/*'",
      '      token: ${{ secrets.GO_MODULES_TOKEN }}'
    ].join('\n')
  )
  say(
    'Every other input keeps its default (retries 5, retry-backoff 2s, parallel auto). go tries each proxy\n' +
      "request twice itself; an attempt that finishes some modules does not count against 'retries' and is\n" +
      'followed by a short pause, so a flaky upstream costs a few short attempts, not a failed job.'
  )

  // Every job uses the same runner paths, as a hosted runner does (the cache entry's version hashes them).
  const runner = path.join(root, 'runner')
  const runJob = async (title: string) => {
    removeTree(runner)
    const dirs = {
      root: runner,
      workspace: path.join(runner, 'work', 'app', 'app'),
      home: path.join(runner, 'home'),
      temp: path.join(runner, 'temp'),
      toolCache: path.join(runner, 'toolcache'),
      cleanup: () => removeTree(runner)
    }
    for (const d of [dirs.workspace, dirs.home, dirs.temp, dirs.toolCache])
      fs.mkdirSync(d, { recursive: true })
    writeConsumerProject(dirs.workspace, {
      modulePath: 'github.com/acme/app',
      requires: [...pub.latest(), ...priv.latest()]
    })
    const proxyBefore = proxy.faults.log.length
    const gitBefore = git.faults.log.length
    const t = Date.now()
    say()
    say(bold(`=== ${title} ===`))
    // Live progress from the step's log: the groups and the retry decisions, as the runner shows them.
    let partial = ''
    const onStdout = (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        const group = /^::group::(.*)$/.exec(line)
        if (group) say(`  ${formatMs(Date.now() - t).padStart(8)}  ${group[1]}`)
        else if (/^(Attempt failed|Module cache:|Cache hit for|Cache restored)/.test(line))
          say(`  ${formatMs(Date.now() - t).padStart(8)}    ${line.slice(0, 160)}`)
      }
    }
    const run = await runAction({
      dirs,
      env: { ...mitm.env, ...cache.env },
      inputs: {
        'go-version': mirror.goVersion,
        'private-modules': 'github.com/acme/*',
        token: TOKEN,
        ...INPUTS
      },
      timeoutMs: 110_000,
      onStdout
    })
    const took = Date.now() - t
    const slice = (f: Faults, from: number) => {
      const part = f.log.slice(from)
      return `${part.filter((r) => r.outcome !== 'ok').length} of ${part.length} failed`
    }
    say()
    say(bold(`${title}: ${run.conclusion} in ${formatMs(took)}`))
    say(
      `Requests: module proxy ${slice(proxy.faults, proxyBefore)}; git server ${slice(git.faults, gitBefore)}.`
    )
    say()
    say(bold('Outputs'))
    const outputs = Object.entries(run.main.outputs).filter(([k]) => k !== '')
    say(textTable(['output', 'value'], outputs.length ? outputs : [['(none)', '']], 110).replace(/\n$/, ''))
    say()
    say(bold('Job summary'))
    say(summaryToText(`${run.main.summary}\n${run.post?.summary ?? ''}`, 110).replace(/\n$/, ''))
    const errors = run.main.commands.filter((c) => c.command === 'error')
    for (const e of errors) say(`error: ${e.message}`)
    const leaks = [
      unmaskedToken(run.main.stdout),
      unmaskedToken(run.post?.stdout ?? ''),
      ...tokenOnDisk([dirs.home, dirs.workspace])
    ]
    say(
      leaks.some(Boolean)
        ? `The token LEAKED: ${leaks.filter(Boolean).join('; ')}`
        : 'The token: masked in the log before any use; not on disk in HOME or the workspace after the post step.'
    )
    if (leaks.some(Boolean) || run.conclusion !== 'success') exitCode = 1
    return run
  }

  await runJob('Run 1: cold (nothing cached yet)')
  await runJob('Run 2: warm (a new job; the cache run 1 saved)')
  say()
  say(`Totals: module proxy ${failedRequests(proxy.faults)}; git server ${failedRequests(git.faults)}.`)
} catch (error) {
  say(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  exitCode = 1
} finally {
  for (const close of closers.reverse()) await close().catch(() => {})
  removeTree(root)
}

// ---------------------------------------------------------------------------------------------------------
// Nothing left behind: no child process of this demo, no listening port.

function descendants(pid: number): number[] {
  const parent = new Map<number, number>()
  for (const e of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
    if (!/^\d+$/.test(e)) continue
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8')
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (rest[0] !== 'Z') parent.set(Number(e), Number(rest[1]))
    } catch {
      // gone
    }
  }
  const out: number[] = []
  const walk = (p: number) => {
    for (const [child, pp] of parent)
      if (pp === p && !out.includes(child)) {
        out.push(child)
        walk(child)
      }
  }
  walk(pid)
  return out
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' })
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}

const leftProcesses = [...new Set([...descendants(process.pid), ...liveProcessGroups()])]
const leftPorts: number[] = []
for (const p of ports) if (await portOpen(p)) leftPorts.push(p)
say()
if (leftProcesses.length === 0 && leftPorts.length === 0) say('no processes or ports left behind')
else {
  say(`left behind: processes ${leftProcesses.join(', ') || 'none'}; ports ${leftPorts.join(', ') || 'none'}`)
  exitCode = 1
}
say(`demo finished in ${formatMs(Date.now() - started)}`)
process.exit(exitCode)
