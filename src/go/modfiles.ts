/**
 * Go's module file formats, shared by the cache (verification) and the download (module lists): go.sum
 * lines, `path@version` keys and the module cache's path escaping. Pure. Hand-written because the toolkit has no Go parsers and the
 * formats are a few lines each (https://go.dev/ref/mod#go-sum-files, golang.org/x/mod/module.EscapePath).
 * Also where a module version lives in the module cache (moduleCacheFiles).
 */
import path from 'node:path'

/** One line of a go.sum (or go.work.sum). */
export interface GoSumEntry {
  path: string
  /** The module version, without the `/go.mod` suffix of a go.mod line. */
  version: string
  /** True for `<path> <version>/go.mod <hash>` (the hash of the module's go.mod, not of its zip). */
  isGoMod: boolean
  /** As written, e.g. `h1:<base64>` (go only writes h1 today; other prefixes are kept for the caller to judge). */
  hash: string
  /** 1-based line number in the file. */
  line: number
}

export interface GoSumLine {
  /** 1-based. */
  line: number
  /** The line as written, trimmed. */
  text: string
  /** Its whitespace-separated fields (go's strings.Fields): path, version[/go.mod], hash on a valid line. */
  fields: string[]
}

/** The non-blank lines of a go.sum, numbered and split into fields (LF or CRLF line ends). */
export function goSumLines(text: string): GoSumLine[] {
  const out: GoSumLine[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim()
    if (trimmed !== '') out.push({ line: index + 1, text: trimmed, fields: trimmed.split(/\s+/) })
  })
  return out
}

/**
 * Every well-formed line of a go.sum: three fields, as cmd/go's modfetch.readGoSum splits them (it fails on
 * a malformed line; here it is skipped: go/sumcheck.ts reports those, by line, before go runs).
 */
export function parseGoSum(text: string): GoSumEntry[] {
  const out: GoSumEntry[] = []
  for (const { line, fields } of goSumLines(text)) {
    if (fields.length !== 3) continue
    const [path, rawVersion, hash] = fields as [string, string, string]
    const isGoMod = rawVersion.endsWith('/go.mod')
    const version = isGoMod ? rawVersion.slice(0, -'/go.mod'.length) : rawVersion
    if (version === '') continue
    out.push({ path, version, isGoMod, hash, line })
  }
  return out
}

/**
 * cmd/go's module path escaping for the cache: each upper-case letter becomes `!` + lower case, so
 * case-insensitive file systems keep distinct modules apart.
 */
export function escapeModulePath(p: string): string {
  return p.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`)
}

export function unescapeModulePath(escaped: string): string {
  return escaped.replace(/!([a-z])/g, (_, c: string) => c.toUpperCase())
}

/** `path@version` -> parts; the version may be a pseudo-version or carry `+incompatible`. */
export function splitModule(module: string): { path: string; version: string } | undefined {
  const at = module.lastIndexOf('@')
  if (at <= 0 || at === module.length - 1) return undefined
  return { path: module.slice(0, at), version: module.slice(at + 1) }
}

/**
 * Everything the module cache holds for one module version: the download-cache files
 * (`cache/download/<escaped path>/@v/<escaped version>.{info,mod,zip,ziphash,lock}`, plus partial
 * `.zip*.tmp` files matched by the caller via the prefix) and the extracted directory.
 */
export function moduleCacheFiles(
  gomodcache: string,
  m: { path: string; version: string }
): { downloadDir: string; filePrefix: string; extracted: string } {
  const ep = escapeModulePath(m.path)
  const ev = escapeModulePath(m.version)
  return {
    downloadDir: path.join(gomodcache, 'cache', 'download', ...ep.split('/'), '@v'),
    filePrefix: `${ev}.`,
    extracted: path.join(gomodcache, ...`${ep}@${ev}`.split('/'))
  }
}
