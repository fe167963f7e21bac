import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { memberProblem, memberRoots, parseListingLine, unquoteC } from '../../src/cache/members.js'
import { inspectArchive } from '../../src/cache/archive.js'

// The runner's layout: the workspace two levels below HOME, GOMODCACHE in HOME.
let tmp: string
let workspace: string
let download: string
const ROOT = '../../go/pkg/mod/cache/download'

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'members-'))
  workspace = path.join(tmp, 'work', 'repo')
  download = path.join(tmp, 'go', 'pkg', 'mod', 'cache', 'download')
  fs.mkdirSync(workspace, { recursive: true })
  const v = path.join(download, 'example.com', 'm', '@v')
  fs.mkdirSync(v, { recursive: true })
  fs.writeFileSync(path.join(v, 'v1.0.0.zip'), 'zip')
  fs.writeFileSync(path.join(v, 'v1.0.0.mod'), 'module example.com/m\n')
  fs.writeFileSync(path.join(v, 'list'), 'v1.0.0\n')
})

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

/** tar's own listing of an archive made as @actions/cache makes it (-P, names relative to the workspace). */
function archive(names: string[], extra: (dir: string) => void = () => undefined): string {
  extra(tmp)
  const file = path.join(tmp, `a-${Math.random().toString(36).slice(2)}.tzst`)
  execFileSync('tar', [
    '--posix',
    '-cf',
    file,
    '-P',
    '-C',
    workspace,
    ...names,
    '--use-compress-program',
    'zstdmt'
  ])
  return file
}

const inspect = (file: string) =>
  inspectArchive('tar', file, memberRoots([download], workspace, 'linux'), 60_000).problem

describe('memberRoots', () => {
  it('names the archived paths as @actions/cache does: relative to the workspace, globs to their directory', () => {
    expect(memberRoots([download], workspace, 'linux')).toEqual([{ name: ROOT, include: true }])
    const mod = path.join(tmp, 'go', 'pkg', 'mod')
    expect(memberRoots([`${mod}/*`, `!${mod}/cache`, `${mod}/cache/download`], workspace, 'linux')).toEqual([
      { name: '../../go/pkg/mod', include: true },
      { name: '../../go/pkg/mod/cache', include: false },
      { name: ROOT, include: true }
    ])
    const win = (p: string) => memberRoots([p], 'D:\\a\\repo\\repo', 'win32')[0]?.name
    expect(win('C:\\Users\\r\\go\\pkg\\mod\\cache\\download')).toBe('C:/Users/r/go/pkg/mod/cache/download')
    expect(win('D:\\a\\go\\pkg\\mod\\cache\\download')).toBe('../../go/pkg/mod/cache/download')
  })
})

describe('parseListingLine and unquoteC', () => {
  it('reads the type and the C-quoted name of each kind of line', () => {
    expect(parseListingLine('drwxr-xr-x 0/0               0 2026-12-01 19:20 "a/b/"')).toEqual({
      type: 'd',
      mode: 'rwxr-xr-x',
      name: 'a/b/'
    })
    expect(parseListingLine('lrwxrwxrwx 0/0 0 2026-12-01 19:21 "d/sl" -> "/etc/passwd"')).toEqual({
      type: 'l',
      mode: 'rwxrwxrwx',
      name: 'd/sl'
    })
    expect(parseListingLine('crw-r--r-- 0/0 1,3 2026-12-01 19:21 "d/null"')).toEqual({
      type: 'c',
      mode: 'rw-r--r--',
      name: 'd/null'
    })
    expect(parseListingLine('-rw-r--r-- runner/docker 1 2026-12-01 19:21 "x"')).toBeUndefined()
    expect(unquoteC('we\\"ird name\\nx\\\\y\\303\\274')).toBe('we"ird name\nx\\yü')
  })
})

describe('the archive check before a restore extracts (real GNU tar listings)', () => {
  it('passes an archive of the module cache as the action saves it', () => {
    expect(inspect(archive([ROOT]))).toBeUndefined()
  })

  it('refuses a member outside the archived paths, by `..` or absolute name', () => {
    fs.writeFileSync(path.join(tmp, 'work', 'evil.go'), 'package main\n')
    expect(inspect(archive([ROOT, '../evil.go']))).toBe(
      `it holds "../evil.go", which is not inside "${ROOT}"`
    )
    expect(inspect(archive([ROOT, path.join(tmp, 'work', 'evil.go')]))).toMatch(
      /^it holds "\/.*\/work\/evil\.go", which is not inside/
    )
    const sneaky = `${ROOT}/../../../../../work/evil.go`
    expect(inspect(archive([ROOT, sneaky]))).toBe(
      `it holds ${JSON.stringify(sneaky)}, which is not inside "${ROOT}"`
    )
  })

  it('refuses a symbolic link even inside the archived paths (later members would be written through it)', () => {
    const link = path.join(download, 'example.com', 'ln')
    fs.symlinkSync(workspace, link)
    try {
      expect(inspect(archive([ROOT]))).toBe(
        `it holds a symbolic link "${ROOT}/example.com/ln"; an entry this action saves holds only files and directories`
      )
    } finally {
      fs.rmSync(link)
    }
  })

  it('refuses a hard link and a FIFO', () => {
    const v = path.join(download, 'example.com', 'm', '@v')
    fs.linkSync(path.join(v, 'list'), path.join(v, 'list2'))
    try {
      expect(inspect(archive([ROOT]))).toMatch(/^it holds a hard link ".*\/@v\/list2?"/)
    } finally {
      fs.rmSync(path.join(v, 'list2'))
    }
    const fifo = path.join(v, 'fifo')
    execFileSync('mkfifo', [fifo])
    try {
      expect(inspect(archive([ROOT]))).toBe(
        `it holds a FIFO "${ROOT}/example.com/m/@v/fifo"; an entry this action saves holds only files and directories`
      )
    } finally {
      fs.rmSync(fifo)
    }
  })

  it('refuses a file or directory its owner could not read once extracted (the content check could not either)', () => {
    const v = path.join(download, 'example.com', 'm', '@v')
    fs.chmodSync(path.join(v, 'v1.0.0.mod'), 0o200)
    try {
      expect(inspect(archive([ROOT]))).toBe(
        `it holds "${ROOT}/example.com/m/@v/v1.0.0.mod" with mode --w-------, which its owner cannot read`
      )
    } finally {
      fs.chmodSync(path.join(v, 'v1.0.0.mod'), 0o644)
    }
    fs.chmodSync(v, 0o600)
    try {
      expect(inspect(archive([ROOT]))).toBe(
        `it holds "${ROOT}/example.com/m/@v/" with mode drw-------, which its owner cannot list`
      )
    } finally {
      fs.chmodSync(v, 0o755)
    }
    // go's read-only trees (r-x, r--) are fine.
    const line = (mode: string) => `${mode} 0/0 1 2026-12-01 19:21 "${ROOT}/x/"`
    expect(memberProblem(line('dr-xr-xr-x'), [{ name: ROOT, include: true }], 'linux')).toBeUndefined()
  })

  it('refuses an archive tar cannot list, and an empty listing', () => {
    const bad = path.join(tmp, 'bad.tzst')
    fs.writeFileSync(bad, 'not an archive')
    expect(inspect(bad)).toMatch(/^tar could not list its archive \(.+\)$/)
    expect(memberProblem('', [{ name: ROOT, include: true }], 'linux')).toBe('tar listed no members')
  })

  it('below the root: no empty, `.` or `..` element, backslash or colon', () => {
    const line = (name: string) => `-rw-r--r-- 0/0 1 2026-12-01 19:21 "${name}"`
    const problem = (name: string) => memberProblem(line(name), [{ name: ROOT, include: true }], 'linux')
    expect(problem(`${ROOT}/example.com/m/@v/v1.0.0.zip`)).toBeUndefined()
    for (const rest of ['a//b', 'a/./b', 'a/../b', 'a\\\\b', '..'])
      expect(problem(`${ROOT}/${rest}`)).toBeDefined()
    expect(problem(`${ROOT}x/a`)).toBeDefined()
    // A colon only on Windows (a drive or a data stream there; a sumdb named host:port elsewhere).
    expect(problem(`${ROOT}/sumdb/sum.corp.example:8443/latest`)).toBeUndefined()
    const winRoot = [{ name: 'C:/r/go/pkg/mod/cache/download', include: true }]
    expect(memberProblem(line('C:/r/go/pkg/mod/cache/download/a:b'), winRoot, 'win32')).toBeDefined()
    expect(memberProblem(line('C:/r/go/pkg/mod/cache/download/ab'), winRoot, 'win32')).toBeUndefined()
    // The root itself only as a directory.
    expect(problem(ROOT)).toBeDefined()
    expect(
      memberProblem(`drwxr-xr-x 0/0 0 2026-12-01 19:21 "${ROOT}/"`, [{ name: ROOT, include: true }], 'linux')
    ).toBeUndefined()
  })

  it('takes the longest matching root: the full layout keeps cache/download and nothing else of cache/', () => {
    const roots = memberRoots(
      ['/h/go/pkg/mod/*', '!/h/go/pkg/mod/cache', '/h/go/pkg/mod/cache/download'],
      '/h/w/r',
      'linux'
    )
    const file = (name: string) =>
      memberProblem(`-rw-r--r-- 0/0 1 2026-12-01 19:21 "${name}"`, roots, 'linux')
    expect(file('../../go/pkg/mod/example.com/m@v1.0.0/m.go')).toBeUndefined()
    expect(file('../../go/pkg/mod/cache/download/example.com/m/@v/list')).toBeUndefined()
    expect(file('../../go/pkg/mod/cache/vcs/0123/config')).toBe(
      'it holds "../../go/pkg/mod/cache/vcs/0123/config", which is not inside "../../go/pkg/mod" or "../../go/pkg/mod/cache/download"'
    )
  })

  it('compares names case-insensitively on Windows only, where the file system does', () => {
    const line = '-rw-r--r-- 0/0 1 2026-12-01 19:21 "C:/Users/R/go/pkg/mod/cache/download/x/@v/list"'
    const roots = [{ name: 'C:/Users/r/go/pkg/mod/cache/download', include: true }]
    expect(memberProblem(line, roots, 'win32')).toBeUndefined()
    expect(memberProblem(line, roots, 'linux')).toBeDefined()
  })
})
