/**
 * The Go archive into the tool cache by rename (src/go/toolcache.ts): the layout tc.find() reads, no
 * staging left behind, and tc.cacheDir()'s copy when the rename fails.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
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
function archive(top: 'go' | ''): string {
  const src = path.join(root, `src-${top || 'flat'}`)
  const base = path.join(src, top)
  fs.mkdirSync(path.join(base, 'bin'), { recursive: true })
  fs.writeFileSync(path.join(base, 'bin', 'go'), '#!/bin/sh\n', { mode: 0o755 })
  fs.writeFileSync(path.join(base, 'VERSION'), 'go1.26.8\n')
  const file = path.join(root, `go-${top || 'flat'}.tar.gz`)
  execFileSync('tar', ['-czf', file, '-C', src, '.'])
  return file
}

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
      throw Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' })
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
})
