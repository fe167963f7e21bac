/**
 * Where downloadModules looks, and when it does nothing: `modules` globs, a working directory without a
 * module, vendored modules and `download: false`. Real directories, and go only where a download runs.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { writeConsumerProject } from '../../testbed/index.ts'
import { InputError } from '../../src/inputs.js'
import { startBench, type Bench } from '../helpers/download-bench.ts'

let bench: Bench | undefined
afterEach(async () => {
  await bench?.close()
  bench = undefined
})

describe('module roots', () => {
  it('downloads for every module directory matched by the modules globs, skipping vendor and testdata', async () => {
    bench = await startBench({ count: 4, project: false })
    const mods = bench.set.latest()
    writeConsumerProject(path.join(bench.workspace, 'services', 'api'), {
      modulePath: 'example.com/api',
      requires: [mods[0]!, mods[1]!]
    })
    writeConsumerProject(path.join(bench.workspace, 'services', 'web'), {
      modulePath: 'example.com/web',
      requires: [mods[1]!, mods[2]!]
    })
    writeConsumerProject(path.join(bench.workspace, 'services', 'testdata'), {
      modulePath: 'example.com/td',
      requires: [mods[3]!]
    })
    const result = await bench.download({ modules: ['services/*'] })
    expect(result.ok).toBe(true)
    expect(result.attempts[0]?.roots).toEqual(['services/api', 'services/web'])
    expect(result.modules).toBe(3)
    expect(bench.proxy.zipDownloads().sort()).toEqual(
      mods
        .slice(0, 3)
        .map((m) => `${m.path}@${m.version}`)
        .sort()
    )
  })

  it('a stale go.sum line for a version the proxy does not have fails nothing when go does not need it, as plain go mod download', async () => {
    // A local replace makes the whole go.sum the explicit list (go.mod cannot say what is needed).
    bench = await startBench({ count: 2 })
    const ws = bench.workspace
    fs.mkdirSync(path.join(ws, 'local'))
    fs.writeFileSync(path.join(ws, 'local', 'go.mod'), 'module example.com/local\n\ngo 1.22\n')
    fs.appendFileSync(path.join(ws, 'go.mod'), '\nreplace example.com/local => ./local\n')
    const stale = bench.set.latest()[0]!
    // a version the proxy never had: the line a force-pushed pseudo-version leaves behind
    fs.appendFileSync(
      path.join(ws, 'go.sum'),
      `${stale.path} v0.9.0 h1:${Buffer.alloc(32, 7).toString('base64')}\n${stale.path} v0.9.0/go.mod h1:${Buffer.alloc(32, 8).toString('base64')}\n`
    )
    const result = await bench.download()
    expect(result.ok).toBe(true)
    expect(result.attempts).toHaveLength(1)
    // the version was asked for, not found, and left to go's own check, which passed
    expect(bench.proxy.faults.log.some((r) => r.path.includes(`${stale.path}/@v/v0.9.0`))).toBe(true)
    expect(bench.proxy.zipDownloads().sort()).toEqual(
      bench.set
        .latest()
        .map((m) => `${m.path}@${m.version}`)
        .sort()
    )
  })

  it("rejects 'modules' globs that match no module, naming the input and an example", async () => {
    bench = await startBench({ count: 1 })
    const error = await bench.download({ modules: ['nothing/*'] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).input).toBe('modules')
    expect((error as InputError).message).toContain("'nothing/*'")
    expect((error as InputError).message).toContain('e.g.')
  })

  it("rejects a 'working-directory' without go.mod or go.work", async () => {
    bench = await startBench({ count: 1 })
    const empty = path.join(bench.root, 'empty')
    fs.mkdirSync(empty)
    const error = await bench.download({}, { workingDirectory: empty }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).input).toBe('working-directory')
    expect((error as InputError).message).toContain(
      'neither it nor a directory above it has a go.mod or go.work'
    )
  })

  it('skips a module whose vendor directory is consistent, and does nothing when download is disabled', async () => {
    bench = await startBench({ count: 2 })
    const mods = bench.set.latest()
    const txt = mods.map((m) => `# ${m.path} ${m.version}\n## explicit; go 1.19\n${m.path}\n`).join('')
    fs.mkdirSync(path.join(bench.workspace, 'vendor'))
    fs.writeFileSync(path.join(bench.workspace, 'vendor', 'modules.txt'), txt)
    expect(await bench.download()).toMatchObject({ ok: true, skipped: 'vendored', attempts: [] })
    expect(await bench.download({ enabled: false })).toMatchObject({
      ok: true,
      skipped: 'disabled',
      attempts: []
    })
    expect(bench.proxy.faults.log).toEqual([])
  })
})
