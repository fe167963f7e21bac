/**
 * Permanent failures end the download after exactly one attempt, with the class and a hint a user can
 * act on; a damaged module cache is purged and downloaded again once.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { writeConsumerProject } from '../../testbed/index.ts'
import { moduleCacheFiles } from '../../src/go/modfiles.js'
import { startBench, type Bench } from '../helpers/download-bench.ts'

let bench: Bench | undefined
afterEach(async () => {
  await bench?.close()
  bench = undefined
})

describe('downloadModules fails fast on permanent errors', () => {
  it('stops at once with class checksum, keeping the SECURITY ERROR text, when go.sum was altered', async () => {
    bench = await startBench({ count: 3 })
    const victim = bench.set.latest()[1]!
    const sumFile = path.join(bench.workspace, 'go.sum')
    fs.writeFileSync(
      sumFile,
      fs
        .readFileSync(sumFile, 'utf8')
        .replace(victim.zipHash, 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')
    )
    const result = await bench.download({ parallel: 1 })
    expect(result.ok).toBe(false)
    expect(result.attempts).toHaveLength(1)
    expect(result.failure?.errorClass).toBe('checksum')
    expect(result.failure?.module).toBe(`${victim.path}@${victim.version}`)
    expect(result.failure?.cause).toContain('SECURITY ERROR')
    expect(result.failure?.hint).toContain('Do not bypass')
  })

  it('stops at once with class not-found when go.mod requires a version the proxy does not have', async () => {
    bench = await startBench({ count: 2 })
    const goMod = path.join(bench.workspace, 'go.mod')
    fs.appendFileSync(goMod, '\nrequire example.com/pub/m001/v9 v9.9.9\n')
    const result = await bench.download()
    expect(result.ok).toBe(false)
    expect(result.attempts).toHaveLength(1)
    expect(result.failure?.errorClass).toBe('not-found')
    expect(result.failure?.evidence).toContain('404 Not Found')
  })

  it('stops at once with class config for an invalid GOSUMDB (project without go.sum: the whole-command path)', async () => {
    bench = await startBench({ count: 2, project: false })
    writeConsumerProject(bench.workspace, { requires: bench.set.latest(), goSum: false })
    const result = await bench.download({}, { env: { GOSUMDB: 'bad key!' } })
    expect(result.ok).toBe(false)
    expect(result.attempts).toHaveLength(1)
    expect(result.failure?.errorClass).toBe('config')
    expect(result.failure?.cause).toContain('invalid GOSUMDB')
    expect(result.failure?.hint).toContain("'gosumdb'")
  })
})

describe('downloadModules heals a damaged module cache', () => {
  it('purges a module whose cached zip is garbage, downloads it again once, and marks the cache corrupt', async () => {
    bench = await startBench({ count: 3 })
    expect((await bench.download()).ok).toBe(true)
    const victim = bench.set.latest()[0]!
    const f = moduleCacheFiles(bench.gomodcache, victim)
    // Damage it as a bad restore would: the zip is garbage and the extracted tree is gone (read-only dirs).
    fs.chmodSync(f.downloadDir, 0o755)
    fs.writeFileSync(path.join(f.downloadDir, `${victim.version}.zip`), 'garbage')
    const chmodTree = (p: string): void => {
      fs.chmodSync(p, 0o755)
      if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chmodTree(path.join(p, e))
    }
    chmodTree(f.extracted)
    fs.rmSync(f.extracted, { recursive: true })
    bench.proxy.faults.clearLog()

    const result = await bench.download()

    expect(result.ok).toBe(true)
    expect(result.cacheCorrupt).toBe(true)
    expect(result.attempts.map((a) => a.errorClass)).toEqual(['cache-corrupt', undefined])
    expect(bench.proxy.zipDownloads()).toEqual([`${victim.path}@${victim.version}`])
    // go's read-only cache is kept: the re-extracted module is not writable.
    expect(fs.statSync(f.extracted).mode & 0o222).toBe(0)
  })
})
