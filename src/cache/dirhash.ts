/**
 * go's `h1:` hash (golang.org/x/mod/sumdb/dirhash Hash1), the hash go.sum records, over a module zip
 * (HashZip), an extracted module tree (HashDir) and a go.mod file. For each file, sorted by name
 * (`<module>@<version>/<path>` for a zip or tree, `go.mod` for a go.mod), a line
 * `<sha256 hex>  <name>\n`; the hash is `h1:` + base64(sha256 of those lines).
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { sha256File } from '../sha256.js'
import pMap from 'p-map'
import { digestZip } from './zip.js'

/** Hash1 over (name, sha256 hex) pairs. Names sort by bytes (Go's sort.Strings), not UTF-16 units. */
export function hash1(files: readonly { name: string; sha256: string }[]): string {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
  const h = createHash('sha256')
  for (const f of sorted) {
    if (f.name.includes('\n')) throw new Error('dirhash: file names with newlines are not supported')
    h.update(`${f.sha256}  ${f.name}\n`)
  }
  return `h1:${h.digest('base64')}`
}

/** go.sum's `<path> <version>/go.mod` hash of a go.mod file's content. */
export function hashGoMod(data: Buffer): string {
  return hash1([{ name: 'go.mod', sha256: createHash('sha256').update(data).digest('hex') }])
}

/** dirhash.HashZip, or why the zip cannot be read as go would read it. */
export async function hashZip(file: string): Promise<{ hash: string } | { damage: string }> {
  const d = await digestZip(file)
  if (!d.ok) return { damage: d.damage }
  return { hash: hash1(d.entries.map((e, i) => ({ name: e.name, sha256: d.sha256[i] as string }))) }
}

/**
 * dirhash.HashDir(dir, `<module>@<version>`): every file below `dir`. go extracts only regular files, so
 * anything else (a symbolic link, a device) makes the tree differ from any zip: reported as `damage`.
 */
export async function hashDir(dir: string, prefix: string): Promise<{ hash: string } | { damage: string }> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true, recursive: true })
  const files: { name: string; file: string }[] = []
  for (const e of entries) {
    if (e.isDirectory()) continue
    const file = path.join(e.parentPath, e.name)
    const rel = path.relative(dir, file).split(path.sep).join('/')
    if (!e.isFile()) return { damage: `${rel} is not a regular file` }
    files.push({ name: `${prefix}/${rel}`, file })
  }
  const hashed = await pMap(files, async (f) => ({ name: f.name, sha256: await sha256File(f.file) }), {
    concurrency: 16
  })
  return { hash: hash1(hashed) }
}

/** Small files in one read, large ones streamed. */
