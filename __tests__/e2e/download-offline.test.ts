/**
 * `offline-after-download` through the bundled action (dist/main, then dist/post) and the runner
 * emulation, with a later go step in the job's environment: it exports GOPROXY=off only, so go keeps its
 * default -mod (a later build never rewrites go.mod); with `download: false` it exports nothing and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import {
  type GoMirror,
  type JobDirs,
  type ModuleProxy,
  type ModuleSet,
  generateModules,
  newJobDirs,
  removeTree,
  runAction,
  runLaterStep,
  startGoMirror,
  startModuleProxy,
  writeConsumerProject
} from '../../testbed/index.ts'

let root: string
let mirror: GoMirror
let proxy: ModuleProxy
let set: ModuleSet
let dirs: JobDirs | undefined

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'offline-e2e-'))
  // m001 requires m002: the consumer's go.mod lists m002 as `// indirect`.
  set = generateModules({ dir: path.join(root, 'mods'), count: 3, deps: [[1], [], []] })
  proxy = await startModuleProxy({ modules: set })
  mirror = await startGoMirror({ variant: 'full' })
}, 180_000)

afterAll(async () => {
  await Promise.all([proxy?.close(), mirror?.close()])
  dirs?.cleanup()
  removeTree(root)
})

function checkout(): JobDirs {
  dirs ??= newJobDirs('offline-e2e-job-')
  for (const dir of [dirs.workspace, dirs.home, dirs.temp]) {
    removeTree(dir)
    fs.mkdirSync(dir, { recursive: true })
  }
  writeConsumerProject(dirs.workspace, {
    requires: [set.get('example.com/pub/m001'), set.get('example.com/pub/m003')]
  })
  return dirs
}

const inputs = (extra: Record<string, string>): Record<string, string> => ({
  'go-version': mirror.goVersion,
  'go-download-base-url': mirror.baseUrl,
  goproxy: proxy.goproxy,
  gosumdb: 'off',
  cache: 'false',
  'retry-backoff': '100ms',
  ...extra
})

describe('offline-after-download', () => {
  it("exports GOPROXY=off only: a later go build keeps go's default -mod and never rewrites go.mod", async () => {
    const job = checkout()
    const run = await runAction({ dirs: job, inputs: inputs({ 'offline-after-download': 'true' }) })
    expect(run.main.exitCode).toBe(0)
    expect(run.main.env.GOPROXY).toBe('off')
    expect(run.main.env.GOFLAGS ?? '').not.toMatch(/-mod=/)

    // A go.mod that lost a requirement: -mod=mod would add it back silently; go's default refuses.
    const goMod = path.join(job.workspace, 'go.mod')
    const broken = fs
      .readFileSync(goMod, 'utf8')
      .replace(/^\s*example\.com\/pub\/m002 .*\/\/ indirect\n/m, '')
    fs.writeFileSync(goMod, broken)
    proxy.faults.clearLog()
    const build = await runLaterStep('go', ['build', './...'], run.job)
    expect(build.exitCode).not.toBe(0)
    expect(build.stderr).toMatch(/updates to go\.mod needed|missing go\.sum entry|go mod tidy/)
    expect(fs.readFileSync(goMod, 'utf8')).toBe(broken)
    expect(proxy.faults.log).toEqual([])

    const flags = await runLaterStep('go', ['env', 'GOFLAGS'], run.job)
    expect(flags.stdout).not.toMatch(/-mod=/)
  }, 180_000)

  it('with download: false exports no GOPROXY=off and warns that it has no effect', async () => {
    const job = checkout()
    const run = await runAction({
      dirs: job,
      inputs: inputs({ 'offline-after-download': 'true', download: 'false' })
    })
    expect(run.main.exitCode).toBe(0)
    expect(run.main.env.GOPROXY).not.toBe('off')
    expect(run.env.GOPROXY).not.toBe('off')
    const warnings = run.main.commands.filter((c) => c.command === 'warning').map((c) => c.message)
    expect(
      warnings.some((w) => w.includes("'offline-after-download'") && w.includes("'download' is 'false'"))
    ).toBe(true)
  }, 180_000)
})
