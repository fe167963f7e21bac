/**
 * Pure: split go's `-json` output into objects. `go mod download -json` prints one indented object per
 * module, concatenated without separators, so JSON.parse cannot read the whole and a line-based reader
 * cannot either. Hand-written (a brace-depth scanner that respects strings) because no dependency of
 * ours parses concatenated JSON and a streaming-JSON package would be a lot for 30 lines.
 */
export function parseConcatenatedJson<T = unknown>(text: string): { objects: T[]; rest: string } {
  const objects: T[] = []
  let depth = 0
  let inString = false
  let escaped = false
  let start = -1
  let consumed = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (escaped) escaped = false
      else if (c === '\\') escaped = true
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    else if (c === '{') {
      if (depth === 0) start = i
      depth++
    } else if (c === '}' && depth > 0) {
      depth--
      if (depth === 0 && start >= 0) {
        try {
          objects.push(JSON.parse(text.slice(start, i + 1)) as T)
        } catch {
          // Not JSON after all (go printed something brace-like); skip it.
        }
        consumed = i + 1
        start = -1
      }
    }
  }
  return { objects, rest: text.slice(consumed).trim() }
}
