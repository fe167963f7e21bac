/**
 * After the download: the zips the restore handed to go (their .ziphash removed) that go did not extract
 * are checked by the action, and go's refusals are recorded, so every restored module is checked by
 * content in the job that restored it. On a real module cache layout on disk; no go is run.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { generateModules, type ModuleVersion } from '../../testbed/module-gen.ts'
import { settleHandedOver } from '../../src/cache/restore.js'
import { moduleCacheFiles } from '../../src/go/modfiles.js'
import type { CacheRestore, GoInstallation } from '../../src/types.js'

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-settle-'))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const set = generateModules({
  dir: '/nonexistent',
  count: 3,
  sizeBytes: 2048,
  write: false,
  names: ['example.com/used', 'example.com/unused', 'example.com/refused']
})
const [used, unused, refused] = set.latest() as [ModuleVersion, ModuleVersion, ModuleVersion]
const key = (m: ModuleVersion) => `${m.path}@${m.version}`

/** A zip and .mod as a restore brings them, without the .ziphash the restore removed. */
function restored(modcache: string, m: ModuleVersion, zip: Buffer = m.zip): string {
  const f = moduleCacheFiles(modcache, m)
  fs.mkdirSync(f.downloadDir, { recursive: true })
  fs.writeFileSync(path.join(f.downloadDir, `${f.filePrefix}zip`), zip)
  fs.writeFileSync(path.join(f.downloadDir, `${f.filePrefix}mod`), m.mod)
  return path.join(f.downloadDir, `${f.filePrefix}ziphash`)
}

describe('settleHandedOver', () => {
  it('hashes the handed-over zips go did not extract, purges a bad one, and records go’s refusals', async () => {
    const work = path.join(scratch, 'work')
    const modcache = path.join(scratch, 'modcache')
    fs.mkdirSync(work, { recursive: true })
    fs.writeFileSync(path.join(work, 'go.mod'), 'module example.com/app\n\ngo 1.22\n')
    fs.writeFileSync(
      path.join(work, 'go.sum'),
      set
        .latest()
        .flatMap((m) => m.sumLines)
        .join('\n') + '\n'
    )
    // go extracted `used` (it wrote the .ziphash back); `unused` is garbage go never looked at;
    // go refused `refused` and the download purged and fetched it again.
    fs.writeFileSync(restored(modcache, used), used.zipHash)
    const unusedZiphash = restored(modcache, unused, randomBytes(200))
    fs.writeFileSync(restored(modcache, refused), refused.zipHash)
    const cache = {
      outcome: 'partial',
      matchedKey: 'setup-go-deps-linux-x64-go1.26.8-old',
      verification: {
        modules: 3,
        durationMs: 5,
        purged: [],
        deferred: [key(used), key(unused), key(refused)]
      }
    } as unknown as CacheRestore
    const settled = await settleHandedOver(
      cache,
      { alteredRestored: [key(refused)] },
      {
        workingDirectory: work,
        go: {} as GoInstallation,
        goEnv: { GOMODCACHE: modcache, GOSUMDB: 'off' },
        downloadFollows: true
      }
    )
    expect(settled.verification?.purged).toEqual([
      {
        module: key(refused),
        kind: 'altered',
        problem: "go's check of the restored zip against go.sum failed"
      },
      { module: key(unused), kind: 'damaged', problem: expect.stringMatching(/^the zip is damaged/) }
    ])
    // The bad zip is gone (a later go would download it again); the one go checked stays.
    expect(fs.existsSync(unusedZiphash.replace(/ziphash$/, 'zip'))).toBe(false)
    expect(fs.existsSync(moduleCacheFiles(modcache, used).downloadDir)).toBe(true)
    expect(fs.readFileSync(path.join(moduleCacheFiles(modcache, used).downloadDir, 'v1.0.0.zip'))).toEqual(
      used.zip
    )
  })

  it('changes nothing when nothing was handed over', async () => {
    const cache = {
      verification: { modules: 1, durationMs: 1, purged: [], deferred: [] }
    } as unknown as CacheRestore
    const ctx = { workingDirectory: scratch, go: {} as GoInstallation, goEnv: {}, downloadFollows: true }
    expect(await settleHandedOver(cache, { alteredRestored: [] }, ctx)).toBe(cache)
  })
})
