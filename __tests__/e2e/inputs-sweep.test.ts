/**
 * The bad-input sweep: the bundled action run by the runner emulation with one bad input at a time, as a
 * careless user would write them. For every case: the step fails with exactly one `::error::` line that
 * names the input, nothing was started (no child process, no request to the Go mirror: every input is
 * checked before any work), no Node stack trace, and no secret given to the step appears in its output.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import {
  DEFAULT_TOKEN,
  REPO_ROOT,
  type ActionResult,
  type GoMirror,
  type JobDirs,
  newJobDirs,
  runAction,
  startGoMirror
} from '../../testbed/index.ts'

const SECRET = 'SweepS3cretValue'
const KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA${SECRET}\n`

/** [what, the input named in the error, inputs]. */
const CASES: Array<[string, string, Record<string, string>]> = [
  ['a go-version that is no version', 'go-version', { 'go-version': '1.2.3.4' }],
  ['a missing go-version-file', 'go-version-file', { 'go-version': '', 'go-version-file': 'nope.mod' }],
  ['check-latest not a boolean', 'check-latest', { 'check-latest': 'maybe' }],
  ['an architecture Go has no build for', 'architecture', { architecture: 'riscv64' }],
  ['an ftp mirror', 'go-download-base-url', { 'go-download-base-url': 'ftp://mirror.example/go' }],
  ['a missing working-directory', 'working-directory', { 'working-directory': 'no/such/dir' }],
  ['a working-directory that is a file', 'working-directory', { 'working-directory': 'notes.txt' }],
  ['cache not a boolean', 'cache', { cache: 'yes please' }],
  [
    'cache-dependency-path as a comma list',
    'cache-dependency-path',
    { 'cache-dependency-path': 'go.sum, x/go.sum' }
  ],
  ['a cache-key-suffix with a comma', 'cache-key-suffix', { 'cache-key-suffix': 'linux,amd64' }],
  ['cache-build not a boolean', 'cache-build', { 'cache-build': 'sometimes' }],
  ['an unknown cache-save', 'cache-save', { 'cache-save': 'sometimes' }],
  ['private-modules with ..', 'private-modules', { 'private-modules': 'github.com/acme/..' }],
  ['private-modules with %2e%2e', 'private-modules', { 'private-modules': 'github.com/acme/%2e%2e' }],
  ['private-modules *** (a masked secret)', 'private-modules', { 'private-modules': '***' }],
  ['private-modules */*', 'private-modules', { 'private-modules': '*/*' }],
  ['private-modules with ,,', 'private-modules', { 'private-modules': 'github.com/acme,,gitlab.com/x' }],
  ['private-modules as a URL', 'private-modules', { 'private-modules': 'https://github.com/acme' }],
  ['a token with a space', 'token', { token: `ghp_${SECRET} x` }],
  // The usual failure on a fork's pull request, where the secret is empty.
  ['private-modules with an empty token', 'token', { 'private-modules': 'github.com/acme/*', token: '' }],
  [
    'a credentials line with a wildcard',
    'credentials',
    { credentials: `gitlab.com/acme/* oauth2:${SECRET}` }
  ],
  ['a credentials line without user', 'credentials', { credentials: `gitlab.com ${SECRET}` }],
  ['a truncated ssh key', 'ssh-private-key', { 'ssh-private-key': KEY }],
  ['a known_hosts line without a key', 'ssh-known-hosts', { 'ssh-known-hosts': 'git.corp.example' }],
  ['a goproxy that is no URL', 'goproxy', { goproxy: 'noproxy' }],
  ['a goproxy with an empty entry', 'goproxy', { goproxy: 'https://proxy.golang.org,,direct' }],
  ['an unknown gosumdb', 'gosumdb', { gosumdb: 'sum.corp.example' }],
  ['gonoproxy with ,,', 'gonoproxy', { gonoproxy: 'a.example,,b.example' }],
  ['gonosumdb with ..', 'gonosumdb', { gonosumdb: 'github.com/acme/..' }],
  ['goflags with an unterminated quote', 'goflags', { goflags: '-ldflags="-s -w' }],
  ['goflags with a quoted field left open', 'goflags', { goflags: '"-ldflags=-s -w' }],
  ['goflags -insecure', 'goflags', { goflags: '-mod=mod -insecure' }],
  ['goflags with a non-flag', 'goflags', { goflags: '-tags foo' }],
  ['fallback-proxies not a url', 'fallback-proxies', { 'fallback-proxies': 'not a url' }],
  ['fallback-proxies ftp and ,,', 'fallback-proxies', { 'fallback-proxies': 'ftp://x,,https://' }],
  ['download not a boolean', 'download', { download: 'nah' }],
  ['modules as a comma list', 'modules', { modules: 'svc/a, svc/b' }],
  ['parallel 0', 'parallel', { parallel: '0' }],
  ['retries 21', 'retries', { retries: '21' }],
  ['retry-backoff 11m', 'retry-backoff', { 'retry-backoff': '11m' }],
  ['retry-backoff in words', 'retry-backoff', { 'retry-backoff': '2 seconds' }],
  ['retry-timeout 0', 'retry-timeout', { 'retry-timeout': '0' }],
  ['attempt-timeout 0', 'attempt-timeout', { 'attempt-timeout': '0s' }],
  ['attempt-timeout 1000h (past the timer limit)', 'attempt-timeout', { 'attempt-timeout': '1000h' }],
  ['offline-after-download not a boolean', 'offline-after-download', { 'offline-after-download': 'perhaps' }]
]

let mirror: GoMirror
let dirs: JobDirs

beforeAll(async () => {
  mirror = await startGoMirror()
  dirs = newJobDirs('inputs-sweep-')
  fs.writeFileSync(path.join(dirs.workspace, 'go.mod'), 'module example.com/app\n\ngo 1.21\n')
  fs.writeFileSync(path.join(dirs.workspace, 'notes.txt'), 'not a directory\n')
}, 120_000)

afterAll(async () => {
  await mirror?.close()
  dirs?.cleanup()
})

function run(extra: Record<string, string>, from = mirror): Promise<ActionResult> {
  return runAction({
    dirs,
    inputs: {
      'go-version': from.goVersion,
      'go-download-base-url': from.baseUrl,
      cache: 'false',
      download: 'false',
      ...extra
    },
    timeoutMs: 60_000
  })
}

/** Output a user could see: the runner masks ::add-mask:: values, so those lines themselves do not count. */
const visible = (r: ActionResult): string =>
  [r.main.stdout, r.main.stderr, r.main.summary, r.post?.stdout ?? '', r.post?.stderr ?? '']
    .join('\n')
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')

describe('every bad input is refused before any work', () => {
  it('covers every input action.yml declares', () => {
    const yml = fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')
    const declared = [...yml.split('outputs:')[0]!.matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1])
    expect(declared.length).toBeGreaterThan(25)
    expect(declared.filter((i) => !CASES.some(([, input]) => input === i))).toEqual([])
    expect(CASES.length).toBeGreaterThanOrEqual(30)
  })

  // Concurrent: each case starts nothing, so they cannot disturb one another (the control has its own mirror).
  it.concurrent.each(CASES)(
    '%s: fails naming %s',
    async (_what, input, inputs) => {
      const r = await run(inputs)
      expect(r.main.conclusion).toBe('failure')
      expect(r.main.exitCode).toBe(1)
      const errors = r.main.stdout.split('\n').filter((l) => l.startsWith('::error'))
      expect(errors).toHaveLength(1)
      expect(errors[0]).toContain(`'${input}'`)
      expect(r.main.outputs['error-class']).toBe('config')
      // Nothing started: no go, tar or git, and no request to the mirror.
      expect(r.main.children).toEqual([])
      expect(mirror.faults.log).toEqual([])
      expect(r.main.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/)
      const out = visible(r)
      expect(out).not.toContain(SECRET)
      expect(out).not.toContain(DEFAULT_TOKEN)
    },
    60_000
  )

  it('the control: the same job with valid inputs does install Go from the mirror (so the checks above can fail)', async () => {
    const control = await startGoMirror()
    try {
      const r = await run({}, control)
      expect(r.main.stdout).not.toMatch(/::error/)
      expect(r.main.exitCode).toBe(0)
      expect(control.archiveRequests().length).toBeGreaterThan(0)
      expect(r.main.children.length).toBeGreaterThan(0)
    } finally {
      await control.close()
    }
  }, 120_000)
})
