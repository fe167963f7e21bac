/**
 * The module generator: deterministic output, a zip and hashes that Go's own implementation agrees with
 * (go computes the hash itself when it builds the zip from a git repository), git repositories with one
 * tag per version, dependency-graph checks.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { isolatedGoEnv, removeTree, runGo } from '../../testbed/isolated-go.ts'
import {
  bumpModule,
  compareVersions,
  escapePath,
  generateModules,
  goSumFor,
  hashGoMod,
  sourceTrees,
  unescapePath,
  writeConsumerProject,
  writeGitRepos
} from '../../testbed/module-gen.ts'

let root: string

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-modules-test-'))
})

afterAll(() => {
  if (root) removeTree(root)
})

describe('generateModules', () => {
  test('is deterministic and writes a file-based GOPROXY tree', () => {
    const opts = { count: 3, deps: [[1], [2], []], sizeBytes: 32768 }
    const a = generateModules({ ...opts, dir: path.join(root, 'det-a') })
    const b = generateModules({ ...opts, dir: path.join(root, 'det-b') })
    expect(a.all().map((m) => m.zip.toString('base64'))).toEqual(b.all().map((m) => m.zip.toString('base64')))
    expect(a.all().map((m) => m.sumLines)).toEqual(b.all().map((m) => m.sumLines))
    const m1 = a.get('example.com/pub/m001@v1.0.0')
    const total = Object.values(m1.files).reduce((n, s) => n + Buffer.byteLength(s), 0)
    expect(total).toBeGreaterThan(30000)
    expect(total).toBeLessThan(34000)
    expect(m1.requires).toEqual([{ path: 'example.com/pub/m002', version: 'v1.0.0' }])
    expect(m1.sumLines[1]).toBe(`example.com/pub/m001 v1.0.0/go.mod ${hashGoMod(m1.mod)}`)
    const vdir = path.join(a.proxyDir, 'example.com/pub/m001/@v')
    expect(fs.readdirSync(vdir).sort()).toEqual(['list', 'v1.0.0.info', 'v1.0.0.mod', 'v1.0.0.zip'])
    expect(JSON.parse(fs.readFileSync(path.join(vdir, 'v1.0.0.info'), 'utf8'))).toEqual({
      Version: 'v1.0.0',
      Time: '2024-01-01T00:00:00Z'
    })
    // The zip holds every file under <module>@<version>/ and nothing else.
    const listing = execFileSync('unzip', ['-Z1', path.join(vdir, 'v1.0.0.zip')], { encoding: 'utf8' })
    expect(listing.trim().split('\n')).toEqual(
      Object.keys(m1.files)
        .sort()
        .map((f) => `example.com/pub/m001@v1.0.0/${f}`)
    )
    execFileSync('unzip', ['-tq', path.join(vdir, 'v1.0.0.zip')])
  })

  test('rejects import cycles and bad dependency indices', () => {
    expect(() =>
      generateModules({ dir: path.join(root, 'cyc'), count: 2, deps: [[1], [0]], write: false })
    ).toThrow(/cycle/)
    expect(() =>
      generateModules({ dir: path.join(root, 'bad'), count: 2, deps: [[5], []], write: false })
    ).toThrow(/bad dependency/)
  })

  test('bumps, escaping, versions and the consumer go.sum', () => {
    const set = generateModules({
      dir: path.join(root, 'bump'),
      count: 2,
      prefix: 'example.com/Up',
      deps: [[1], []]
    })
    const v2 = bumpModule(set, 'example.com/Up/m002')
    expect(v2.version).toBe('v1.0.1')
    expect(fs.readFileSync(path.join(set.proxyDir, 'example.com/!up/m002/@v/list'), 'utf8')).toBe(
      'v1.0.0\nv1.0.1\n'
    )
    expect(sourceTrees(set)['example.com/Up/m002']?.['v1.0.1']?.['m002.go']).toContain('"v1.0.1"')
    // m001 still requires m002 v1.0.0: its go.mod is in the graph, the zip is not selected.
    const sum = goSumFor(set.latest())
    expect(sum.split('\n').filter((l) => l.includes('m002'))).toEqual([
      'example.com/Up/m002 v1.0.0/go.mod ' + set.get('example.com/Up/m002', 'v1.0.0').modHash,
      'example.com/Up/m002 v1.0.1 ' + v2.zipHash,
      'example.com/Up/m002 v1.0.1/go.mod ' + v2.modHash
    ])
    const consumer = writeConsumerProject(path.join(root, 'bump-app'), {
      requires: ['example.com/Up/m001'],
      modules: set
    })
    expect(consumer.goMod).toContain('example.com/Up/m002 v1.0.0 // indirect')
    expect(escapePath('github.com/BurntSushi/toml')).toBe('github.com/!burnt!sushi/toml')
    expect(unescapePath('github.com/!burnt!sushi/toml')).toBe('github.com/BurntSushi/toml')
    expect(unescapePath('github.com/Burnt')).toBeUndefined()
    expect(compareVersions('v1.10.0', 'v1.9.0')).toBe(1)
    expect(compareVersions('v1.0.0-rc.1', 'v1.0.0')).toBe(-1)
  })
})

describe('writeGitRepo', () => {
  test('go fetching the git repositories directly computes the same go.sum hashes', async () => {
    const set = generateModules({
      dir: path.join(root, 'git-mods'),
      count: 2,
      prefix: 'github.com/acme',
      deps: [[1], []]
    })
    bumpModule(set, 'github.com/acme/m002')
    const repos = writeGitRepos(set, path.join(root, 'git'))
    expect(repos['github.com/acme/m002']?.commits.map((c) => c.version)).toEqual(['v1.0.0', 'v1.0.1'])
    const again = writeGitRepos(set, path.join(root, 'git-again'))
    expect(again['github.com/acme/m002']?.commits).toEqual(repos['github.com/acme/m002']?.commits)
    const tags = execFileSync('git', ['--git-dir', repos['github.com/acme/m002']?.dir as string, 'tag'], {
      encoding: 'utf8'
    })
    expect(tags.trim().split('\n')).toEqual(['v1.0.0', 'v1.0.1'])

    // No server: git rewrites https://github.com/ to the local bare repositories.
    const go = isolatedGoEnv({
      root: path.join(root, 'git-go'),
      goproxy: 'direct',
      goprivate: 'github.com/acme'
    })
    fs.writeFileSync(
      go.env.GIT_CONFIG_GLOBAL as string,
      `[url "file://${path.join(root, 'git', 'github.com')}/"]\n\tinsteadOf = https://github.com/\n[protocol "file"]\n\tallow = always\n`
    )
    const app = writeConsumerProject(path.join(root, 'git-app'), { requires: set.latest() })
    const dl = await runGo(
      ['mod', 'download', '-json', 'github.com/acme/m001@v1.0.0', 'github.com/acme/m002@v1.0.1'],
      {
        cwd: app.dir,
        env: go.env
      }
    )
    expect(dl.stderr).toBe('')
    const reported = dl.stdout
      .split(/\n(?=\{)/)
      .map((j) => JSON.parse(j) as { Path: string; Version: string; Sum: string; GoModSum: string })
    for (const r of reported) {
      const mv = set.get(r.Path, r.Version)
      expect([r.Path, r.Sum, r.GoModSum]).toEqual([mv.path, mv.zipHash, mv.modHash])
    }
    expect(reported).toHaveLength(2)
    const verify = await runGo(['mod', 'verify'], { cwd: app.dir, env: go.env })
    expect(verify.exitCode).toBe(0)
    expect(fs.readFileSync(path.join(app.dir, 'go.sum'), 'utf8')).toBe(app.goSum)
  })
})
