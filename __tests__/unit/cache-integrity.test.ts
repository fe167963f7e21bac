import { describe, expect, it } from '@jest/globals'
import { generateModules } from '../../testbed/module-gen.ts'
import {
  NEED_MORE,
  checkZipHash,
  compareTree,
  parseGoSum,
  readZipDirectory
} from '../../src/cache/integrity.js'

// Real module zips, in the layout cmd/go writes and verifies (go mod download accepts them on the bench).
const set = generateModules({
  dir: '/nonexistent',
  count: 2,
  sizeBytes: 4096,
  write: false,
  names: ['example.com/Acme/lib', 'example.com/b']
})
const mv = set.get('example.com/Acme/lib')

describe('readZipDirectory', () => {
  it('lists the files of an intact module zip with their sizes', () => {
    const entries = readZipDirectory(mv.zip, mv.zip.length)
    expect(Array.isArray(entries)).toBe(true)
    const names = (entries as Array<{ name: string; size: number }>).map((e) => e.name).sort()
    expect(names).toEqual(
      Object.keys(mv.files)
        .map((f) => `example.com/Acme/lib@v1.0.0/${f}`)
        .sort()
    )
    for (const e of entries as Array<{ name: string; size: number }>) {
      const rel = e.name.slice('example.com/Acme/lib@v1.0.0/'.length)
      expect(e.size).toBe(Buffer.byteLength(mv.files[rel] as string))
    }
  })

  it('reads the directory from the file tail alone, and asks for more when the tail is too short', () => {
    const cdOffset = mv.zip.readUInt32LE(mv.zip.length - 22 + 16)
    const full = readZipDirectory(mv.zip, mv.zip.length)
    expect(readZipDirectory(mv.zip.subarray(cdOffset), mv.zip.length)).toEqual(full)
    expect(readZipDirectory(mv.zip.subarray(cdOffset + 1), mv.zip.length)).toBe(NEED_MORE)
  })

  it('reports a truncated zip', () => {
    const cut = mv.zip.subarray(0, mv.zip.length - 10)
    expect(readZipDirectory(cut, cut.length)).toMatch(/end-of-central-directory/)
    const half = mv.zip.subarray(0, Math.floor(mv.zip.length / 2))
    expect(typeof readZipDirectory(half, half.length)).toBe('string')
  })

  it('reports bytes inserted before the central directory', () => {
    const grown = Buffer.concat([mv.zip.subarray(0, 40), Buffer.alloc(7, 0x41), mv.zip.subarray(40)])
    expect(readZipDirectory(grown, grown.length)).toMatch(/cut or inserted/)
  })

  it('reports garbage appended after the zip and a file that is not a zip', () => {
    const appended = Buffer.concat([mv.zip, Buffer.from('garbage')])
    expect(typeof readZipDirectory(appended, appended.length)).toBe('string')
    const text = Buffer.from('<html>502 Bad Gateway</html>'.repeat(3))
    expect(readZipDirectory(text, text.length)).toMatch(/not a zip/)
  })
})

describe('compareTree', () => {
  const prefix = 'example.com/Acme/lib@v1.0.0/'
  const entries = readZipDirectory(mv.zip, mv.zip.length) as Array<{ name: string; size: number }>
  const tree = () => new Map(entries.map((e) => [e.name.slice(prefix.length), e.size]))

  it('accepts a tree that matches the zip', () => {
    expect(compareTree(prefix, entries, tree())).toEqual([])
  })

  it('names a missing, a resized and an extra file', () => {
    const t = tree()
    const [first, second] = [...t.keys()] as [string, string]
    t.delete(first)
    t.set(second, (t.get(second) as number) + 1)
    t.set('evil.go', 10)
    const diff = compareTree(prefix, entries, t)
    expect(diff).toEqual([
      `${first} is missing from the extracted module`,
      expect.stringContaining(`${second} has`),
      'evil.go is not in the module zip'
    ])
  })
})

describe('checkZipHash and parseGoSum', () => {
  const sums = parseGoSum(mv.sumLines.join('\n') + '\n')

  it('reads zip hashes from go.sum and skips the go.mod lines', () => {
    expect(sums.get('example.com/Acme/lib v1.0.0')).toBe(mv.zipHash)
    expect([...sums.keys()]).toEqual(['example.com/Acme/lib v1.0.0'])
  })

  it('accepts the hash go.sum records', () => {
    expect(checkZipHash(`${mv.zipHash}\n`, sums.get('example.com/Acme/lib v1.0.0'))).toBeUndefined()
    expect(checkZipHash(mv.zipHash, undefined)).toBeUndefined()
  })

  it('reports a missing, malformed or foreign .ziphash', () => {
    expect(checkZipHash(undefined, mv.zipHash)).toMatch(/missing/)
    expect(checkZipHash('', mv.zipHash)).toMatch(/not an h1/)
    const other = set.get('example.com/b').zipHash
    expect(checkZipHash(other, mv.zipHash)).toMatch(/differs from go.sum/)
  })
})
