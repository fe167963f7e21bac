/**
 * Pure: the `go env -w` file (GOENV, default $XDG_CONFIG_HOME/go/env) and $GOROOT/go.env, read with
 * cmd/go's rules (cmd/go/internal/cfg/cfg.go readEnvFile): one `NAME=value` per line, the value
 * verbatim to the end of the line; a line without `=` or whose first byte is not A-Z is skipped; a later
 * line wins. Hand-written because it is these twelve lines of go's, not a dotenv dialect (no quotes, no
 * comments after values, no export).
 */
export function parseGoEnvFile(content: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of content.split('\n')) {
    const eq = line.indexOf('=')
    const first = line.charCodeAt(0)
    if (eq < 0 || first < 65 || first > 90) continue
    out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}
