/**
 * The Go archive into the tool cache by rename (src/go/toolcache.ts): the layout tc.find() reads, no
 * staging left behind, and tc.cacheDir()'s copy when the rename fails.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as tc from '@actions/tool-cache'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { extractIntoToolCache, toolCachePath } from '../../src/go/toolcache.js'

let root: string
const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP }

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'toolcache-unit-'))
  process.env.RUNNER_TOOL_CACHE = path.join(root, 'toolcache')
  process.env.RUNNER_TEMP = path.join(root, 'temp')
  fs.mkdirSync(process.env.RUNNER_TEMP)
})

afterEach(() => {
  process.env.RUNNER_TOOL_CACHE = saved.cache
  process.env.RUNNER_TEMP = saved.temp
  fs.rmSync(root, { recursive: true, force: true })
})

/** A tar.gz holding `top/bin/go` and `top/VERSION` (top '' = a flat archive, as the manifest's are). */
function archive(top: 'go' | '', topMode = 0o755): string {
  const src = path.join(root, `src-${top || 'flat'}-${topMode.toString(8)}`)
  const base = path.join(src, top)
  fs.mkdirSync(path.join(base, 'bin'), { recursive: true })
  fs.writeFileSync(path.join(base, 'bin', 'go'), '#!/bin/sh\n', { mode: 0o755 })
  fs.writeFileSync(path.join(base, 'VERSION'), 'go1.26.8\n')
  fs.chmodSync(base, topMode)
  const file = `${src}.tar.gz`
  execFileSync('tar', ['-czf', file, '-C', src, '.'])
  return file
}

const destOf = () => toolCachePath(process.env.RUNNER_TOOL_CACHE!, '1.26.8', 'x64')

/** Another job's finished install of the same version: a tree and its marker. */
function otherJobsInstall(): void {
  fs.mkdirSync(path.join(destOf(), 'theirs'), { recursive: true })
  fs.writeFileSync(`${destOf()}.complete`, '')
}

const errno = (code: string) => Object.assign(new Error(`${code}: rename`), { code })

const goDirEntries = () => fs.readdirSync(path.join(process.env.RUNNER_TOOL_CACHE!, 'go')).sort()

describe('extractIntoToolCache', () => {
  it.each(['go', ''] as const)(
    "renames the tree (top dir '%s') into tc.find()'s place, leaving no staging",
    async (top) => {
      const installed = await extractIntoToolCache(archive(top), 'tar', '1.26.8', 'x64')
      const expected = toolCachePath(process.env.RUNNER_TOOL_CACHE!, '1.26.8', 'x64')
      expect(installed).toEqual({ root: expected, placed: 'renamed' })
      expect(tc.find('go', '1.26.8', 'x64')).toBe(expected)
      expect(tc.findAllVersions('go', 'x64')).toEqual(['1.26.8'])
      expect(fs.readFileSync(path.join(expected, 'VERSION'), 'utf8')).toBe('go1.26.8\n')
      expect(fs.statSync(path.join(expected, 'bin', 'go')).mode & 0o111).not.toBe(0)
      expect(goDirEntries()).toEqual(['1.26.8'])
      expect(fs.readdirSync(path.join(process.env.RUNNER_TOOL_CACHE!, 'go', '1.26.8')).sort()).toEqual([
        'x64',
        'x64.complete'
      ])
    }
  )

  it('replaces what an interrupted install left at the destination (a tree without its marker)', async () => {
    const dest = toolCachePath(process.env.RUNNER_TOOL_CACHE!, '1.26.8', 'x64')
    fs.mkdirSync(path.join(dest, 'half'), { recursive: true })
    expect(tc.find('go', '1.26.8', 'x64')).toBe('')
    await extractIntoToolCache(archive('go'), 'tar', '1.26.8', 'x64')
    expect(fs.readdirSync(dest).sort()).toEqual(['VERSION', 'bin'])
    expect(tc.find('go', '1.26.8', 'x64')).toBe(dest)
  })

  it('falls back to tc.cacheDir() (a copy) when the rename fails, with the same result and no staging left', async () => {
    const tried: string[] = []
    const failing = async (from: string, to: string): Promise<void> => {
      tried.push(`${path.basename(path.dirname(from))} -> ${path.relative(root, to)}`)
      throw errno('EXDEV')
    }
    const installed = await extractIntoToolCache(archive('go'), 'tar', '1.26.8', 'x64', failing)
    expect(tried).toEqual([
      expect.stringMatching(/^\.staging-[0-9a-f-]{36} -> toolcache\/go\/1\.26\.8\/x64$/)
    ])
    expect(installed.placed).toBe('copied')
    expect(installed.root).toBe(tc.find('go', '1.26.8', 'x64'))
    expect(fs.readFileSync(path.join(installed.root, 'VERSION'), 'utf8')).toBe('go1.26.8\n')
    expect(goDirEntries()).toEqual(['1.26.8'])
  })

  it('a damaged archive fails the install and leaves neither staging nor a version behind', async () => {
    const bad = path.join(root, 'bad.tar.gz')
    fs.writeFileSync(bad, 'not a gzip stream')
    await expect(extractIntoToolCache(bad, 'tar', '1.26.8', 'x64')).rejects.toThrow()
    expect(goDirEntries()).toEqual([])
    expect(tc.findAllVersions('go', 'x64')).toEqual([])
  })

  it('uses the same version another job on the runner cached while this one downloaded, leaving it as it is', async () => {
    otherJobsInstall()
    const installed = await extractIntoToolCache(archive('go'), 'tar', '1.26.8', 'x64')
    expect(installed).toEqual({ root: destOf(), placed: 'concurrent' })
    expect(fs.readdirSync(destOf())).toEqual(['theirs'])
    expect(goDirEntries()).toEqual(['1.26.8'])
  })

  it("a rename that loses the race to another job uses that job's install instead of copying over it", async () => {
    const losing = async (): Promise<void> => {
      otherJobsInstall()
      throw errno('ENOTEMPTY')
    }
    const installed = await extractIntoToolCache(archive('go'), 'tar', '1.26.8', 'x64', losing)
    expect(installed.placed).toBe('concurrent')
    expect(fs.readdirSync(destOf())).toEqual(['theirs'])
    expect(goDirEntries()).toEqual(['1.26.8'])
  })

  it('retries a rename that fails while a file is busy (Windows scanners), then renames', async () => {
    let calls = 0
    const busyTwice = async (from: string, to: string): Promise<void> => {
      if (++calls <= 2) throw errno('EBUSY')
      await fs.promises.rename(from, to)
    }
    const installed = await extractIntoToolCache(archive('go'), 'tar', '1.26.8', 'x64', busyTwice)
    expect(installed.placed).toBe('renamed')
    expect(calls).toBe(3)
    expect(tc.find('go', '1.26.8', 'x64')).toBe(destOf())
  })

  it('says in the log why it copied, when the rename keeps failing', async () => {
    const out: string[] = []
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk))
      return true
    })
    try {
      await extractIntoToolCache(archive('go'), 'tar', '1.26.8', 'x64', async () => {
        throw errno('EXDEV')
      })
    } finally {
      spy.mockRestore()
    }
    expect(out.join('')).toContain(
      'Could not move the extracted Go into the tool cache (EXDEV); copying it there instead.'
    )
  })

  it('moves a read-only top directory (a non-root runner needs write access to move it) and keeps its mode', async () => {
    const installed = await extractIntoToolCache(archive('go', 0o555), 'tar', '1.26.8', 'x64')
    expect(installed.placed).toBe('renamed')
    expect(fs.statSync(destOf()).mode & 0o777).toBe(0o555)
    fs.chmodSync(destOf(), 0o755)
  })

  it('removes staging directories an hour old (a killed step), and no younger one', async () => {
    const goCache = path.join(process.env.RUNNER_TOOL_CACHE!, 'go')
    const stale = path.join(goCache, '.staging-killed')
    const live = path.join(goCache, '.staging-another-job')
    for (const dir of [stale, live]) fs.mkdirSync(path.join(dir, 'go'), { recursive: true })
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000)
    fs.utimesSync(stale, twoHoursAgo, twoHoursAgo)
    await extractIntoToolCache(archive('go'), 'tar', '1.26.8', 'x64')
    expect(goDirEntries()).toEqual(['.staging-another-job', '1.26.8'])
  })
})
