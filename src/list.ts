/**
 * Pure: how the action's list inputs are written (private-modules, fallback-proxies, ...) and how go's
 * comma lists (GOPRIVATE, GONOPROXY, GONOSUMDB) read: commas or newlines, entries trimmed, empty entries
 * and `#` comment lines dropped.
 */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'))
}
