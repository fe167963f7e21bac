/**
 * Key files on a real multi-module checkout: two modules in subfolders, a go.work with go.work.sum, a
 * vendored copy and a testdata module, found by @actions/glob and hashed by hashFiles; and from a working
 * directory below a module or inside a workspace, the files go itself uses from outside it.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { findKeyFiles, hashKeyFiles, readProjectSums } from '../../src/cache/files.js'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-keyfiles-'))
const files: Record<string, string> = {
  'go.work': 'go 1.19\n\nuse (\n\t./api\n\t./cli\n)\n',
  'go.work.sum': 'example.com/x v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n',
  'api/go.mod': 'module example.com/api\n\ngo 1.19\n\nrequire example.com/x v1.0.0\n',
  'api/go.sum': 'example.com/x v1.0.0 h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\n',
  'cli/go.mod': 'module example.com/cli\n\ngo 1.19\n',
  'api/vendor/example.com/x/go.sum': 'vendored\n',
  'cli/testdata/mod/go.mod': 'module example.com/fixture\n'
}
for (const [f, c] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true })
  fs.writeFileSync(path.join(root, f), c)
}
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

const keyHash = async () => hashKeyFiles((await findKeyFiles([], root, {})).files)

describe('key files of a multi-module workspace', () => {
  it('keys on both modules and the workspace sum, go.mod where a module has no go.sum, nothing vendored', async () => {
    const { files: found, fallback } = await findKeyFiles([], root, {})
    expect(fallback).toBeUndefined()
    expect(found.map((f) => path.relative(root, f))).toEqual(['api/go.sum', 'cli/go.mod', 'go.work.sum'])
  })

  it('changes the hash when any key file changes, not when a vendored or testdata file does', async () => {
    const original = await keyHash()
    expect(original).toMatch(/^[0-9a-f]{64}$/)
    for (const f of ['api/go.sum', 'cli/go.mod', 'go.work.sum']) {
      const p = path.join(root, f)
      fs.appendFileSync(p, '// changed\n')
      expect(await keyHash()).not.toBe(original)
      fs.writeFileSync(p, files[f] as string)
      expect(await keyHash()).toBe(original)
    }
    fs.appendFileSync(path.join(root, 'api/vendor/example.com/x/go.sum'), 'more\n')
    fs.appendFileSync(path.join(root, 'cli/testdata/mod/go.mod'), 'require x v1\n')
    expect(await keyHash()).toBe(original)
  })

  it('a new module with a go.sum changes the key', async () => {
    const before = await keyHash()
    fs.mkdirSync(path.join(root, 'tool'))
    fs.writeFileSync(path.join(root, 'tool/go.mod'), 'module example.com/tool\n')
    fs.writeFileSync(path.join(root, 'tool/go.sum'), files['api/go.sum'] as string)
    expect(await keyHash()).not.toBe(before)
    fs.rmSync(path.join(root, 'tool'), { recursive: true })
  })

  it('custom globs that match nothing fall back to the default and say which globs', async () => {
    const r = await findKeyFiles(['deps/*.lock', '!deps/old.lock'], root, {})
    expect(r.fallback).toContain("'deps/*.lock'")
    expect(r.fallback).toContain('cache-dependency-path')
    expect(r.files.map((f) => path.relative(root, f))).toEqual(['api/go.sum', 'cli/go.mod', 'go.work.sum'])
  })

  it('custom globs select exactly what they match', async () => {
    const r = await findKeyFiles(['api/go.sum'], root, {})
    expect(r.fallback).toBeUndefined()
    expect(r.files).toEqual([path.join(root, 'api/go.sum')])
  })

  it('a directory without any Go module yields no key file', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-empty-'))
    try {
      expect((await findKeyFiles([], empty, {})).files).toEqual([])
      expect(await hashKeyFiles([])).toBe('')
    } finally {
      fs.rmSync(empty, { recursive: true })
    }
  })
})

/** What real go says about where it runs (the runner's GOWORK and GOFLAGS left out). */
function goEnvAt(cwd: string): Record<string, string> {
  const out = execFileSync('go', ['env', '-json', 'GOMOD', 'GOWORK'], {
    cwd,
    env: { ...process.env, GOWORK: '', GOFLAGS: '', GOTOOLCHAIN: 'local' },
    encoding: 'utf8'
  })
  return JSON.parse(out) as Record<string, string>
}

describe('key files from where go runs', () => {
  const rel = (files: string[]) => files.map((f) => path.relative(root, f))

  it('a working directory inside a workspace member also keys on the other members and go.work.sum', async () => {
    const api = path.join(root, 'api')
    const goEnv = goEnvAt(api)
    expect(goEnv.GOWORK).toBe(path.join(root, 'go.work'))
    expect(rel((await findKeyFiles([], api, goEnv)).files)).toEqual([
      'api/go.sum',
      'cli/go.mod',
      'go.work.sum'
    ])
    // what the restore is verified against: the member's go.sum and the workspace's
    expect((await readProjectSums(api, goEnv)).sums.sort()).toEqual(
      [files['api/go.sum'], files['go.work.sum']].sort()
    )
    expect((await readProjectSums(api, {})).sums).toEqual([files['api/go.sum']])
  })

  it('a working directory reached through a symlink keys each file once (go names real paths)', async () => {
    const link = path.join(os.tmpdir(), `cache-link-${process.pid}`)
    fs.rmSync(link, { force: true })
    fs.symlinkSync(root, link)
    try {
      const api = path.join(link, 'api')
      const goEnv = goEnvAt(api)
      expect(goEnv.GOWORK).toBe(path.join(fs.realpathSync(root), 'go.work'))
      const files = (await findKeyFiles([], api, goEnv)).files
      expect(files.map((f) => path.relative(fs.realpathSync(root), f))).toEqual([
        'api/go.sum',
        'cli/go.mod',
        'go.work.sum'
      ])
    } finally {
      fs.rmSync(link, { force: true })
    }
  })

  it('a working directory below a module (no go.mod of its own) keys on the go.mod go uses above it', async () => {
    const solo = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-solo-'))
    try {
      fs.writeFileSync(path.join(solo, 'go.mod'), files['api/go.mod'] as string)
      fs.writeFileSync(path.join(solo, 'go.sum'), files['api/go.sum'] as string)
      const sub = path.join(solo, 'cmd', 'tool')
      fs.mkdirSync(sub, { recursive: true })
      fs.writeFileSync(path.join(sub, 'main.go'), 'package main\n\nfunc main() {}\n')
      const goEnv = goEnvAt(sub)
      expect(goEnv.GOMOD).toBe(path.join(solo, 'go.mod'))
      expect((await findKeyFiles([], sub, goEnv)).files).toEqual([path.join(solo, 'go.sum')])
      expect((await readProjectSums(sub, goEnv)).perModule).toEqual([files['api/go.sum']])
      // without go's answer there is nothing under the directory to key on
      expect((await findKeyFiles([], sub, {})).files).toEqual([])
    } finally {
      fs.rmSync(solo, { recursive: true, force: true })
    }
  })
})
