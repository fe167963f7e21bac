/**
 * A module zip read the way go reads it (archive/zip over the central directory), for hashing its content.
 * Hand-written because no toolkit package reads zips, and because the bytes hashed here must be exactly
 * the bytes go extracts: the central directory's entries, each entry's data found through its local
 * header, Store or Deflate only, size and CRC-32 checked as archive/zip checks them. Anything go's zip
 * reader would read differently (zip64, bytes after the end record, duplicate names) is reported as damage
 * rather than interpreted: a module zip written by go never has them.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import zlib from 'node:zlib'

export interface ZipEntry {
  name: string
  /** Uncompressed size. */
  size: number
  compressedSize: number
  /** 0 Store, 8 Deflate (the two methods go registers). */
  method: number
  crc32: number
  /** Offset of the entry's local header. */
  localOffset: number
}

const EOCD_SIG = 0x06054b50
const CDH_SIG = 0x02014b50
const LFH_SIG = 0x04034b50
const EOCD_MIN = 22
const LFH_LEN = 30
/** The end of a file that always holds the end-of-central-directory record (max comment 64 KiB). */
export const TAIL_BYTES = 65535 + EOCD_MIN
/** readZipDirectory's answer when the central directory starts before the bytes it was given. */
export const NEED_MORE = 'central directory larger than the bytes read'

/**
 * The central directory of a zip from the file's last bytes. `tail` is the end of the file (at most
 * TAIL_BYTES); `fileSize` the whole file's size. Returns the entries, or why this is not a complete zip.
 * The end record is the last signature in the file, as archive/zip finds it; its comment must reach the
 * end of the file exactly. Zip64 is refused: module zips are at most 500 MB (golang.org/x/mod/zip
 * MaxZipFile) and go writes no zip64 records below 4 GiB.
 */
export function readZipDirectory(tail: Buffer, fileSize: number): ZipEntry[] | string {
  if (fileSize < EOCD_MIN || tail.length < EOCD_MIN) return `${fileSize} bytes is too short for a zip`
  const tailStart = fileSize - tail.length
  let eocd = -1
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) {
      eocd = i
      break
    }
  }
  if (eocd < 0) return 'no end-of-central-directory record (truncated or not a zip)'
  if (eocd + EOCD_MIN + tail.readUInt16LE(eocd + 20) !== tail.length)
    return 'bytes after the end-of-central-directory record (truncated, appended to, or not a zip)'
  const count = tail.readUInt16LE(eocd + 10)
  const cdSize = tail.readUInt32LE(eocd + 12)
  const cdOffset = tail.readUInt32LE(eocd + 16)
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
    return 'zip64 records, which go never writes for a module zip'
  if (cdOffset + cdSize !== tailStart + eocd) {
    return `central directory at ${cdOffset}+${cdSize} does not end where its end record starts (${tailStart + eocd}): bytes were cut or inserted`
  }
  if (cdOffset < tailStart) return NEED_MORE
  const entries: ZipEntry[] = []
  let p = cdOffset - tailStart
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || tail.readUInt32LE(p) !== CDH_SIG)
      return `central directory entry ${i + 1} of ${count} is damaged`
    const nameLen = tail.readUInt16LE(p + 28)
    const extraLen = tail.readUInt16LE(p + 30)
    const commentLen = tail.readUInt16LE(p + 32)
    const entry: ZipEntry = {
      name: tail.toString('utf8', p + 46, p + 46 + nameLen),
      method: tail.readUInt16LE(p + 10),
      crc32: tail.readUInt32LE(p + 16),
      compressedSize: tail.readUInt32LE(p + 20),
      size: tail.readUInt32LE(p + 24),
      localOffset: tail.readUInt32LE(p + 42)
    }
    if (entry.localOffset >= cdOffset) return `entry ${i + 1} points past the file data`
    entries.push(entry)
    p += 46 + nameLen + extraLen + commentLen
  }
  if (p !== eocd) return 'central directory size does not match its entries'
  return entries
}

export type ZipDigest =
  | { ok: true; entries: ZipEntry[]; /** sha256 (hex) of each entry's content, by index. */ sha256: string[] }
  | { ok: false; damage: string }

class Damage extends Error {}

/** Zips up to this size are read whole and hashed in memory. */
const WHOLE_ZIP_BYTES = 4 << 20
/** Entries up to this compressed size are inflated in one call (zlib's thread pool); larger ones stream. */
const WHOLE_ENTRY_BYTES = 1 << 20
const inflateRaw = promisify(zlib.inflateRaw)
/** Read and inflate large entries in 1 MiB pieces, not the defaults' 64 KiB / 16 KiB (fewer callbacks). */
const STREAM_CHUNK = 1 << 20

/**
 * Options to inflate an entry in one call: one output chunk of the entry's size where it is small enough
 * (zlib's default, 16 KiB, made a 1 MiB file 64 chunks and a concatenation; the size comes from the zip's
 * header, so it is capped), and one byte more than the header promises allowed, so content longer than
 * the header says is seen (contentDigest) without inflating an unbounded stream.
 */
const oneShot = (e: ZipEntry): zlib.ZlibOptions => ({
  chunkSize: Math.max(zlib.constants.Z_MIN_CHUNK, Math.min(e.size + 1, 8 << 20)),
  maxOutputLength: Math.max(1, e.size + 1)
})

/**
 * The sha256 of every file in a zip, reading each entry's data as archive/zip does. Large entries are
 * streamed; inflation runs on libuv's thread pool, so several zips hashed at once use every core.
 */
export async function digestZip(file: string): Promise<ZipDigest> {
  let fh: fs.promises.FileHandle
  try {
    fh = await fs.promises.open(file, 'r')
  } catch (error) {
    return { ok: false, damage: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` }
  }
  try {
    const { size } = await fh.stat()
    // Most module zips are small: one read, then everything in memory (a read per entry would cost more
    // than the hashing). Large ones are read entry by entry, large entries streamed.
    const whole = size <= WHOLE_ZIP_BYTES ? await readAt(fh, size, 0) : undefined
    const entries = whole ? readZipDirectory(whole, size) : await readDirectory(fh, size)
    if (typeof entries === 'string') return { ok: false, damage: entries }
    const names = new Set<string>()
    for (const e of entries) {
      if (names.has(e.name)) return { ok: false, damage: `'${e.name}' is in the zip twice` }
      names.add(e.name)
    }
    const sha256: string[] = []
    for (const e of entries) sha256.push(whole ? digestInMemory(whole, e) : await digestEntry(fh, e, size))
    return { ok: true, entries, sha256 }
  } catch (error) {
    if (error instanceof Damage) return { ok: false, damage: error.message }
    return { ok: false, damage: error instanceof Error ? error.message : String(error) }
  } finally {
    await fh.close()
  }
}

async function readDirectory(fh: fs.promises.FileHandle, size: number): Promise<ZipEntry[] | string> {
  let len = Math.min(size, TAIL_BYTES)
  for (;;) {
    const buf = await readAt(fh, len, size - len)
    const result = readZipDirectory(buf, size)
    // A central directory larger than the tail (thousands of files): read it all once.
    if (result === NEED_MORE && len < size) {
      len = size
      continue
    }
    return result
  }
}

async function readAt(fh: fs.promises.FileHandle, length: number, position: number): Promise<Buffer> {
  // Not zero-filled: every byte is read into below, or the read throws.
  const buf = Buffer.allocUnsafe(length)
  let off = 0
  while (off < length) {
    const { bytesRead } = await fh.read(buf, off, length - off, position + off)
    if (bytesRead === 0) throw new Damage('the file ended early')
    off += bytesRead
  }
  return buf
}

/** Where an entry's data starts (after its local header), checked against the file's size. */
function dataStart(e: ZipEntry, lh: Buffer, fileSize: number): number {
  const where = `entry '${e.name}'`
  if (lh.length < LFH_LEN || lh.readUInt32LE(0) !== LFH_SIG) throw new Damage(`${where} has no local header`)
  const start = e.localOffset + LFH_LEN + lh.readUInt16LE(26) + lh.readUInt16LE(28)
  if (start + e.compressedSize > fileSize) throw new Damage(`${where} runs past the end of the file`)
  if (e.method !== 0 && e.method !== 8)
    throw new Damage(`${where} uses compression method ${e.method} (go reads Store and Deflate only)`)
  if (e.method === 0 && e.compressedSize !== e.size) throw new Damage(`${where} has inconsistent sizes`)
  return start
}

/** sha256 and CRC-32 of an entry's content as it arrives, checked against its header's size. */
function contentDigest(e: ZipEntry): { take: (chunk: Buffer) => void; done: () => string } {
  const where = `entry '${e.name}'`
  const sha = createHash('sha256')
  let crc = 0
  let n = 0
  return {
    take: (chunk) => {
      n += chunk.length
      if (n > e.size) throw new Damage(`${where} holds more than the ${e.size} bytes its header says`)
      sha.update(chunk)
      crc = zlib.crc32(chunk, crc)
    },
    done: () => {
      if (n !== e.size) throw new Damage(`${where} holds ${n} bytes, its header says ${e.size}`)
      if (crc >>> 0 !== e.crc32) throw new Damage(`${where} fails its CRC-32`)
      return sha.digest('hex')
    }
  }
}

function digestInMemory(zip: Buffer, e: ZipEntry): string {
  const start = dataStart(e, zip.subarray(e.localOffset, e.localOffset + LFH_LEN), zip.length)
  const raw = zip.subarray(start, start + e.compressedSize)
  const d = contentDigest(e)
  if (e.method === 0) d.take(raw)
  else {
    let out: Buffer
    try {
      out = zlib.inflateRawSync(raw, oneShot(e))
    } catch (error) {
      throw new Damage(`entry '${e.name}' does not inflate (${(error as Error).message})`)
    }
    d.take(out)
  }
  return d.done()
}

async function digestEntry(fh: fs.promises.FileHandle, e: ZipEntry, fileSize: number): Promise<string> {
  const where = `entry '${e.name}'`
  const start = dataStart(e, await readAt(fh, LFH_LEN, e.localOffset), fileSize)
  const { take, done } = contentDigest(e)
  if (e.compressedSize <= WHOLE_ENTRY_BYTES) {
    const raw = e.compressedSize > 0 ? await readAt(fh, e.compressedSize, start) : Buffer.alloc(0)
    if (e.method === 0) take(raw)
    else {
      try {
        take(await inflateRaw(raw, oneShot(e)))
      } catch (error) {
        if (error instanceof Damage) throw error
        throw new Damage(`${where} does not inflate (${(error as Error).message})`)
      }
    }
  } else {
    const source = fh.createReadStream({
      start,
      end: start + e.compressedSize - 1,
      autoClose: false,
      highWaterMark: STREAM_CHUNK
    })
    const sink = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
      for await (const c of chunks) take(c)
    }
    try {
      if (e.method === 0) await pipeline(source, sink)
      else await pipeline(source, zlib.createInflateRaw({ chunkSize: STREAM_CHUNK }), sink)
    } catch (error) {
      if (error instanceof Damage) throw error
      throw new Damage(`${where} does not inflate (${(error as Error).message})`)
    }
  }
  return done()
}
