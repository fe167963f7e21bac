/**
 * src/go/gomod.ts against go's own parser: every fixture under __tests__/fixtures/go/gomod/ has the JSON
 * `go mod edit -json` (`go work edit -json` for go.work) printed for it with Go 1.26.8, and the parse,
 * projected onto that JSON's shape, must equal it. cmd-go1.26.mod and std-go1.27.mod are Go's own
 * src/cmd/go.mod and src/go.mod; directives.mod and workspace.work hold every directive and comment form.
 */
import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type GoModFile, parseGoModFile } from '../../src/go/gomod.js'

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'go', 'gomod')
const read = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8')

/** The parse in `go mod edit -json`'s shape (cmd/go/internal/modcmd/edit.go, fileJSON). */
function asGoJson(f: GoModFile, work: boolean): Record<string, unknown> {
  const mv = (m: { path: string; version: string }) =>
    m.version ? { Path: m.path, Version: m.version } : { Path: m.path }
  const out: Record<string, unknown> = {}
  if (!work) {
    out.Module = f.module
      ? {
          Path: f.module.path,
          ...(f.module.deprecated !== undefined ? { Deprecated: f.module.deprecated } : {})
        }
      : { Path: '' }
  }
  if (f.go) out.Go = f.go.version
  if (!work && f.toolchain) out.Toolchain = f.toolchain.name
  if (!work && f.godebugs.length) out.GoDebug = f.godebugs.map((d) => ({ Key: d.key, Value: d.value }))
  if (work) out.Use = f.uses.map((u) => ({ DiskPath: u.dir }))
  if (!work)
    out.Require = f.requires.map((r) => ({
      Path: r.path,
      Version: r.version,
      ...(r.indirect ? { Indirect: true } : {})
    }))
  if (f.excludes.length) out.Exclude = f.excludes.map((e) => ({ Path: e.path, Version: e.version }))
  if (f.replaces.length) out.Replace = f.replaces.map((r) => ({ Old: mv(r.from), New: mv(r.to) }))
  if (f.retracts.length)
    out.Retract = f.retracts.map((r) => ({
      Low: r.low,
      High: r.high,
      ...(r.rationale ? { Rationale: r.rationale } : {})
    }))
  if (f.tools.length) out.Tool = f.tools.map((t) => ({ Path: t.path }))
  return out
}

/** go prints `"Ignore": null`, `"Require": null` for absent lists: drop nulls before comparing. */
function goJson(name: string): Record<string, unknown> {
  const json = JSON.parse(read(name)) as Record<string, unknown>
  return Object.fromEntries(Object.entries(json).filter(([, v]) => v !== null))
}

describe('go.mod and go.work parsing agrees with go mod edit -json', () => {
  it.each([
    ['cmd-go1.26.mod', 'cmd-go1.26.json', false],
    ['std-go1.27.mod', 'std-go1.27.json', false],
    ['directives.mod', 'directives.json', false],
    ['workspace.work', 'workspace.json', true]
  ])('%s', (file, json, work) => {
    const parsed = parseGoModFile(read(file))
    expect(parsed.errors).toEqual([])
    expect(asGoJson(parsed, work)).toEqual(goJson(json))
  })
})

describe('line numbers', () => {
  const f = parseGoModFile(read('directives.mod'))

  it('gives each directive its 1-based line, in blocks too', () => {
    expect(f.module?.line).toBe(2)
    expect(f.go).toEqual({ version: '1.23.0', line: 4 })
    expect(f.toolchain).toEqual({ name: 'go1.24.2', line: 6 })
    expect(f.godebugs.map((d) => d.line)).toEqual([9, 10, 13])
    expect(f.requires.map((r) => [r.path, r.line])).toEqual([
      ['github.com/single/dep', 15],
      ['golang.org/x/mod', 18],
      ['example.com/quoted', 19],
      ['github.com/indirect/one', 23],
      ['github.com/indirect/two', 24],
      ['github.com/not/indirect', 25]
    ])
    expect(f.replaces.map((r) => r.line)).toEqual([28, 31, 32])
    expect(f.excludes.map((e) => e.line)).toEqual([35, 38])
    expect(f.retracts.map((r) => r.line)).toEqual([42, 45, 46])
    expect(f.tools.map((t) => t.line)).toEqual([49])
  })

  it('gives go.work use directories their lines', () => {
    const w = parseGoModFile(read('workspace.work'))
    expect(w.uses).toEqual([
      { dir: './svc/a', line: 7 },
      { dir: './svc/b', line: 10 },
      { dir: './tools/with space', line: 11 }
    ])
    expect(w.toolchain).toEqual({ name: 'go1.24.5', line: 3 })
    expect(w.godebugs).toEqual([{ key: 'default', value: 'go1.22', line: 5 }])
  })

  it('counts CRLF files the same, and ignores a byte order mark', () => {
    const text = '\uFEFFmodule m\r\n\r\ngo 1.22\r\nrequire a.b/c v1.0.0 // indirect\r\n'
    const crlf = parseGoModFile(text)
    expect(crlf.module).toEqual({ path: 'm', line: 1 })
    expect(crlf.go).toEqual({ version: '1.22', line: 3 })
    expect(crlf.requires).toEqual([{ path: 'a.b/c', version: 'v1.0.0', indirect: true, line: 4 }])
  })
})

describe('what go would refuse is reported by line, and the rest is still read', () => {
  it.each([
    ['module m\ngo 1.22\nrequire a.b/c\n', 3, 'usage: require module/path v1.2.3'],
    ['module m\nrequire (\n\ta.b/c v1\n', 2, 'unterminated require block'],
    ['module m\nreplace a.b/c v1.0.0\n', 2, 'usage: replace'],
    ['module "m\n', 1, 'unterminated quoted string'],
    ['module m\nfrobnicate x\n', 2, 'unknown directive: frobnicate'],
    ['module m\ngodebug panicnil\n', 2, 'usage: godebug key=value']
  ])('%j -> line %i', (text, line, message) => {
    const f = parseGoModFile(text)
    expect(f.errors).toHaveLength(1)
    expect(f.errors[0]?.line).toBe(line)
    expect(f.errors[0]?.message).toContain(message)
  })

  it('keeps the go line of a file with a broken require', () => {
    const f = parseGoModFile('module m\n\ngo 1.22\n\nrequire (\n\tbroken\n\tok.com/x v1.0.0\n)\n')
    expect(f.go?.version).toBe('1.22')
    expect(f.requires).toEqual([{ path: 'ok.com/x', version: 'v1.0.0', indirect: false, line: 7 }])
    expect(f.errors.map((e) => e.line)).toEqual([6])
  })

  it('reads a one-line block and an empty one', () => {
    const f = parseGoModFile('module m\nrequire ()\nexclude ( a.b/c v1.0.0 )\n')
    expect(f.errors).toEqual([])
    expect(f.requires).toEqual([])
    expect(f.excludes).toEqual([{ path: 'a.b/c', version: 'v1.0.0', line: 3 }])
  })
})
