/**
 * A self-hosted runner's own Go settings: GOFLAGS / GONOSUMDB in the job's environment and GOPROXY /
 * GOPRIVATE / GOTOOLCHAIN written with `go env -w` into the runner's GOENV file. The action honours them
 * where its inputs are empty, lets an input override them (and says so), refuses a broken one naming the
 * variable and where it was set, and lists every value with its source in a log group and the summary.
 * Immune to this machine's own Go settings: GOENV points at a file each test writes, HOME is the job's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {
  type GoMirror,
  type JobDirs,
  type ModuleProxy,
  type ModuleSet,
  SYSTEM_PATH,
  generateModules,
  newJobDirs,
  runAction,
  runLaterStep,
  startGoMirror,
  startModuleProxy,
  writeConsumerProject
} from '../../testbed/index.ts'

let mirror: GoMirror
let proxy: ModuleProxy
let set: ModuleSet
const jobs: JobDirs[] = []

beforeAll(async () => {
  const root = newJobDirs('runner-goenv-mods-')
  jobs.push(root)
  set = generateModules({ dir: path.join(root.root, 'mods'), count: 3, deps: [[1], [], []] })
  proxy = await startModuleProxy({ modules: set })
  mirror = await startGoMirror()
}, 180_000)

afterAll(async () => {
  await Promise.all([proxy?.close(), mirror?.close()])
  for (const j of jobs) j.cleanup()
})

/** A job whose runner has a GOENV file written by `go env -w` (with the runner's own go, isolated). */
function runnerWith(goenvSettings: Record<string, string>): { dirs: JobDirs; goenv: string } {
  const dirs = newJobDirs('runner-goenv-')
  jobs.push(dirs)
  writeConsumerProject(dirs.workspace, {
    requires: set.latest(),
    modules: set,
    modulePath: 'example.com/app'
  })
  const goenv = path.join(dirs.home, '.config', 'go', 'env')
  fs.mkdirSync(path.dirname(goenv), { recursive: true })
  const settings = Object.entries(goenvSettings).map(([k, v]) => `${k}=${v}`)
  if (settings.length > 0) {
    execFileSync('go', ['env', '-w', ...settings], {
      env: { PATH: SYSTEM_PATH, HOME: dirs.home, GOENV: goenv, GOTOOLCHAIN: 'local' }
    })
  }
  return { dirs, goenv }
}

const base = () => ({
  'go-version': mirror.goVersion,
  'go-download-base-url': mirror.baseUrl,
  gosumdb: 'off',
  cache: 'false',
  'retry-backoff': '100ms'
})

/** The lines of the "Go environment" log group. */
function group(stdout: string): string[] {
  const lines = stdout.split('\n')
  const start = lines.indexOf('::group::Go environment')
  expect(start).toBeGreaterThanOrEqual(0)
  return lines.slice(start + 1, lines.indexOf('::endgroup::', start))
}

describe("the runner's own Go environment", () => {
  it('honours GOPROXY/GOPRIVATE/GOTOOLCHAIN from go env -w and GOFLAGS/GONOSUMDB from the environment, naming each source', async () => {
    const { dirs, goenv } = runnerWith({
      GOPROXY: proxy.goproxy,
      GOPRIVATE: 'corp.example/*',
      GOTOOLCHAIN: 'auto'
    })
    proxy.faults.clearLog()
    const run = await runAction({
      dirs,
      env: { GOENV: goenv, GOFLAGS: '-modcacherw', GONOSUMDB: 'corp.example/*' },
      inputs: { ...base(), 'private-modules': 'example.com/private/*' }
    })
    expect(run.main.stdout).not.toMatch(/::error/)
    expect(run.main.exitCode).toBe(0)
    // The runner's GOPROXY (from the GOENV file only) is the one go downloaded from.
    expect(proxy.zipDownloads().length).toBe(3)
    const log = group(run.main.stdout)
    const file = `go env -w (GOENV file ${goenv})`
    expect(log).toContain(`GOPROXY=${proxy.goproxy} (${file})`)
    expect(log).toContain("GOFLAGS=-modcacherw (the runner's environment)")
    expect(log).toContain(
      `GOPRIVATE=corp.example/*,example.com/private/* (${file} + input 'private-modules'; exported)`
    )
    expect(log).toContain(
      `GONOSUMDB=corp.example/*,example.com/private/* (the runner's environment + input 'private-modules'; exported) - GONOSUMDB was set by the runner's environment; go derives it from GOPRIVATE only when it is unset, so the private-modules patterns were added to it`
    )
    expect(log.find((l) => l.startsWith('GOTOOLCHAIN='))).toBe(
      `GOTOOLCHAIN=local (this action; exported) - the runner had 'auto' from ${file}; this action set GOTOOLCHAIN=local so later steps run the Go it installed (a go.mod toolchain line would otherwise switch)`
    )
    expect(run.main.summary).toContain('### Go environment')
    expect(run.main.summary).toContain(`| GOPROXY | \`${proxy.goproxy}\` | ${file} |`)
    expect(run.main.summary).toContain("| GOFLAGS | `-modcacherw` | the runner's environment |")

    // A later step sees the runner's file entries and ours (an exported GOPRIVATE hides the file's).
    const later = await runLaterStep('go', ['env', 'GOPRIVATE', 'GOPROXY', 'GOTOOLCHAIN'], run.job)
    expect(later.stdout.trim().split('\n')).toEqual([
      'corp.example/*,example.com/private/*',
      proxy.goproxy,
      'local'
    ])
  }, 180_000)

  it("a login in the runner's GOPROXY is masked and never printed: log groups, warnings, summary", async () => {
    const { dirs, goenv } = runnerWith({})
    const password = 'S3cret-Pw0rd'
    const withLogin = proxy.goproxy.replace('http://', `http://ci:${password}@`)
    expect(withLogin).toContain(password)
    const run = await runAction({ dirs, env: { GOENV: goenv, GOPROXY: withLogin }, inputs: base() })
    // go refuses to send a login to a plain-http proxy (the bench's is one): the download fails, and
    // nothing on the way, from the Go environment group to the failure message, shows the password.
    expect(run.main.stdout).toContain('refusing to pass credentials to insecure URL')
    expect(run.main.outputs['error-class']).toBe('config')
    expect(run.main.masks).toEqual(expect.arrayContaining([password, `ci:${password}`]))
    const unmasked = (text: string) => text.split('\n').filter((l) => !l.startsWith('::add-mask::'))
    expect(unmasked(run.main.stdout).filter((l) => l.includes(password))).toEqual([])
    expect(run.main.summary).not.toContain(password)
    expect(run.main.stdout).toContain('GOPROXY=http://***@127.0.0.1:')
    expect(run.main.summary).toContain('http://***@127.0.0.1:')
  }, 180_000)

  it("an input overrides the runner's value, and the log says so", async () => {
    const { dirs, goenv } = runnerWith({ GOPROXY: 'https://127.0.0.1:1/unreachable' })
    const run = await runAction({
      dirs,
      env: { GOENV: goenv },
      inputs: { ...base(), goproxy: proxy.goproxy }
    })
    expect(run.main.exitCode).toBe(0)
    expect(group(run.main.stdout)).toContain(
      `GOPROXY=${proxy.goproxy} (input 'goproxy'; exported) - input 'goproxy' overrides 'https://127.0.0.1:1/unreachable' from go env -w (GOENV file ${goenv})`
    )
  }, 180_000)

  it.each([
    ['go env -w', { GOPROXY: 'proxy corp' }, {}],
    ["the runner's environment", {}, { GOPROXY: 'proxy corp' }]
  ])(
    'a broken runner GOPROXY from %s fails before the download, naming the variable and where it was set',
    async (where, goenvSettings, env) => {
      const { dirs, goenv } = runnerWith(goenvSettings)
      proxy.faults.clearLog()
      const run = await runAction({ dirs, env: { ...env, GOENV: goenv }, inputs: base() })
      expect(run.main.exitCode).toBe(1)
      const errors = run.main.stdout.split('\n').filter((l) => l.startsWith('::error'))
      expect(errors).toHaveLength(1)
      expect(errors[0]).toContain(`GOPROXY (set by ${where}`)
      expect(errors[0]).toContain("is 'proxy corp'")
      expect(errors[0]).toContain("set input 'goproxy' to override it")
      expect(run.main.outputs['error-class']).toBe('config')
      expect(proxy.artefactRequests()).toEqual([])
    },
    180_000
  )

  it("a runner setting go itself refuses (GO111MODULE=bogus) fails with go's own line, not an exit code", async () => {
    const { dirs, goenv } = runnerWith({})
    const run = await runAction({ dirs, env: { GOENV: goenv, GO111MODULE: 'bogus' }, inputs: base() })
    expect(run.main.exitCode).toBe(1)
    const errors = run.main.stdout.split('\n').filter((l) => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(
      'env` failed (exit code 1): go: unknown environment setting GO111MODULE=bogus.'
    )
    expect(errors[0]).toContain("Fix what go names there: the runner's GOFLAGS or other Go variables")
    expect(errors[0]).not.toContain('failed with exit code')
    expect(run.main.outputs['error-class']).toBe('config')
  }, 180_000)

  it('warns about gosumdb: off and a gonoproxy that misses a private-modules pattern, naming the inputs', async () => {
    const { dirs, goenv } = runnerWith({})
    const run = await runAction({
      dirs,
      env: { GOENV: goenv },
      inputs: {
        ...base(),
        goproxy: proxy.goproxy,
        'private-modules': 'example.com/private/*,corp.example/x',
        gonoproxy: 'example.com/private'
      }
    })
    expect(run.main.exitCode).toBe(0)
    const warnings = run.main.stdout.split('\n').filter((l) => l.startsWith('::warning'))
    expect(warnings.some((w) => w.includes("GOSUMDB=off (input 'gosumdb')"))).toBe(true)
    expect(
      warnings.some((w) =>
        w.includes(
          "Input 'gonoproxy' ('example.com/private') does not cover input 'private-modules' pattern 'corp.example/x'"
        )
      )
    ).toBe(true)
  }, 180_000)
})
