/**
 * The runner emulation: a throw-away action (action.yml + main/post scripts using only Node built-ins,
 * writing the file commands exactly as @actions/core does) proves inputs, outputs, exported env, path,
 * state, summary, masks and orphan cleanup behave as on a hosted runner.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { liveProcessGroups, pidAlive, processGroupAlive } from '../../testbed/proc.ts'
import {
  DEFAULT_TOKEN,
  applyMasks,
  inputEnvName,
  newJob,
  newJobDirs,
  parseFileCommand,
  parseWorkflowCommands,
  readActionYml,
  runAction,
  runLaterStep,
  runStep,
  type JobDirs
} from '../../testbed/runner.ts'

let actionDir: string
let dirs: JobDirs

// What @actions/core does: issueFileCommand appends `key<<ghadelimiter_<uuid>\nvalue\nghadelimiter_<uuid>\n`.
const CORE_LIKE = `
import fs from 'node:fs'
import os from 'node:os'
import crypto from 'node:crypto'
export function fileCommand(kind, key, value) {
  const delimiter = 'ghadelimiter_' + crypto.randomUUID()
  fs.appendFileSync(process.env['GITHUB_' + kind], key + '<<' + delimiter + os.EOL + value + os.EOL + delimiter + os.EOL)
}
export const input = (name) => (process.env['INPUT_' + name.replace(/ /g, '_').toUpperCase()] || '').trim()
`

const MAIN = `
import fs from 'node:fs'
import { execFileSync } from 'node:child_process'
import { fileCommand, input } from './core-like.mjs'
fileCommand('OUTPUT', 'go-version', input('go-version'))
fileCommand('OUTPUT', 'spaced', input('my input'))
fileCommand('OUTPUT', 'token', input('token'))
fileCommand('OUTPUT', 'defaulted', input('cache'))
fileCommand('OUTPUT', 'multi', 'line one\\nline two')
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'plain=a=b\\n')
fileCommand('ENV', 'FROM_MAIN', 'exported value')
fileCommand('ENV', 'MULTI_ENV', 'x\\ny')
fs.appendFileSync(process.env.GITHUB_PATH, '/opt/bench/first\\n/opt/bench/second\\n')
fileCommand('STATE', 'cache-key', 'key-123')
fileCommand('STATE', 'multi', 'a\\nb')
fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, '### Summary\\n')
console.log('::add-mask::s3cr3t-value')
console.log('::warning file=go.mod,line=3::careful%0Anow')
console.log('leaked? s3cr3t-value')
execFileSync('/bin/sh', ['-c', 'exit 0'])
console.log(JSON.stringify({
  node: process.version,
  cwd: process.cwd(),
  home: process.env.HOME,
  leak: process.env.BENCH_SHOULD_NOT_LEAK ?? null,
  runnerOs: process.env.RUNNER_OS,
  runnerArch: process.env.RUNNER_ARCH,
  state: process.env.STATE_cache_key ?? null
}))
`

const POST = `
import { fileCommand } from './core-like.mjs'
console.log(JSON.stringify({
  stateKey: process.env['STATE_cache-key'] ?? null,
  stateMulti: process.env.STATE_multi ?? null,
  fromMain: process.env.FROM_MAIN ?? null,
  multiEnv: process.env.MULTI_ENV ?? null,
  path: process.env.PATH,
  input: process.env['INPUT_GO-VERSION'] ?? null,
  outputFile: process.env.GITHUB_OUTPUT
}))
fileCommand('OUTPUT', 'post-ran', 'yes')
`

const ACTION_YML = `name: 'test action'
description: >
  a throw-away action
  for the runner tests
inputs:
  go-version:
    description: 'version'
    required: false
    default: ''
  my input:
    description: "an input with a space"
  cache:
    description: 'cache'
    default: 'true' # a comment
  token:
    description: |
      block
      text
    default: \${{ github.token }}
outputs:
  go-version:
    description: 'x'
runs:
  using: 'node24'
  main: 'main.mjs'
  post: 'post.mjs'
  post-if: 'always()'
`

beforeAll(() => {
  actionDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-runner-action-'))
  fs.writeFileSync(path.join(actionDir, 'core-like.mjs'), CORE_LIKE)
  fs.writeFileSync(path.join(actionDir, 'main.mjs'), MAIN)
  fs.writeFileSync(path.join(actionDir, 'post.mjs'), POST)
  fs.writeFileSync(path.join(actionDir, 'action.yml'), ACTION_YML)
  dirs = newJobDirs()
})

afterAll(() => {
  dirs?.cleanup()
  if (actionDir) fs.rmSync(actionDir, { recursive: true, force: true })
})

describe('runAction: main then post, as the runner runs them', () => {
  test('inputs, outputs, env, path, state, summary, masks and the post step', async () => {
    process.env.BENCH_SHOULD_NOT_LEAK = 'leaked'
    let result
    try {
      result = await runAction({
        actionDir,
        dirs,
        inputs: { 'go-version': '1.19.8', 'my input': ' spaced ' }
      })
    } finally {
      delete process.env.BENCH_SHOULD_NOT_LEAK
    }
    const { main, post } = result
    expect(main.stderr).toBe('')
    expect(main.conclusion).toBe('success')
    expect(main.environment['INPUT_GO-VERSION']).toBe('1.19.8')
    expect(main.environment.INPUT_MY_INPUT).toBe(' spaced ')
    expect(main.outputs).toEqual({
      'go-version': '1.19.8',
      spaced: 'spaced',
      token: DEFAULT_TOKEN, // the default ${{ github.token }}
      defaulted: 'true', // action.yml default, comment stripped
      multi: 'line one\nline two',
      plain: 'a=b'
    })
    expect(main.env).toEqual({ FROM_MAIN: 'exported value', MULTI_ENV: 'x\ny' })
    expect(main.path).toEqual(['/opt/bench/first', '/opt/bench/second'])
    expect(main.state).toEqual({ 'cache-key': 'key-123', multi: 'a\nb' })
    expect(main.summary).toBe('### Summary\n')
    expect(main.masks).toEqual(['s3cr3t-value'])
    expect(main.commands).toContainEqual({
      command: 'warning',
      properties: { file: 'go.mod', line: '3' },
      message: 'careful\nnow'
    })
    expect(applyMasks(main.stdout, result.job.masks)).toContain('leaked? ***')
    expect(main.children.map((c) => [c.file, ...c.args])).toContainEqual(['/bin/sh', '-c', 'exit 0'])

    const seen = JSON.parse(main.stdout.trim().split('\n').pop() as string)
    expect(seen.node).toMatch(/^v2[4-9]\./)
    expect(seen.cwd).toBe(dirs.workspace)
    expect(seen.home).toBe(dirs.home)
    expect(seen.leak).toBeNull()
    expect(seen.runnerOs).toBe('Linux')
    expect(seen.runnerArch).toBe('X64')
    expect(seen.state).toBeNull() // no state in main
    expect(Object.keys(main.environment).filter((k) => k.startsWith('STATE_'))).toEqual([])

    expect(post).toBeDefined()
    expect(post?.conclusion).toBe('success')
    const postSaw = JSON.parse(post?.stdout.trim() as string)
    expect(postSaw.stateKey).toBe('key-123')
    expect(postSaw.stateMulti).toBe('a\nb')
    expect(postSaw.fromMain).toBe('exported value')
    expect(postSaw.multiEnv).toBe('x\ny')
    expect(postSaw.input).toBe('1.19.8')
    // The last line added comes first, then the base PATH.
    expect(postSaw.path.split(':').slice(0, 2)).toEqual(['/opt/bench/second', '/opt/bench/first'])
    // Fresh file-command files per step.
    expect(postSaw.outputFile).not.toBe(main.environment.GITHUB_OUTPUT)
    expect(post?.outputs).toEqual({ 'post-ran': 'yes' })
    expect(result.env.FROM_MAIN).toBe('exported value')
    expect(result.conclusion).toBe('success')
  })

  test('a later step runs in the job environment and its exports apply to the job', async () => {
    const result = await runAction({ actionDir, dirs, inputs: { 'go-version': '1.19' } })
    const later = await runLaterStep(
      '/bin/sh',
      ['-c', 'echo "$FROM_MAIN|$PATH|$INPUT_GO_VERSION"; echo "LATER=1" >> "$GITHUB_ENV"; go version'],
      result.job
    )
    expect(later.exitCode).toBe(0)
    const [first] = later.stdout.split('\n')
    expect(first).toMatch(/^exported value\|\/opt\/bench\/second:\/opt\/bench\/first:/)
    expect(first?.endsWith('|')).toBe(true) // inputs are per step, not job-wide
    expect(later.stdout).toContain('go version go1.')
    expect(result.job.exported.LATER).toBe('1')
  })

  test('post runs even when main fails; a malformed file command fails the step', async () => {
    const failing = path.join(actionDir, 'fail.mjs')
    fs.writeFileSync(
      failing,
      "import fs from 'node:fs'\nfs.appendFileSync(process.env.GITHUB_STATE, 'k=v\\n')\nfs.appendFileSync(process.env.GITHUB_ENV, 'BROKEN<<EOF\\nno end\\n')\nprocess.exitCode = 1\n"
    )
    const result = await runAction({ actionDir, dirs, main: failing })
    expect(result.main.exitCode).toBe(1)
    expect(result.main.conclusion).toBe('failure')
    expect(result.main.fileCommandErrors.join()).toMatch(/matching delimiter not found 'EOF'/)
    expect(result.post?.exitCode).toBe(0)
    expect(JSON.parse(result.post?.stdout.trim() as string).stateKey).toBeNull()
    expect(result.conclusion).toBe('failure')
  })
})

describe('runStep', () => {
  test('NODE_OPTIONS cannot be exported; STATE_ and inputs come from the options', async () => {
    const script = path.join(actionDir, 'step.mjs')
    fs.writeFileSync(
      script,
      "import fs from 'node:fs'\nfs.appendFileSync(process.env.GITHUB_ENV, 'NODE_OPTIONS=--inspect\\nOK=1\\n')\nconsole.log(process.env.STATE_x + ' ' + process.env['INPUT_A-B'])\n"
    )
    const r = await runStep({ script, dirs, inputs: { 'a-b': 'y' }, state: { x: 'saved' } })
    expect(r.stdout.trim()).toBe('saved y')
    expect(r.env).toEqual({ OK: '1' })
    expect(r.conclusion).toBe('failure')
    expect(r.fileCommandErrors.join()).toContain('NODE_OPTIONS')
  })

  test('processes a step leaves behind are killed; the action run kills them at the job end', async () => {
    const script = path.join(actionDir, 'orphan.mjs')
    fs.writeFileSync(
      script,
      "import { spawn } from 'node:child_process'\nconst c = spawn('sleep', ['30'], { stdio: 'ignore' })\nc.unref()\nconsole.log(c.pid)\n"
    )
    const r = await runStep({ script, dirs })
    expect(r.exitCode).toBe(0)
    expect(r.orphans).toBe(true)
    const pid = Number(r.stdout.trim())
    expect(pidAlive(pid)).toBe(false)

    const job = newJob({ dirs })
    const a = await runAction({ actionDir, job, main: script, post: path.join(actionDir, 'post.mjs') })
    expect(a.main.orphans).toBe(true)
    expect(a.orphansKilled).toBe(1)
    expect(processGroupAlive(a.main.orphanGroup as number)).toBe(false)
    expect(liveProcessGroups()).toEqual([])
  })

  test('a step over its timeout is killed with its children', async () => {
    const script = path.join(actionDir, 'hang.mjs')
    fs.writeFileSync(
      script,
      "import { spawn } from 'node:child_process'\nspawn('sleep', ['30'], { stdio: 'inherit' })\n"
    )
    const r = await runStep({ script, dirs, timeoutMs: 500 })
    expect(r.timedOut).toBe(true)
    expect(r.conclusion).toBe('failure')
    expect(liveProcessGroups()).toEqual([])
  })
})

describe('parsers', () => {
  test('file commands: NAME=value and heredoc, as the runner reads them', () => {
    const errors: string[] = []
    const pairs = parseFileCommand('A=1\nB<<X\nl1\n\nl3\nX\nC=has<<inside\nD<<E=F\nv\nE=F\n', 'env', errors)
    expect(errors).toEqual([])
    expect(pairs).toEqual([
      ['A', '1'],
      ['B', 'l1\n\nl3'],
      ['C', 'has<<inside'],
      ['D', 'v']
    ])
    const bad: string[] = []
    parseFileCommand('novalue\n=x\n', 'output', bad)
    expect(bad).toHaveLength(2)
  })

  test('workflow commands honour stop-commands', () => {
    const cmds = parseWorkflowCommands(
      '::error title=a%2Cb::msg\n::stop-commands::tok\n::error::hidden\n::tok::\n::notice::shown'
    )
    expect(cmds).toEqual([
      { command: 'error', properties: { title: 'a,b' }, message: 'msg' },
      { command: 'notice', properties: {}, message: 'shown' }
    ])
  })

  test('the real action.yml: every input and runs.*', () => {
    const yml = readActionYml(path.join(process.cwd(), 'action.yml'))
    expect(yml.main).toBe('dist/main/index.js')
    expect(yml.post).toBe('dist/post/index.js')
    expect(yml.postIf).toBe('always()')
    expect(yml.inputs['go-version']).toBeDefined()
    expect(yml.inputs.token?.default).toBe('${{ github.token }}')
    expect(inputEnvName('go-version')).toBe('INPUT_GO-VERSION')
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT')
  })
})
