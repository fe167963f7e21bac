/**
 * Pure: how the action's list inputs are written (private-modules, fallback-proxies, ...) and how go's
 * comma lists (GOPRIVATE, GONOPROXY, GONOSUMDB) read: commas or newlines, entries trimmed, empty entries
 * and `#` comment lines dropped.
 */
import { InputError } from './input-error.js'

/** The lines of a newline-separated input (globs may hold commas inside braces), trimmed, blank and `#` lines dropped. */
export function parseLines(value: string): string[] {
  return value
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'))
}

export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'))
}

/**
 * The 1-based number of the first empty comma-separated entry (`a,,b`, `,a`, a trailing `a,`), or
 * undefined. Blank lines are fine (YAML block scalars have them), and so is a comma that ends a line when
 * more entries follow on later lines (`a,` newline `b`). An empty entry between commas is what a `${{ }}`
 * expression that expanded to nothing leaves, so it is worth an error.
 */
export function emptyListEntry(value: string): number | undefined {
  const lines = parseLines(value)
  let n = 0
  for (const [i, line] of lines.entries()) {
    const body = i < lines.length - 1 && line.endsWith(',') ? line.slice(0, -1) : line
    for (const entry of body.split(',')) {
      n++
      if (entry.trim() === '') return n
    }
  }
  return undefined
}

/** The error for entry `n` of a list that is empty (emptyListEntry); `subject` is e.g. `Input 'goproxy'`. */
export function emptyEntryError(
  input: string,
  subject: string,
  value: string,
  n: number,
  example: string
): InputError {
  return new InputError(
    input,
    `${subject} is '${value.trim()}'; entry ${n} is empty (two commas in a row, or a comma at the start or end of a line: an expression that expanded to nothing?). Separate entries by one comma or a newline, e.g. '${example}'.`
  )
}

/** parseList for an input, refusing empty entries (see emptyListEntry) with the input named. */
export function parseInputList(input: string, value: string, example: string): string[] {
  const empty = emptyListEntry(value)
  if (empty !== undefined) throw emptyEntryError(input, `Input '${input}'`, value, empty, example)
  return parseList(value)
}
