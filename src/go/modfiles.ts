/**
 * Go's module file formats, shared by the cache (integrity) and the download (module lists): go.sum lines
 * and the module cache's path escaping. Pure. Hand-written because the toolkit has no Go parsers and the
 * formats are a few lines each (https://go.dev/ref/mod#go-sum-files, golang.org/x/mod/module.EscapePath).
 */

export interface GoSumLine {
  path: string
  version: string
  /** `h1:<base64>`. */
  hash: string
}

/** The zip lines of a go.sum (or go.work.sum): `<path> <version> h1:<hash>`, not the `<version>/go.mod` ones. */
export function goSumZipLines(text: string): GoSumLine[] {
  const out: GoSumLine[] = []
  for (const raw of text.split('\n')) {
    const fields = raw.trim().split(/\s+/)
    if (fields.length !== 3) continue
    const [path, version, hash] = fields as [string, string, string]
    if (version.endsWith('/go.mod') || !hash.startsWith('h1:')) continue
    out.push({ path, version, hash })
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
