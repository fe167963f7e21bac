/**
 * The Go installer end to end on the bench: a local Go download mirror (testbed/go-mirror.ts) serves this
 * machine's Go as several versions with a go.dev-style listing, and each test runs the installer as an
 * action step through the runner emulation (testbed/runner.ts) from the TypeScript sources
 * (__tests__/fixtures/go/install-step.mjs: parseInputs + installGo, as src/main.ts calls them), so the
 * real @actions/tool-cache, GITHUB_PATH / GITHUB_ENV / GITHUB_OUTPUT files and RUNNER_TOOL_CACHE are used.
 *
 * The mirror serves this machine's Go (`mirror.goVersion`, e.g. 1.26.8) as itself, and the same tree
 * relabelled as a few stand-in versions derived from it (an older patch, an older line, a future release
 * candidate), so every spec here is written relative to the local Go: assertions on `go version` use only
 * specs that resolve to the local version; the stand-ins test resolution and the request log.
 *
 * "two real toolchains" runs the bundled action (dist/main) on a mirror that serves the local Go and a
 * real Go 1.27.3 (testbed/toolchains.ts; prefetched by scripts/fetch-test-toolchains.sh, since the suite
 * runs offline): there every installed binary is checked with `go version`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type GoMirror, buildGoArchive, startGoMirror } from '../../testbed/go-mirror.ts'
import { removeTree } from '../../testbed/isolated-go.ts'
import { type Mitm, startMitm } from '../../testbed/mitm.ts'
import { type BenchServer, startServer } from '../../testbed/server.ts'
import { startModuleProxy, type ModuleProxy } from '../../testbed/proxy.ts'
import { type CachedToolchain, cachedToolchain } from '../../testbed/toolchains.ts'
import {
  type JobDirs,
  type JobEnv,
  type StepResult,
  applyStep,
  newJob,
  newJobDirs,
  runAction,
  runLaterStep,
  runStep
} from '../../testbed/runner.ts'

const STEP = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'go',
  'install-step.mjs'
)

let mirror: GoMirror
/** The local Go's line (1.26 for 1.26.8) and the stand-ins the mirror lists besides it (set in beforeAll). */
let LINE: string
let OLDER_PATCH: string
let OLDER_LINE: string
let FUTURE_RC: string
const created: JobDirs[] = []

/**
 * Stand-ins around the local version: for 1.26.8, 1.26.7 (so the local Go is the newest of its line, as
 * check-latest must find), 1.25.10 and 1.28rc1 (a release candidate newer than anything stable).
 */
function standIns(local: string): { line: string; olderPatch: string; olderLine: string; futureRc: string } {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(local)
  if (!m || Number(m[3]) === 0 || Number(m[2]) === 0)
    throw new Error(`install.test.ts needs a local Go release like 1.26.8 (patch > 0); go reports ${local}`)
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return {
    line: `${major}.${minor}`,
    olderPatch: `${major}.${minor}.${patch - 1}`,
    olderLine: `${major}.${minor - 1}.10`,
    futureRc: `${major}.${minor + 2}rc1`
  }
}

beforeAll(async () => {
  const local = (await buildGoArchive()).goVersion
  const s = standIns(local)
  ;[LINE, OLDER_PATCH, OLDER_LINE, FUTURE_RC] = [s.line, s.olderPatch, s.olderLine, s.futureRc]
  mirror = await startGoMirror({ versions: [OLDER_PATCH, OLDER_LINE, FUTURE_RC] })
}, 120_000)

afterAll(async () => {
  await mirror?.close()
  for (const d of created) d.cleanup()
})

function job(): JobEnv {
  const dirs = newJobDirs('go-install-')
  created.push(dirs)
  return newJob({ dirs })
}

async function install(
  j: JobEnv,
  inputs: Record<string, string>,
  stepEnv: Record<string, string> = {}
): Promise<StepResult> {
  return runStep({
    job: j,
    script: STEP,
    inputs: { 'go-download-base-url': mirror.baseUrl, ...inputs },
    stepEnv,
    timeoutMs: 90_000
  })
}

/** What the install left in RUNNER_TEMP (the runner's own `_...` directories aside). */
function tempLeftovers(j: JobEnv): string[] {
  return fs.readdirSync(j.dirs.temp).filter((e) => !e.startsWith('_'))
}

function errorOf(step: StepResult): string {
  return step.commands
    .filter((c) => c.command === 'error')
    .map((c) => c.message)
    .join('\n')
}

describe('installing Go from a mirror', () => {
  const shared = { job: undefined as JobEnv | undefined }

  it('downloads, verifies and caches on the first run, and puts go on PATH for later steps', async () => {
    const j = job()
    shared.job = j
    mirror.faults.clearLog()
    const minor = LINE
    const step = await install(j, { 'go-version': minor })

    expect(errorOf(step)).toBe('')
    expect(step.conclusion).toBe('success')
    expect(step.outputs['go-version']).toBe(mirror.goVersion)
    expect(step.outputs['go-source']).toBe('mirror')
    expect(step.outputs['go-requested']).toBe(`${minor} (input 'go-version')`)
    const root = path.join(j.dirs.toolCache, 'go', mirror.goVersion, 'x64')
    expect(step.outputs['go-root']).toBe(root)
    expect(fs.existsSync(`${root}.complete`)).toBe(true)
    expect(step.path).toEqual([path.join(root, 'bin')])
    expect(step.env.GOTOOLCHAIN).toBe('local')
    expect(mirror.listingRequests()).toHaveLength(1)
    expect(mirror.archiveRequests().map((r) => r.path)).toEqual([`/${mirror.archiveName(mirror.goVersion)}`])
    expect(step.stdout).toContain('matches the listing')
    expect(step.stdout).toMatch(
      new RegExp(
        `Resolved go-version '${minor}' to ${mirror.goVersion.replace(/\./g, '\\.')}; downloaded from the mirror`
      )
    )
    expect(tempLeftovers(j)).toEqual([])

    // A later `run:` step finds this go first on PATH (the system one is /usr/bin/go).
    applyStep(j, step)
    const later = await runLaterStep('sh', ['-c', 'command -v go && go env GOROOT'], j)
    expect(later.stdout.trim().split('\n')).toEqual([path.join(root, 'bin', 'go'), root])
  })

  it('finds it in the tool cache on the second run without any request to the mirror', async () => {
    const j = shared.job
    if (!j) throw new Error('needs the first test')
    mirror.faults.clearLog()
    const minor = LINE
    fs.writeFileSync(path.join(j.dirs.workspace, 'go.mod'), `module example.com/app\n\ngo ${minor}\n`)
    const step = await install(j, { 'go-version-file': 'go.mod' })

    expect(errorOf(step)).toBe('')
    expect(step.outputs['go-source']).toBe('tool-cache')
    expect(step.outputs['go-version']).toBe(mirror.goVersion)
    expect(step.outputs['go-requested']).toBe(`${minor} (go.mod go line)`)
    expect(step.outputs['go-duration-ms']).toBe('0')
    expect(mirror.faults.log).toEqual([])
    expect(step.stdout).toContain(
      `Resolved '${minor}' from the go.mod go line to ${mirror.goVersion}; found in the tool cache`
    )
  })

  it('with check-latest asks the listing, then uses the cached newest release without downloading it', async () => {
    const j = shared.job
    if (!j) throw new Error('needs the first test')
    mirror.faults.clearLog()
    // The listing's newest of the local line is the local Go (the stand-in is an older patch), which the
    // first test cached.
    const step = await install(j, { 'go-version': `${LINE}.x`, 'check-latest': 'true' })
    expect(errorOf(step)).toBe('')
    expect(step.outputs['go-source']).toBe('tool-cache')
    expect(step.outputs['go-version']).toBe(mirror.goVersion)
    expect(mirror.listingRequests()).toHaveLength(1)
    expect(mirror.archiveRequests()).toEqual([])
  })

  it('with check-latest downloads a newer release of the range than the cached one', async () => {
    const j = job()
    // The tool cache holds only the older patch (a runner image a release behind).
    const first = await install(j, { 'go-version': OLDER_PATCH })
    expect(first.outputs['go-source']).toBe('mirror')
    mirror.faults.clearLog()
    const cached = await install(j, { 'go-version': `${LINE}.x` })
    expect(cached.outputs['go-source']).toBe('tool-cache')
    expect(mirror.faults.log).toEqual([])
    const latest = await install(j, { 'go-version': `${LINE}.x`, 'check-latest': 'true' })
    expect(errorOf(latest)).toBe('')
    expect(latest.outputs['go-source']).toBe('mirror')
    expect(latest.outputs['go-version']).toBe(mirror.goVersion)
    expect(mirror.archiveRequests().map((r) => r.path)).toEqual([`/${mirror.archiveName(mirror.goVersion)}`])
  })

  it('resolves stable from the listing, skipping the unstable release candidate', async () => {
    const j = shared.job
    if (!j) throw new Error('needs the first test')
    const step = await install(j, { 'go-version': 'stable' })
    expect(errorOf(step)).toBe('')
    expect(step.stdout).toContain(`Resolved go-version 'stable' to ${mirror.goVersion}`)
  })

  it('fails on a wrong sha256 in the listing with nothing left in the tool cache or RUNNER_TEMP', async () => {
    const j = job()
    const name = mirror.archiveName(mirror.goVersion)
    const real = mirror.archive.sha256
    mirror.setListedSha256(name, '0'.repeat(64))
    mirror.faults.clearLog()
    try {
      const step = await install(j, { 'go-version': mirror.goVersion })
      expect(step.conclusion).toBe('failure')
      expect(step.outputs['error-name']).toBe('GoChecksumError')
      const error = errorOf(step)
      expect(error).toContain(`has sha256 ${real}`)
      expect(error).toContain(`lists ${'0'.repeat(64)}`)
      expect(error).toContain('Nothing was extracted or cached')
      expect(mirror.archiveRequests()).toHaveLength(1)
      expect(fs.existsSync(path.join(j.dirs.toolCache, 'go'))).toBe(false)
      expect(tempLeftovers(j)).toEqual([])
      expect(step.path).toEqual([])
    } finally {
      mirror.setListedSha256(name, real)
    }
  })

  it('refuses a listing entry without a sha256 before downloading it, rather than installing it unchecked', async () => {
    const j = job()
    const name = mirror.archiveName(mirror.goVersion)
    const real = mirror.archive.sha256
    mirror.setListedSha256(name, '')
    mirror.faults.clearLog()
    try {
      const step = await install(j, { 'go-version': mirror.goVersion })
      expect(step.conclusion).toBe('failure')
      expect(step.outputs['error-name']).toBe('GoChecksumError')
      expect(errorOf(step)).toContain(`lists ${name} without a usable sha256 ("")`)
      expect(mirror.archiveRequests()).toEqual([])
      expect(fs.existsSync(path.join(j.dirs.toolCache, 'go'))).toBe(false)
    } finally {
      mirror.setListedSha256(name, real)
    }
  })

  it('fails the checksum of a download corrupted in transit, and caches nothing', async () => {
    const j = job()
    const remove = mirror.faults.add({ path: '.tar.gz', fault: { kind: 'corrupt' }, firstN: 1 })
    try {
      const step = await install(j, { 'go-version': mirror.goVersion })
      expect(step.outputs['error-name']).toBe('GoChecksumError')
      expect(fs.existsSync(path.join(j.dirs.toolCache, 'go'))).toBe(false)
      expect(tempLeftovers(j)).toEqual([])
    } finally {
      remove()
    }
  })

  it('retries a failing listing and a failing archive download, then installs', async () => {
    const j = job()
    mirror.faults.clearLog()
    const removeListing = mirror.faults.add({
      path: 'mode=json',
      fault: { kind: 'status', status: 502 },
      firstN: 1
    })
    const removeArchive = mirror.faults.add({ path: '.tar.gz', fault: { kind: 'reset' }, firstN: 1 })
    try {
      const step = await install(j, { 'go-version': mirror.goVersion }, { INSTALL_STEP_FAST_RETRY: '1' })
      expect(errorOf(step)).toBe('')
      expect(step.outputs['go-version']).toBe(mirror.goVersion)
      expect(mirror.listingRequests().map((r) => r.outcome)).toEqual(['status', 'ok'])
      expect(mirror.archiveRequests().map((r) => r.outcome)).toEqual(['reset', 'ok'])
    } finally {
      removeListing()
      removeArchive()
    }
  })
})

describe('plain http mirrors', () => {
  it('warns that a plain http mirror carries the checksum over the same unprotected channel', async () => {
    // 0.0.0.0 reaches this machine's listeners on Linux without being a loopback name, so the action
    // treats it as any other http host: the offline stand-in for a remote http mirror.
    const base = mirror.baseUrl.replace('127.0.0.1', '0.0.0.0')
    mirror.faults.clearLog()
    const step = await install(job(), { 'go-version': mirror.goVersion, 'go-download-base-url': base })
    expect(errorOf(step)).toBe('')
    expect(step.outputs['go-source']).toBe('mirror')
    const warnings = step.commands.filter((c) => c.command === 'warning').map((c) => c.message)
    expect(warnings).toEqual([
      expect.stringContaining(`Input 'go-download-base-url' is '${base}', plain http`)
    ])
    expect(mirror.archiveRequests()).toHaveLength(1)
  })

  it('does not warn about a loopback mirror: nothing leaves the machine', async () => {
    const step = await install(job(), { 'go-version': mirror.goVersion })
    expect(errorOf(step)).toBe('')
    expect(step.commands.filter((c) => c.command === 'warning')).toEqual([])
  })
})

describe('version errors a user can act on', () => {
  it('lists the nearest available versions for an unknown one, and downloads nothing', async () => {
    mirror.faults.clearLog()
    const step = await install(job(), { 'go-version': `${LINE}.99` })
    expect(step.conclusion).toBe('failure')
    const error = errorOf(step)
    expect(error).toContain(`Input 'go-version' is '${LINE}.99'`)
    expect(error).toContain(`Nearest available: ${mirror.goVersion}, ${OLDER_PATCH}`)
    expect(error).toContain(mirror.baseUrl)
    expect(mirror.archiveRequests()).toEqual([])
  })

  it('names go-version-file when the file does not exist', async () => {
    const step = await install(job(), { 'go-version-file': 'sub/go.mod' })
    const error = errorOf(step)
    expect(error).toContain("Input 'go-version-file' is 'sub/go.mod'")
    expect(error).toContain('does not exist')
  })

  it('warns when both inputs are set and uses go-version', async () => {
    const j = job()
    fs.writeFileSync(path.join(j.dirs.workspace, '.go-version'), `${OLDER_LINE}\n`)
    mirror.faults.clearLog()
    const step = await install(j, { 'go-version': FUTURE_RC, 'go-version-file': '.go-version' })
    const warnings = step.commands.filter((c) => c.command === 'warning').map((c) => c.message)
    expect(warnings.some((w) => w.includes("using 'go-version'"))).toBe(true)
    expect(mirror.archiveRequests().map((r) => r.path)).toEqual([`/${mirror.archiveName(FUTURE_RC)}`])
    // The mirror serves its one real tree under every version: the installer says so.
    expect(warnings.some((w) => w.includes(`reports go${mirror.goVersion}`))).toBe(true)
  })

  it('uses the Go on PATH when neither input is set', async () => {
    mirror.faults.clearLog()
    const step = await install(job(), {})
    expect(errorOf(step)).toBe('')
    expect(step.outputs['go-source']).toBe('path')
    expect(step.outputs['go-version']).toBe(mirror.goVersion)
    expect(step.path).toEqual([])
    expect(mirror.faults.log).toEqual([])
  })

  it('a go on PATH that is not a Go toolchain (no input set) fails as config, naming it and the fix', async () => {
    const bin = fs.mkdtempSync(path.join(newJobDirs('go-fake-').root, 'bin-'))
    try {
      fs.writeFileSync(path.join(bin, 'go'), '#!/bin/sh\necho "usage: go is a shim"\n', { mode: 0o755 })
      const step = await install(job(), {}, { PATH: `${bin}:/usr/bin:/bin` })
      const error = errorOf(step)
      expect(error).toContain(`env -json\` printed 'usage: go is a shim', which is not go's JSON`)
      expect(error).toContain("Set 'go-version' (or 'go-version-file')")
      expect(step.outputs['error-name']).toBe('ClassifiedError')
    } finally {
      removeTree(path.dirname(bin))
    }
  })

  it('fails naming both inputs when neither is set and there is no go on PATH', async () => {
    const empty = fs.mkdtempSync(path.join(newJobDirs('go-nopath-').root, 'bin-'))
    try {
      const step = await install(job(), {}, { PATH: empty })
      const error = errorOf(step)
      expect(error).toContain("Neither input 'go-version' nor 'go-version-file' is set")
      expect(error).toContain('no go on PATH')
    } finally {
      removeTree(path.dirname(empty))
    }
  })
})

describe('without a mirror', () => {
  it('falls through an unreachable go.dev listing to the versions manifest and reports both, quickly', async () => {
    // An HTTPS proxy on a closed loopback port: every https request fails at once, and nothing leaves the machine.
    const started = Date.now()
    const step = await install(
      job(),
      { 'go-version': '1.22', 'go-download-base-url': '' },
      {
        https_proxy: 'http://127.0.0.1:9',
        HTTPS_PROXY: 'http://127.0.0.1:9'
      }
    )
    expect(step.conclusion).toBe('failure')
    expect(step.stdout).toContain(
      'The go.dev listing https://go.dev/dl/?mode=json&include=all is not available'
    )
    const error = errorOf(step)
    expect(error).toContain(
      'Could not read the list of Go releases from Go versions manifest (actions/go-versions)'
    )
    expect(error).toContain('and before it, go.dev listing https://go.dev/dl/?mode=json&include=all')
    expect(error).toContain("set input 'go-download-base-url'")
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})

describe('under the real hostnames, through the HTTPS intercepting proxy (testbed/mitm.ts)', () => {
  // go.dev/dl is the mirror; the manifest host and github.com are routed only where a test says so.
  let mitm: Mitm
  let github: BenchServer
  let flatArchive: Buffer
  const token = 'ghs_installTestToken000000000000000000000'
  const assetPath = () =>
    `/actions/go-versions/releases/download/${mirror.goVersion}-1/go-${mirror.goVersion}-linux-x64.tar.gz`

  beforeAll(async () => {
    mitm = await startMitm({ routes: { 'go.dev': mirror.url } })
    // actions/go-versions archives hold the Go tree at the top level, not under go/.
    const work = fs.mkdtempSync(path.join(path.dirname(mirror.archive.path), 'flat-'))
    try {
      execFileSync('tar', ['-C', work, '-xzf', mirror.archive.path])
      execFileSync('tar', [
        '-C',
        path.join(work, 'go'),
        '-I',
        'gzip -1',
        '-cf',
        path.join(work, 'flat.tar.gz'),
        '.'
      ])
      flatArchive = fs.readFileSync(path.join(work, 'flat.tar.gz'))
    } finally {
      removeTree(work)
    }
    github = await startServer((req, _res, ctx) => {
      const manifest = [
        {
          version: mirror.goVersion,
          stable: true,
          release_url: `https://github.com/actions/go-versions/releases/tag/${mirror.goVersion}-1`,
          files: [
            {
              filename: `go-${mirror.goVersion}-linux-x64.tar.gz`,
              arch: 'x64',
              platform: 'linux',
              download_url: `https://github.com${assetPath()}`
            }
          ]
        }
      ]
      if (req.url === '/actions/go-versions/main/versions-manifest.json')
        ctx.send(200, JSON.stringify(manifest))
      else if (req.url === assetPath()) ctx.send(200, flatArchive)
      else ctx.send(404, 'Not Found')
    })
  }, 120_000)

  afterAll(async () => {
    await mitm?.close()
    await github?.close()
  })

  it('installs from go.dev first, its sha256 verified, and never asks the versions manifest', async () => {
    mirror.faults.clearLog()
    const j = job()
    const step = await install(
      j,
      { 'go-version': mirror.goVersion, 'go-download-base-url': '', token },
      mitm.env
    )
    expect(errorOf(step)).toBe('')
    expect(step.outputs['go-source']).toBe('go.dev')
    expect(step.outputs['go-version']).toBe(mirror.goVersion)
    expect(step.stdout).toMatch(/sha256 [0-9a-f]{64} matches the listing\./)
    expect(mitm.requests('raw.githubusercontent.com')).toEqual([])
    expect(mirror.listingRequests().map((r) => r.path)).toEqual(['/dl/?mode=json&include=all'])
    expect(mirror.archiveRequests().map((r) => r.path)).toEqual([
      `/dl/${mirror.archiveName(mirror.goVersion)}`
    ])
    expect(mirror.faults.log.every((r) => !r.authorized)).toBe(true)
  })

  /** Fresh request logs, and github.com / raw.githubusercontent.com (the manifest and its builds) on the bench. */
  const reachGitHub = () => {
    mirror.faults.clearLog()
    github.faults.clearLog()
    mitm.addRoute('raw.githubusercontent.com', github.url)
    mitm.addRoute('github.com', github.url)
  }

  // go.dev's listing down: the manifest is the fallback.
  const goDevDown = () => mirror.faults.add({ path: /mode=json/, fault: { kind: 'status', status: 503 } })

  it('installs the versions-manifest build (a flat archive) when go.dev is down, sending the token only to GitHub', async () => {
    reachGitHub()
    const j = job()
    const up = goDevDown()
    const step = await install(
      j,
      { 'go-version': mirror.goVersion, 'go-download-base-url': '', token },
      mitm.env
    ).finally(up)
    expect(errorOf(step)).toBe('')
    expect(step.outputs['go-source']).toBe('manifest')
    expect(step.outputs['go-version']).toBe(mirror.goVersion)
    expect(fs.existsSync(path.join(step.outputs['go-root'] as string, 'bin', 'go'))).toBe(true)
    expect(step.stdout).toContain('publishes no checksum')
    expect(github.faults.log.map((r) => [r.path, r.authorized])).toEqual([
      ['/actions/go-versions/main/versions-manifest.json', true],
      [assetPath(), true]
    ])
    expect(mirror.archiveRequests()).toEqual([])
    expect(mirror.faults.log.every((r) => !r.authorized)).toBe(true)
    // Masked before use, and printed nowhere else.
    expect(step.masks).toContain(token)
    const printed = `${step.stdout}\n${step.stderr}`.split('\n').filter((l) => !l.startsWith('::add-mask::'))
    expect(printed.join('\n')).not.toContain(token)
  })
  it('sends no token with the manifest or its download from a GHES run (GITHUB_SERVER_URL is not github.com)', async () => {
    reachGitHub()
    const up = goDevDown()
    const step = await install(
      job(),
      { 'go-version': mirror.goVersion, 'go-download-base-url': '', token },
      { ...mitm.env, GITHUB_SERVER_URL: 'https://ghes.example.com' }
    ).finally(up)
    expect(errorOf(step)).toBe('')
    expect(step.outputs['go-source']).toBe('manifest')
    expect(github.faults.log.map((r) => [r.path, r.authorized])).toEqual([
      ['/actions/go-versions/main/versions-manifest.json', false],
      [assetPath(), false]
    ])
    expect(step.stdout).toContain("not github.com: input 'token' is not sent")
  })

  it('falls back to the versions manifest when the go.dev archive cannot be downloaded', async () => {
    reachGitHub()
    const archive = `/dl/${mirror.archiveName(mirror.goVersion)}`
    const remove = mirror.faults.add({ path: archive, fault: { kind: 'status', status: 404 } })
    try {
      const step = await install(
        job(),
        { 'go-version': mirror.goVersion, 'go-download-base-url': '', token },
        mitm.env
      )
      expect(errorOf(step)).toBe('')
      expect(step.outputs['go-source']).toBe('manifest')
      expect(step.stdout).toContain(
        'Installing from the go.dev listing https://go.dev/dl/?mode=json&include=all failed'
      )
      expect(mirror.archiveRequests().map((r) => r.status)).toEqual([404])
      expect(github.faults.requests(assetPath())).toHaveLength(1)
    } finally {
      remove()
    }
  })

  it("fails a go.dev archive that does not match go.dev's sha256, and never falls back to the manifest (no checksums)", async () => {
    reachGitHub()
    const j = job()
    const name = mirror.archiveName(mirror.goVersion)
    const real = mirror.archive.sha256
    mirror.setListedSha256(name, '0'.repeat(64))
    try {
      const step = await install(
        j,
        { 'go-version': mirror.goVersion, 'go-download-base-url': '', token },
        mitm.env
      )
      expect(step.conclusion).toBe('failure')
      expect(step.outputs['error-name']).toBe('GoChecksumError')
      expect(errorOf(step)).toContain(`has sha256 ${real}`)
      expect(step.stdout).not.toContain('trying the next source')
      expect(github.faults.log).toEqual([])
      expect(fs.existsSync(path.join(j.dirs.toolCache, 'go', mirror.goVersion))).toBe(false)
    } finally {
      mirror.setListedSha256(name, real)
    }
  })

  it('fails a go.dev archive that matches its sha256 but cannot be extracted as it is, never trying the manifest', async () => {
    reachGitHub()
    const j = job()
    const name = mirror.archiveName(mirror.goVersion)
    const real = mirror.archive.sha256
    // What go.dev lists, byte for byte, but no gzip: only a failed fetch may send the install elsewhere.
    const body = 'not a gzip archive, though go.dev lists exactly these bytes\n'
    mirror.setListedSha256(name, createHash('sha256').update(body).digest('hex'))
    const remove = mirror.faults.add({ path: `/dl/${name}`, fault: { kind: 'status', status: 200, body } })
    try {
      const step = await install(
        j,
        { 'go-version': mirror.goVersion, 'go-download-base-url': '', token },
        mitm.env
      )
      expect(step.conclusion).toBe('failure')
      expect(step.stdout).toMatch(/sha256 [0-9a-f]{64} matches the listing\./)
      expect(step.outputs['error-name']).not.toBe('GoFetchError')
      expect(step.stdout).not.toContain('trying the next source')
      expect(github.faults.log).toEqual([])
      expect(mirror.archiveRequests().map((r) => r.status)).toEqual([200])
      expect(fs.existsSync(path.join(j.dirs.toolCache, 'go', mirror.goVersion))).toBe(false)
      expect(errorOf(step)).toContain(
        `Could not install the Go archive https://go.dev/dl/${name} into the tool cache (${path.join(j.dirs.toolCache, 'go')}): The process '/usr/bin/tar' failed with exit code 2`
      )
      expect(errorOf(step)).toContain('Its sha256 matched the go.dev listing')
      expect(step.stdout).toContain('not in gzip format')
    } finally {
      remove()
      mirror.setListedSha256(name, real)
    }
  })
})

describe('two real toolchains: the bundled action on a mirror serving the local Go and Go 1.27.3', () => {
  let real: GoMirror
  let next: CachedToolchain
  let proxy: ModuleProxy
  let local: string

  beforeAll(async () => {
    // Throws a one-line error naming scripts/fetch-test-toolchains.sh when 1.27.3 was not prefetched.
    next = cachedToolchain()
    local = (await buildGoArchive()).goVersion
    real = await startGoMirror({ toolchains: [next.archive] })
    proxy = await startModuleProxy()
  }, 120_000)

  afterAll(async () => {
    await Promise.all([real?.close(), proxy?.close()])
  })

  /** The action with only the installer doing work (no cache, no download), then `go version` in a later step. */
  async function action(
    j: JobEnv,
    inputs: Record<string, string>
  ): Promise<{ main: StepResult; goVersion: string }> {
    const run = await runAction({
      job: j,
      inputs: { 'go-download-base-url': real.baseUrl, cache: 'false', download: 'false', ...inputs },
      timeoutMs: 120_000
    })
    if (run.main.conclusion !== 'success') return { main: run.main, goVersion: '' }
    const later = await runLaterStep('go', ['version'], run.job)
    return { main: run.main, goVersion: later.stdout.trim() }
  }

  function goMod(j: JobEnv, text: string): void {
    fs.writeFileSync(path.join(j.dirs.workspace, 'go.mod'), text)
  }

  it(`go-version: <local line>.x installs the local Go (e.g. 1.26.x -> 1.26.8)`, async () => {
    const line = local.split('.').slice(0, 2).join('.')
    const { main, goVersion } = await action(job(), { 'go-version': `${line}.x` })
    expect(errorOf(main)).toBe('')
    expect(main.outputs['go-version']).toBe(local)
    expect(goVersion).toBe(`go version go${local} linux/amd64`)
  })

  it('a go.mod toolchain line newer than its go line installs that toolchain, and go version says so', async () => {
    const j = job()
    const line = local.split('.').slice(0, 2).join('.')
    goMod(j, `module example.com/app\n\ngo ${line}\n\ntoolchain go${next.version}\n`)
    real.faults.clearLog()
    const { main, goVersion } = await action(j, { 'go-version-file': 'go.mod' })
    expect(errorOf(main)).toBe('')
    expect(main.outputs['go-version']).toBe(next.version)
    expect(main.stdout).toContain(`sha256 ${next.archive.sha256} matches the listing`)
    expect(real.archiveRequests().map((r) => r.path)).toEqual([`/${real.archiveName(next.version)}`])
    expect(goVersion).toBe(`go version go${next.version} linux/amd64`)
  })

  it('stable is the newest release (1.27.3) and oldstable the newest of the line before (the local 1.26.8)', async () => {
    const stable = await action(job(), { 'go-version': 'stable' })
    expect(errorOf(stable.main)).toBe('')
    expect(stable.main.outputs['go-version']).toBe(next.version)
    expect(stable.goVersion).toBe(`go version go${next.version} linux/amd64`)
    const oldstable = await action(job(), { 'go-version': 'oldstable' })
    expect(errorOf(oldstable.main)).toBe('')
    expect(oldstable.main.outputs['go-version']).toBe(local)
    expect(oldstable.goVersion).toBe(`go version go${local} linux/amd64`)
  })

  it('a go.mod asking for a Go no source has fails once, naming the file, the line and what is available', async () => {
    const j = job()
    goMod(j, 'module example.com/app\n\n// needs the next release\ngo 1.99\n')
    real.faults.clearLog()
    const { main } = await action(j, { 'go-version-file': 'go.mod' })
    expect(main.conclusion).toBe('failure')
    const errors = main.commands.filter((c) => c.command === 'error')
    expect(errors).toHaveLength(1)
    const error = errorOf(main)
    expect(error).toContain('go.mod:4')
    expect(error).toContain("'1.99'")
    expect(error).toContain(`Nearest available: ${next.version}, ${local}`)
    expect(real.archiveRequests()).toEqual([])
  })

  it("a user's GOTOOLCHAIN=local with a go.mod go line newer than the installed Go fails as config, naming the line and the fix", async () => {
    const j = newJob({ dirs: newJobDirs('go-toolchain-local-'), env: { GOTOOLCHAIN: 'local' } })
    created.push(j.dirs as JobDirs)
    goMod(j, `module example.com/app\n\ngo ${next.version.split('.').slice(0, 2).join('.')}\n`)
    const run = await runAction({
      job: j,
      inputs: {
        'go-version': local,
        'go-download-base-url': real.baseUrl,
        cache: 'false',
        goproxy: proxy.goproxy,
        gosumdb: 'off'
      },
      timeoutMs: 120_000
    })
    expect(run.main.conclusion).toBe('failure')
    expect(run.main.outputs['error-class']).toBe('config')
    const errors = run.main.commands.filter((c) => c.command === 'error')
    const needs = next.version.split('.').slice(0, 2).join('.')
    // The annotation sits on the go line (go.mod:3) and says what go printed, and the fix.
    const onGoLine = errors.find((c) => c.properties.file === 'go.mod' && c.properties.line === '3')
    expect(onGoLine?.message).toContain(
      `go.mod requires go >= ${needs} (running go ${local}; GOTOOLCHAIN=local)`
    )
    for (const e of [onGoLine, errors.at(-1)])
      expect(e?.message).toContain(
        `GOTOOLCHAIN=local keeps go from switching to it: set 'go-version' to ${needs} or newer`
      )
  })
})
