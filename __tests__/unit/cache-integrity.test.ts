import { afterAll, describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { generateModules, writeZip, type ModuleVersion } from '../../testbed/module-gen.ts'
import { hash1, hashDir, hashGoMod, hashZip } from '../../src/cache/dirhash.js'
import {
  checkedByGo,
  checkedBySumDb,
  collectSums,
  deferZipsToGo,
  expectedHashes,
  inventory,
  purgeModules,
  verifyModuleCache,
  writeZiphashes,
  type GoSums
} from '../../src/cache/integrity.js'
import { NEED_MORE, readZipDirectory } from '../../src/cache/zip.js'
import { otherGoFilesInUse } from '../../src/go/env.js'
import { escapeModulePath } from '../../src/go/modfiles.js'

// Real module zips, in the layout cmd/go writes and verifies (go mod download accepts them on the bench);
// their go.sum hashes are computed by testbed/module-gen.ts from the files, not from the zip bytes.
const set = generateModules({
  dir: '/nonexistent',
  count: 3,
  sizeBytes: 4096,
  write: false,
  names: ['example.com/Acme/lib', 'example.com/b', 'example.com/c']
})
const mv = set.get('example.com/Acme/lib')
const prefix = 'example.com/Acme/lib@v1.0.0/'
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-integrity-'))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

function writeFile(name: string, data: Buffer): string {
  const f = path.join(scratch, name)
  fs.writeFileSync(f, data)
  return f
}

describe('readZipDirectory', () => {
  it('lists the files of an intact module zip with their sizes', () => {
    const entries = readZipDirectory(mv.zip, mv.zip.length)
    expect(Array.isArray(entries)).toBe(true)
    const list = entries as Array<{ name: string; size: number }>
    expect(list.map((e) => e.name).sort()).toEqual(
      Object.keys(mv.files)
        .map((f) => `${prefix}${f}`)
        .sort()
    )
    for (const e of list)
      expect(e.size).toBe(Buffer.byteLength(mv.files[e.name.slice(prefix.length)] as string))
  })

  it('reads the directory from the file tail alone, and asks for more when the tail is too short', () => {
    const cdOffset = mv.zip.readUInt32LE(mv.zip.length - 22 + 16)
    const full = readZipDirectory(mv.zip, mv.zip.length)
    expect(readZipDirectory(mv.zip.subarray(cdOffset), mv.zip.length)).toEqual(full)
    expect(readZipDirectory(mv.zip.subarray(cdOffset + 1), mv.zip.length)).toBe(NEED_MORE)
  })

  it('reports a truncated zip, bytes inserted before the directory, and bytes appended after it', () => {
    const cut = mv.zip.subarray(0, mv.zip.length - 10)
    expect(readZipDirectory(cut, cut.length)).toMatch(/end-of-central-directory/)
    const grown = Buffer.concat([mv.zip.subarray(0, 40), Buffer.alloc(7, 0x41), mv.zip.subarray(40)])
    expect(readZipDirectory(grown, grown.length)).toMatch(/cut or inserted/)
    const appended = Buffer.concat([mv.zip, Buffer.from('garbage')])
    expect(readZipDirectory(appended, appended.length)).toMatch(/bytes after/)
    const text = Buffer.from('<html>502 Bad Gateway</html>'.repeat(3))
    expect(readZipDirectory(text, text.length)).toMatch(/not a zip/)
  })
})

describe("go's h1 hash", () => {
  it('hashes a module zip by content to the go.sum hash, for stored and deflated entries alike', async () => {
    for (const m of set.latest())
      expect(await hashZip(writeFile(`${escapeModulePath(m.path).replace(/\//g, '_')}.zip`, m.zip))).toEqual({
        hash: m.zipHash
      })
    const stored = writeZip(
      Object.keys(mv.files).map((f) => ({ name: prefix + f, data: Buffer.from(mv.files[f] as string) })),
      false
    )
    expect(stored.equals(mv.zip)).toBe(false)
    expect(await hashZip(writeFile('stored.zip', stored))).toEqual({ hash: mv.zipHash })
  })

  it("hashes go.mod to go.sum's /go.mod hash", () => {
    expect(hashGoMod(mv.mod)).toBe(mv.modHash)
  })

  it('sorts names by bytes as Go does, not by UTF-16 units', () => {
    // U+FF5E is EF BD 9E in UTF-8, U+1F600 is F0 9F 98 80: Go sorts U+FF5E first; JavaScript's default
    // sort compares UTF-16 units and puts U+1F600 (a surrogate pair, 0xD83D...) first.
    const a = { name: 'm@v1/\uff5e', sha256: '00' }
    const b = { name: 'm@v1/\u{1f600}', sha256: '11' }
    const lines = `00  m@v1/\uff5e\n11  m@v1/\u{1f600}\n`
    const want = `h1:${createHash('sha256').update(lines).digest('base64')}`
    expect(hash1([b, a])).toBe(want)
    expect(hash1([a, b])).toBe(want)
  })

  it('hashes an extracted tree to the same hash as its zip (dirhash.HashDir)', async () => {
    const dir = path.join(scratch, 'tree')
    for (const [f, c] of Object.entries(mv.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
      fs.writeFileSync(path.join(dir, f), c)
    }
    expect(await hashDir(dir, 'example.com/Acme/lib@v1.0.0')).toEqual({ hash: mv.zipHash })
    fs.appendFileSync(path.join(dir, 'go.mod'), '\n')
    expect(await hashDir(dir, 'example.com/Acme/lib@v1.0.0')).not.toEqual({ hash: mv.zipHash })
  })

  it('tells a same-size edit of one byte from the original (what a structural check cannot)', async () => {
    const name = Object.keys(mv.files).find((f) => f.endsWith('.go')) as string
    const files = { ...mv.files, [name]: (mv.files[name] as string).replace(/package (\w)/, 'package X') }
    expect(Buffer.byteLength(files[name] as string)).toBe(Buffer.byteLength(mv.files[name] as string))
    const altered = writeZip(
      Object.keys(files)
        .sort()
        .map((f) => ({ name: prefix + f, data: Buffer.from(files[f] as string) }))
    )
    const h = await hashZip(writeFile('altered.zip', altered))
    expect('hash' in h && h.hash !== mv.zipHash).toBe(true)
  })

  it('reports a zip go would read differently or refuse: CRC, method, duplicate names, truncation', async () => {
    const crc = Buffer.from(mv.zip)
    const cdOffset = crc.readUInt32LE(crc.length - 22 + 16)
    crc.writeUInt32LE((crc.readUInt32LE(cdOffset + 16) ^ 1) >>> 0, cdOffset + 16)
    expect(await hashZip(writeFile('crc.zip', crc))).toEqual({ damage: expect.stringMatching(/CRC-32/) })
    const method = Buffer.from(mv.zip)
    method.writeUInt16LE(12, cdOffset + 10) // bzip2
    expect(await hashZip(writeFile('method.zip', method))).toEqual({
      damage: expect.stringMatching(/method 12/)
    })
    const twice = writeZip([
      { name: `${prefix}go.mod`, data: Buffer.from(mv.files['go.mod'] as string) },
      { name: `${prefix}go.mod`, data: Buffer.from('module evil\n') }
    ])
    expect(await hashZip(writeFile('twice.zip', twice))).toEqual({ damage: expect.stringMatching(/twice/) })
    const half = mv.zip.subarray(0, Math.floor(mv.zip.length / 2))
    expect(await hashZip(writeFile('half.zip', half))).toEqual({ damage: expect.any(String) })
    expect(await hashZip(path.join(scratch, 'missing.zip'))).toEqual({
      damage: expect.stringMatching(/ENOENT/)
    })
  })

  it('streams an entry larger than one read and still checks its size', async () => {
    // Four bits of entropy a byte: deflated, yet larger than a zip read whole and an entry read in one piece.
    const big = Buffer.from(randomBytes(10 << 20).map((x) => x & 15))
    const zip = writeZip([{ name: 'example.com/big@v1.0.0/blob.bin', data: big }])
    expect(zip.length).toBeGreaterThan(4 << 20)
    expect(readZipDirectory(zip, zip.length)).toMatchObject([{ method: 8 }])
    const expected = hash1([
      { name: 'example.com/big@v1.0.0/blob.bin', sha256: createHash('sha256').update(big).digest('hex') }
    ])
    expect(await hashZip(writeFile('big.zip', zip))).toEqual({ hash: expected })
  })
})

// ---------------------------------------------------------------------------------------------------------
// A module cache on disk, as go lays it out

/** Writes `m` into a module cache as go would after `go mod download` (zip, ziphash, mod, info, tree). */
function cacheModule(modcache: string, m: ModuleVersion, opts: { tree?: boolean } = {}): void {
  const vdir = path.join(modcache, 'cache', 'download', ...escapeModulePath(m.path).split('/'), '@v')
  fs.mkdirSync(vdir, { recursive: true })
  const v = escapeModulePath(m.version)
  fs.writeFileSync(path.join(vdir, `${v}.zip`), m.zip)
  fs.writeFileSync(path.join(vdir, `${v}.ziphash`), m.zipHash)
  fs.writeFileSync(path.join(vdir, `${v}.mod`), m.mod)
  fs.writeFileSync(path.join(vdir, `${v}.info`), m.info)
  fs.writeFileSync(path.join(vdir, 'list'), `${m.version}\n`)
  if (opts.tree === false) return
  const tree = path.join(modcache, `${escapeModulePath(m.path)}@${v}`)
  for (const [f, c] of Object.entries(m.files)) {
    fs.mkdirSync(path.dirname(path.join(tree, f)), { recursive: true })
    fs.writeFileSync(path.join(tree, f), c)
  }
  // go extracts read-only (without -modcacherw).
  for (const d of [
    tree,
    ...fs
      .readdirSync(tree, { recursive: true, withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(e.parentPath, e.name))
  ])
    fs.chmodSync(d, 0o555)
}

function freshCache(name: string, modules: ModuleVersion[], opts: { tree?: boolean } = {}): string {
  const modcache = path.join(scratch, name)
  for (const m of modules) cacheModule(modcache, m, opts)
  return modcache
}

const goSumOf = (modules: ModuleVersion[]): GoSums =>
  collectSums([modules.flatMap((m) => m.sumLines).join('\n') + '\n'])
const noSumDb = () => false

describe('verifyModuleCache', () => {
  const all = set.latest()
  const [lib, b, c] = all as [ModuleVersion, ModuleVersion, ModuleVersion]
  const treeOf = (modcache: string, m: ModuleVersion) =>
    path.join(modcache, `${escapeModulePath(m.path)}@${m.version}`)
  const zipOf = (modcache: string, m: ModuleVersion) =>
    path.join(modcache, 'cache', 'download', ...escapeModulePath(m.path).split('/'), '@v', `${m.version}.zip`)

  it('passes a cache go wrote, trees included, and leaves it as it is', async () => {
    const modcache = freshCache('intact', all)
    const report = await verifyModuleCache(modcache, { sums: goSumOf(all), bySumDb: noSumDb })
    expect(report.modules).toBe(3)
    expect(report.problems).toEqual([])
  })

  it('finds a zip whose code was changed and rebuilt, with the old .ziphash left in place', async () => {
    const modcache = freshCache('attack', all)
    const name = Object.keys(b.files).find((f) => f.endsWith('.go')) as string
    const evil = { ...b.files, [name]: `${b.files[name]}\nfunc init() { println("pwned") }\n` }
    const zip = writeZip(
      Object.keys(evil)
        .sort()
        .map((f) => ({ name: `${b.path}@${b.version}/${f}`, data: Buffer.from(evil[f] as string) }))
    )
    fs.writeFileSync(zipOf(modcache, b), zip)
    fs.chmodSync(path.join(treeOf(modcache, b)), 0o755)
    fs.writeFileSync(path.join(treeOf(modcache, b), name), evil[name] as string)
    const report = await verifyModuleCache(modcache, { sums: goSumOf(all), bySumDb: noSumDb })
    expect(report.problems).toEqual([
      {
        module: `${b.path}@${b.version}`,
        kind: 'altered',
        scope: 'module',
        problem: expect.stringContaining(`go.sum says ${b.zipHash}`)
      }
    ])
    await purgeModules(modcache, report.problems)
    expect(fs.existsSync(zipOf(modcache, b))).toBe(false)
    expect(fs.existsSync(treeOf(modcache, b))).toBe(false)
    // The list file stays (it is the module's, not the version's), the other modules stay whole.
    expect(fs.existsSync(path.join(path.dirname(zipOf(modcache, b)), 'list'))).toBe(true)
    expect((await verifyModuleCache(modcache, { sums: goSumOf(all), bySumDb: noSumDb })).problems).toEqual([])
    expect([...(await inventory(modcache)).keys()].sort()).toEqual([
      `${lib.path}@${lib.version}`,
      `${c.path}@${c.version}`
    ])
  })

  it('finds an altered tree beside an intact zip and purges the tree alone', async () => {
    const modcache = freshCache('tree', all)
    const tree = treeOf(modcache, lib)
    fs.chmodSync(tree, 0o755)
    fs.writeFileSync(path.join(tree, 'extra.go'), 'package lib\n')
    const report = await verifyModuleCache(modcache, { sums: goSumOf(all), bySumDb: noSumDb })
    expect(report.problems).toEqual([
      {
        module: `${lib.path}@${lib.version}`,
        kind: 'altered',
        scope: 'tree',
        problem: expect.stringContaining('extracted tree hashes to')
      }
    ])
    await purgeModules(modcache, report.problems)
    expect(fs.existsSync(tree)).toBe(false)
    expect(fs.existsSync(zipOf(modcache, lib))).toBe(true)
  })

  it('finds a truncated zip, a .ziphash that is not the zip, and a go.mod that is not go.sum', async () => {
    const modcache = freshCache('damage', all, { tree: false })
    fs.truncateSync(zipOf(modcache, lib), 100)
    fs.writeFileSync(zipOf(modcache, b) + 'hash', c.zipHash)
    fs.writeFileSync(
      zipOf(modcache, c).replace(/\.zip$/, '.mod'),
      'module example.com/c\n\nrequire evil.example v1.0.0\n'
    )
    const report = await verifyModuleCache(modcache, { sums: goSumOf(all), bySumDb: noSumDb })
    const byModule = Object.fromEntries(report.problems.map((p) => [p.module, p]))
    expect(byModule[`${lib.path}@${lib.version}`]).toMatchObject({
      kind: 'damaged',
      problem: expect.stringMatching(/^the zip is damaged/)
    })
    expect(byModule[`${b.path}@${b.version}`]).toMatchObject({
      kind: 'damaged',
      problem: expect.stringMatching(/\.ziphash/)
    })
    expect(byModule[`${c.path}@${c.version}`]).toMatchObject({
      kind: 'altered',
      problem: expect.stringMatching(/go\.mod hashes/)
    })
  })

  it('does not trust a module no go.sum lists, unless go checks it in GOSUMDB; leaves a runner’s own modules alone', async () => {
    const modcache = freshCache('extra', all)
    const sums = goSumOf([lib, b])
    const strict = await verifyModuleCache(modcache, { sums, bySumDb: noSumDb })
    expect(strict.problems).toEqual([
      {
        module: `${c.path}@${c.version}`,
        kind: 'untrusted',
        scope: 'module',
        problem: expect.stringMatching(/no go.sum lists it/)
      }
    ])
    // go looks c up in the checksum database: its zip and tree only have to match its own .ziphash.
    expect((await verifyModuleCache(modcache, { sums, bySumDb: () => true })).problems).toEqual([])
    fs.writeFileSync(zipOf(modcache, c) + 'hash', b.zipHash)
    expect((await verifyModuleCache(modcache, { sums, bySumDb: () => true })).problems).toMatchObject([
      { module: `${c.path}@${c.version}`, kind: 'altered' }
    ])
    // Already on disk before the restore, and no go.sum lists it: not this restore's, not checked.
    const kept = await verifyModuleCache(modcache, {
      sums,
      bySumDb: noSumDb,
      preexisting: new Set([`${c.path}@${c.version}`])
    })
    expect(kept.problems).toEqual([])
    expect(kept.modules).toBe(2)
  })

  it('leaves the zips go will check to go: not hashed, .ziphash removed; their go.mod still checked', async () => {
    const modcache = freshCache('deferred', all, { tree: false })
    // b's zip is garbage and c's go.mod is altered; only lib and b are left to go.
    fs.writeFileSync(zipOf(modcache, b), randomBytes(300))
    fs.writeFileSync(zipOf(modcache, c).replace(/\.zip$/, '.mod'), 'module example.com/c\n')
    const toGo = new Set([`${lib.path}@${lib.version}`, `${b.path}@${b.version}`, `${c.path}@${c.version}`])
    const report = await verifyModuleCache(modcache, {
      sums: goSumOf(all),
      bySumDb: noSumDb,
      deferToGo: (k) => toGo.has(k)
    })
    // c is purged whole for its go.mod, so it is not handed over; b's garbage zip is go's to find.
    expect(report.problems).toMatchObject([
      { module: `${c.path}@${c.version}`, kind: 'altered', scope: 'module' }
    ])
    expect(report.deferred.sort()).toEqual([`${lib.path}@${lib.version}`, `${b.path}@${b.version}`].sort())
    await deferZipsToGo(modcache, report.deferred)
    expect(fs.existsSync(zipOf(modcache, b) + 'hash')).toBe(false)
    expect(fs.existsSync(zipOf(modcache, lib) + 'hash')).toBe(false)
    expect(fs.existsSync(zipOf(modcache, c) + 'hash')).toBe(true)
    expect(fs.existsSync(zipOf(modcache, b))).toBe(true)
    // What go did not touch is checked here afterwards (`only`): the garbage zip is found then.
    const later = await verifyModuleCache(modcache, {
      sums: goSumOf(all),
      bySumDb: noSumDb,
      only: new Set([`${b.path}@${b.version}`])
    })
    expect(later.modules).toBe(1)
    expect(later.problems).toMatchObject([{ module: `${b.path}@${b.version}`, kind: 'damaged' }])
  })

  it('keeps hashing a module with an extracted tree (go would extract it again without its .ziphash)', async () => {
    const modcache = freshCache('deferred-tree', all)
    const tree = treeOf(modcache, lib)
    fs.chmodSync(tree, 0o755)
    fs.writeFileSync(path.join(tree, 'extra.go'), 'package lib\n')
    const report = await verifyModuleCache(modcache, {
      sums: goSumOf(all),
      bySumDb: noSumDb,
      deferToGo: () => true
    })
    expect(report.problems).toMatchObject([
      { module: `${lib.path}@${lib.version}`, kind: 'altered', scope: 'tree' }
    ])
    expect(report.deferred).toEqual([])
    expect(fs.existsSync(zipOf(modcache, b) + 'hash')).toBe(true)
  })
})

describe('a restored cache without .ziphash files (the archive leaves them out)', () => {
  const all = set.latest()
  const [lib, b, c] = all as [ModuleVersion, ModuleVersion, ModuleVersion]
  const zipOf = (modcache: string, m: ModuleVersion) =>
    path.join(modcache, 'cache', 'download', ...escapeModulePath(m.path).split('/'), '@v', `${m.version}.zip`)
  const restored = (name: string, opts: { tree?: boolean } = {}) => {
    const modcache = freshCache(name, all, opts)
    for (const m of all) fs.rmSync(zipOf(modcache, m) + 'hash')
    return modcache
  }

  it('hashes each zip here, reports the good ones for their .ziphash, and writes it as go does', async () => {
    const modcache = restored('no-ziphash', { tree: false })
    const report = await verifyModuleCache(modcache, { sums: goSumOf(all), bySumDb: noSumDb })
    expect(report.problems).toEqual([])
    expect(report.ziphashes.sort((x, y) => x.module.localeCompare(y.module))).toEqual(
      all
        .map((m) => ({ module: `${m.path}@${m.version}`, hash: m.zipHash }))
        .sort((x, y) => x.module.localeCompare(y.module))
    )
    await writeZiphashes(modcache, report.ziphashes)
    // go writes the hash alone, no newline (modfetch.hashZip); a second check finds nothing to write.
    for (const m of all) expect(fs.readFileSync(zipOf(modcache, m) + 'hash', 'utf8')).toBe(m.zipHash)
    const again = await verifyModuleCache(modcache, { sums: goSumOf(all), bySumDb: noSumDb })
    expect(again.ziphashes).toEqual([])
  })

  it('still finds an altered zip, and reports no .ziphash for it', async () => {
    const modcache = restored('no-ziphash-altered', { tree: false })
    fs.writeFileSync(zipOf(modcache, b), c.zip)
    const report = await verifyModuleCache(modcache, { sums: goSumOf(all), bySumDb: noSumDb })
    expect(report.problems).toMatchObject([{ module: `${b.path}@${b.version}`, kind: 'altered' }])
    expect(report.ziphashes.map((z) => z.module)).not.toContain(`${b.path}@${b.version}`)
  })

  it('a tree beside a good zip: the .ziphash is written, so go does not take the tree for half-extracted', async () => {
    const modcache = restored('no-ziphash-tree')
    const report = await verifyModuleCache(modcache, {
      sums: goSumOf(all),
      bySumDb: noSumDb,
      deferToGo: () => true
    })
    expect(report.problems).toEqual([])
    expect(report.deferred).toEqual([])
    expect(report.ziphashes).toHaveLength(3)
  })

  it('zips left to go have nothing to remove and nothing to write', async () => {
    const modcache = restored('no-ziphash-deferred', { tree: false })
    const report = await verifyModuleCache(modcache, {
      sums: goSumOf(all),
      bySumDb: noSumDb,
      deferToGo: () => true
    })
    expect(report.deferred).toHaveLength(3)
    expect(report.ziphashes).toEqual([])
    await deferZipsToGo(modcache, report.deferred)
    for (const m of all) expect(fs.existsSync(zipOf(modcache, m))).toBe(true)
  })

  it('a module no go.sum lists: left to go and the checksum database when it looks it up, untrusted when nothing would', async () => {
    const modcache = restored('no-ziphash-sumdb')
    const sums = goSumOf([lib, b])
    // go hashes a zip that has no .ziphash and asks GOSUMDB about it before using it (and extracts a
    // tree without a .ziphash again): nothing here to compare it with, nothing to purge.
    const bySumDb = await verifyModuleCache(modcache, { sums, bySumDb: () => true })
    expect(bySumDb.problems).toEqual([])
    expect(bySumDb.ziphashes.map((z) => z.module)).not.toContain(`${c.path}@${c.version}`)
    expect(fs.existsSync(zipOf(modcache, c))).toBe(true)
    const strict = await verifyModuleCache(modcache, { sums, bySumDb: noSumDb })
    expect(strict.problems).toMatchObject([{ module: `${c.path}@${c.version}`, kind: 'untrusted' }])
  })
})

describe('which zips go checks itself (checkedByGo)', () => {
  const [lib, b] = set.latest() as [ModuleVersion, ModuleVersion]
  const sumOf = (ms: ModuleVersion[]) => ms.flatMap((m) => m.sumLines).join('\n') + '\n'
  const key = (m: ModuleVersion) => `${m.path}@${m.version}`

  it('those whose zip hash is in the go.sum of every module the download may run in', () => {
    const one = checkedByGo([sumOf([lib, b])], false)
    expect(one(key(lib))).toBe(true)
    expect(one(key(b))).toBe(true)
    expect(one('example.com/other@v1.0.0')).toBe(false)
    // go would add, not check, a hash the go.sum of the module it runs in lacks.
    const two = checkedByGo([sumOf([lib, b]), sumOf([lib])], false)
    expect(two(key(lib))).toBe(true)
    expect(two(key(b))).toBe(false)
  })

  it('none when a module has no go.sum, when there is no module, or in a workspace', () => {
    expect(checkedByGo([sumOf([lib]), undefined], false)(key(lib))).toBe(false)
    expect(checkedByGo([], false)(key(lib))).toBe(false)
    expect(checkedByGo([sumOf([lib])], true)(key(lib))).toBe(false)
  })

  it("go reads other files than the module's own: a go.work workspace, or -modfile in GOFLAGS", () => {
    expect(otherGoFilesInUse({ GOWORK: '/w/go.work' })).toBe(true)
    expect(otherGoFilesInUse({ GOWORK: 'off' })).toBe(false)
    expect(otherGoFilesInUse({ GOFLAGS: '-mod=mod -modfile=alt.mod' })).toBe(true)
    expect(otherGoFilesInUse({ GOFLAGS: '--modfile=alt.mod' })).toBe(true)
    expect(otherGoFilesInUse({ GOFLAGS: '-mod=readonly -tags=modfile' })).toBe(false)
    expect(otherGoFilesInUse({})).toBe(false)
  })

  it('a go.mod-only line is not a zip hash', () => {
    const modOnly = lib.sumLines.filter((l) => l.includes('/go.mod ')).join('\n') + '\n'
    expect(checkedByGo([modOnly], false)(key(lib))).toBe(false)
  })
})

describe('what vouches for a module', () => {
  const sums = collectSums([
    'example.com/a v1.0.0 h1:zip=\nexample.com/a v1.0.0/go.mod h1:mod=\nexample.com/m v1.0.0/go.mod h1:onlymod=\n',
    'example.com/a v1.0.0 h1:other=\nexample.com/x v1.0.0 sha256:notgo\n'
  ])

  it('collects every go.sum file’s hashes (a version may be listed with several)', () => {
    expect(expectedHashes('example.com/a@v1.0.0', sums, false)).toEqual({
      zip: new Set(['h1:zip=', 'h1:other=']),
      mod: new Set(['h1:mod='])
    })
    expect(expectedHashes('example.com/m@v1.0.0', sums, false)).toEqual({
      zip: new Set(),
      mod: new Set(['h1:onlymod='])
    })
    expect(expectedHashes('example.com/x@v1.0.0', sums, false)).toEqual({
      untrusted: expect.stringMatching(/no go.sum/)
    })
    expect(expectedHashes('example.com/m@v1.0.0', sums, true)).toEqual({
      zip: 'ziphash',
      mod: new Set(['h1:onlymod='])
    })
  })

  it('knows when go asks GOSUMDB: not when off, not for GONOSUMDB or GOPRIVATE, always for toolchains', () => {
    expect(checkedBySumDb({ GOSUMDB: 'sum.golang.org' })('example.com/a')).toBe(true)
    expect(checkedBySumDb({ GOSUMDB: 'off' })('example.com/a')).toBe(false)
    expect(checkedBySumDb({ GOSUMDB: 'sum.golang.org', GOPRIVATE: 'example.com/*' })('example.com/a')).toBe(
      false
    )
    expect(
      checkedBySumDb({ GOSUMDB: 'sum.golang.org', GONOSUMDB: 'other.com', GOPRIVATE: 'example.com' })(
        'example.com/a'
      )
    ).toBe(true)
    expect(
      checkedBySumDb({ GOSUMDB: 'sum.golang.org', GOPRIVATE: 'golang.org' })('golang.org/toolchain')
    ).toBe(true)
    // go looks toolchains up even with GOSUMDB=off (or serves them from a lone file:// proxy on purpose)
    expect(checkedBySumDb({ GOSUMDB: 'off' })('golang.org/toolchain')).toBe(true)
  })
})
