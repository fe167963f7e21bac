/**
 * The download through the bundled action (dist/main, then dist/post), the runner emulation and the
 * machine's go (the bench mirror serves it: 1.26 here), where what the user sees is the point:
 * - `offline-after-download` exports GOPROXY=off only, so go keeps its default -mod (a later build never
 *   rewrites go.mod); with `download: false` it exports nothing and says so;
 * - a go.mod go cannot parse fails with go's own `go.mod:4: ...` line, annotated at that line only;
 * - a go.sum line go would misread (a garbled h1: hash, an unknown hash, a path that looks like an
 *   option) is refused before any download, naming the file and line.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import {
  type GoMirror,
  type JobDirs,
  type ModuleProxy,
  type ModuleSet,
  type StepResult,
  artefactPattern,
  generateModules,
  newJobDirs,
  removeTree,
  runAction,
  runLaterStep,
  startGoMirror,
  startModuleProxy,
  writeConsumerProject
} from '../../testbed/index.ts'
import { resetRunner } from '../helpers/job.ts'

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
  resetRunner(dirs)
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
    // The log and the summary say what later steps get.
    expect(run.main.stdout).toContain('offline-after-download: exported GOPROXY=off for later steps')
    expect(run.main.summary).toContain(
      "| GOPROXY | `off` | input 'offline-after-download' (exported) | for later steps, after the download; the download used"
    )

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

/** The step's `::error::` annotations with a file, and the final failure message (the one without). */
const annotations = (step: StepResult) =>
  step.commands
    .filter((c) => c.command === 'error' && c.properties.file)
    .map((c) => ({ file: c.properties.file, line: c.properties.line, message: c.message }))
const finalError = (step: StepResult): string =>
  step.commands.filter((c) => c.command === 'error' && !c.properties.file).pop()?.message ?? ''

describe('error-class is set on every failure', () => {
  it('network when Go cannot be installed because the mirror is unreachable', async () => {
    const run = await runAction({
      dirs: checkout(),
      inputs: inputs({ 'go-version': '1.99.1', 'go-download-base-url': 'http://127.0.0.1:9/dl' })
    })
    expect(run.main.exitCode).toBe(1)
    expect(finalError(run.main)).toContain('Could not read the list of Go releases')
    expect(run.main.outputs['error-class']).toBe('network')
  }, 60_000)

  it('config for a modules glob that matches nothing, before Go is installed', async () => {
    mirror.faults.clearLog()
    const run = await runAction({ dirs: checkout(), inputs: inputs({ modules: 'nomatch/*' }) })
    expect(run.main.exitCode).toBe(1)
    expect(finalError(run.main)).toContain("Input 'modules' is 'nomatch/*'")
    expect(run.main.outputs['error-class']).toBe('config')
    expect(run.main.outputs['go-version']).toBeUndefined()
    expect(mirror.faults.log).toEqual([])
  }, 60_000)

  it('a working-directory below the module downloads for the go.mod go finds above it, as go does', async () => {
    const job = checkout()
    fs.mkdirSync(path.join(job.workspace, 'cmd', 'tool'), { recursive: true })
    const run = await runAction({
      dirs: job,
      inputs: inputs({ 'working-directory': 'cmd/tool', cache: 'true' })
    })
    expect(run.main.exitCode).toBe(0)
    // every module of the go.sum above it is in the module cache
    const zips = fs
      .readFileSync(path.join(job.workspace, 'go.sum'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.includes('/go.mod '))
      .map((l) => l.split(' ').slice(0, 2).join('@'))
    expect(zips.length).toBeGreaterThan(1)
    expect(run.main.outputs.modules).toBe(String(zips.length))
    for (const m of zips)
      expect(fs.existsSync(path.join(run.main.outputs.gomodcache as string, m))).toBe(true)
    // keyed on the module's go.sum above it, not "nothing to key on"
    expect(run.main.stdout).toContain(`Cache key files: ${path.join(job.workspace, 'go.sum')}
`)
    expect(run.main.stdout).not.toMatch(/::warning::.*caching is off/)
  }, 60_000)

  it('config for a working-directory with no go.mod or go.work in it or above it, before Go is installed', async () => {
    mirror.faults.clearLog()
    const job = checkout()
    for (const f of ['go.mod', 'go.sum']) fs.rmSync(path.join(job.workspace, f), { force: true })
    fs.mkdirSync(path.join(job.workspace, 'docs'))
    const run = await runAction({ dirs: job, inputs: inputs({ 'working-directory': 'docs' }) })
    expect(run.main.exitCode).toBe(1)
    expect(finalError(run.main)).toContain(
      "Input 'working-directory' is 'docs'; neither it nor a directory above it has a go.mod or go.work"
    )
    expect(run.main.outputs['error-class']).toBe('config')
    expect(run.main.outputs['go-version']).toBeUndefined()
    expect(mirror.faults.log).toEqual([])
  }, 60_000)
})

describe("go.mod and go.sum problems name the user's file and line", () => {
  it("shows go's message for a go.mod syntax error and annotates exactly the broken line", async () => {
    const job = checkout()
    const goMod = path.join(job.workspace, 'go.mod')
    fs.writeFileSync(goMod, fs.readFileSync(goMod, 'utf8').replace(/^go 1\.19$/m, 'go 1.19\nfoo bar'))
    expect(fs.readFileSync(goMod, 'utf8').split('\n')[3]).toBe('foo bar')
    const run = await runAction({ dirs: job, inputs: inputs({}) })
    expect(run.main.exitCode).toBe(1)
    expect(run.main.outputs['error-class']).toBe('config')
    expect(run.main.outputs['download-attempts']).toBe('1')
    expect(finalError(run.main)).toContain('go.mod:4: unknown directive: foo')
    expect(finalError(run.main)).not.toContain('errors parsing go.mod:.')
    expect(annotations(run.main)).toEqual([
      { file: 'go.mod', line: '4', message: expect.stringContaining('unknown directive: foo') }
    ])
    // go's options end before the module arguments: nothing from go.sum can be read as an option.
    const downloads = run.main.children.filter(
      (c) => c.args.includes('download') && c.args.some((a) => a.includes('@'))
    )
    expect(downloads.length).toBeGreaterThan(0)
    for (const c of downloads) {
      expect(c.args.indexOf('--')).toBeGreaterThan(-1)
      expect(c.args.indexOf('--')).toBeLessThan(c.args.findIndex((a) => a.includes('@')))
    }
  }, 180_000)

  it.each([
    [
      'a garbled h1: hash (bad base64)',
      (h: string) => h.replace(/^h1:.*$/, 'h1:not-base64!!'),
      'not a valid h1: hash'
    ],
    ['an h1: hash of the wrong length', (h: string) => h.slice(0, -2), 'not a valid h1: hash'],
    [
      'a hash go ignores (h2:), which passed and broke the later build',
      (h: string) => `h2:${h.slice(3)}`,
      "'missing go.sum entry'"
    ]
  ])(
    'refuses %s before downloading anything, naming go.sum and the line',
    async (_what, garble, why) => {
      const job = checkout()
      const sumFile = path.join(job.workspace, 'go.sum')
      const victim = set.get('example.com/pub/m003')
      const lines = fs.readFileSync(sumFile, 'utf8').split('\n')
      const index = lines.indexOf(victim.sumLines[0])
      expect(index).toBeGreaterThanOrEqual(0)
      lines[index] = `${victim.path} ${victim.version} ${garble(victim.zipHash)}`
      fs.writeFileSync(sumFile, lines.join('\n'))
      proxy.faults.clearLog()
      const run = await runAction({ dirs: job, inputs: inputs({}) })
      expect(run.main.exitCode).toBe(1)
      expect(run.main.outputs['error-class']).toBe('config')
      expect(finalError(run.main)).toContain(`go.sum:${index + 1}: `)
      expect(finalError(run.main)).toContain(why)
      expect(annotations(run.main)).toEqual([
        { file: 'go.sum', line: String(index + 1), message: expect.stringContaining(why) }
      ])
      expect(proxy.artefactRequests()).toEqual([])
    },
    180_000
  )

  it("annotates the require line in a 'modules' root below 'working-directory'", async () => {
    const job = checkout()
    const svc = path.join(job.workspace, 'backend', 'svc', 'a')
    writeConsumerProject(svc, {
      requires: [set.get('example.com/pub/m003')],
      modulePath: 'example.com/svc/a'
    })
    const m3 = set.get('example.com/pub/m003')
    const line =
      fs.readFileSync(path.join(svc, 'go.mod'), 'utf8').split('\n').indexOf(`\t${m3.path} ${m3.version}`) + 1
    expect(line).toBeGreaterThan(0)
    const remove = proxy.faults.add({
      path: artefactPattern(m3.path, 'info', m3.version),
      fault: { kind: 'status', status: 404 }
    })
    try {
      const run = await runAction({
        dirs: job,
        inputs: inputs({ 'working-directory': 'backend', modules: 'svc/*' })
      })
      expect(run.main.exitCode).toBe(1)
      expect(run.main.outputs['error-class']).toBe('not-found')
      expect(annotations(run.main)).toEqual([
        { file: 'backend/svc/a/go.mod', line: String(line), message: expect.stringContaining(m3.path) }
      ])
    } finally {
      remove()
    }
  }, 180_000)

  it('refuses a go.sum module path that go would read as an option (-modfile=x), naming the line', async () => {
    const job = checkout()
    const sumFile = path.join(job.workspace, 'go.sum')
    const hash = set.get('example.com/pub/m001').zipHash
    fs.appendFileSync(sumFile, `-modfile=x v1.0.0 ${hash}\n`)
    const line = fs.readFileSync(sumFile, 'utf8').trimEnd().split('\n').length
    proxy.faults.clearLog()
    const run = await runAction({ dirs: job, inputs: inputs({}) })
    expect(run.main.exitCode).toBe(1)
    expect(run.main.outputs['error-class']).toBe('config')
    expect(finalError(run.main)).toContain(`go.sum:${line}: the module path '-modfile=x' starts with '-'`)
    expect(annotations(run.main)).toEqual([
      { file: 'go.sum', line: String(line), message: expect.any(String) }
    ])
    expect(run.main.children.filter((c) => c.args.includes('download'))).toEqual([])
    expect(fs.existsSync(path.join(job.workspace, 'x'))).toBe(false)
    expect(proxy.artefactRequests()).toEqual([])
  }, 180_000)
})
