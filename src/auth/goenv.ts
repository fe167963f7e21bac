/**
 * Pure validation of the Go environment inputs (goproxy, gosumdb, gonoproxy, gonosumdb, goflags) and of
 * the `private-modules` patterns, with the rules cmd/go itself applies (Go 1.19 sources cited below).
 *
 * Why validate at all: go silently ignores a malformed GOPRIVATE glob (golang.org/x/mod/module
 * MatchPrefixPatterns: "It ignores any empty or malformed patterns"), so a typo sends a private module to
 * the public proxy and sum database instead of failing; a bad GOPROXY/GOSUMDB/GOFLAGS fails every later
 * go command with a message that does not name the workflow input. Here each error names the input, the
 * value and the fix.
 *
 * No effects, no logging. Every function returns the normalised value to export (or throws InputError).
 */
import { InputError } from '../inputs.js'
import { globSyntaxError } from '../go/pattern.js'
import { parseList } from '../list.js'

/** `-insecure` disabled TLS verification and checksum checks for `go get` (removed in Go 1.17). */
const REFUSED_GOFLAGS = new Set(['insecure'])

/** GOSUMDB names go knows the public key of (cmd/go/internal/modfetch/sumdb.go knownGOSUMDB). */
const KNOWN_SUMDBS = new Set(['sum.golang.org', 'sum.golang.google.cn'])

/** A verifier key as golang.org/x/mod/sumdb/note.NewVerifier parses it: name+hash(8 hex)+base64 key. */
const SUMDB_KEY = /^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/

/**
 * GOPRIVATE-style patterns (private-modules, gonoproxy, gonosumdb): module path prefixes with path.Match
 * globs, no scheme, no spaces. Returns them with the trailing slash dropped, as go does.
 */
export function validatePatterns(input: string, patterns: readonly string[]): string[] {
  return patterns.map((raw) => {
    const pattern = raw.trim()
    const fix =
      "Write module path patterns like 'github.com/acme/*' or '*.corp.example.com' (no scheme), comma or newline separated."
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pattern) || pattern.startsWith('git@')) {
      throw new InputError(
        input,
        `Input '${input}' has '${pattern}', which is a URL; GOPRIVATE patterns are module paths. ${fix}`
      )
    }
    if (/\s/.test(pattern)) {
      throw new InputError(input, `Input '${input}' has '${pattern}', which contains a space. ${fix}`)
    }
    if (pattern.startsWith('/')) {
      throw new InputError(
        input,
        `Input '${input}' has '${pattern}', which starts with '/'; a module path starts with its host. ${fix}`
      )
    }
    const syntax = globSyntaxError(pattern)
    if (syntax) {
      throw new InputError(
        input,
        `Input '${input}' has '${pattern}', which is not a valid glob: ${syntax}. Go would silently ignore it (and send those modules to the public proxy). ${fix}`
      )
    }
    return pattern.replace(/\/+$/, '')
  })
}

/** A pattern-list input (gonoproxy, gonosumdb) as go wants it: comma separated. '' when not given. */
export function validatePatternList(input: string, value: string): string {
  return validatePatterns(input, parseList(value)).join(',')
}

/**
 * GOPROXY: entries separated by `,` (fall back on 404/410) or `|` (fall back on any error); each `direct`,
 * `off`, or an https/http/file URL. A bare host (proxy.corp.example.com) is accepted because go adds
 * https:// itself (cmd/go/internal/modfetch/proxy.go proxyList). Entries after `direct` or `off` are never
 * used by go, which is always a mistake in a workflow, so it is an error here.
 */
export function validateGoproxy(input: string, value: string): string {
  const v = value.trim()
  if (v === '') return ''
  const fix = "Use URLs, 'direct' or 'off' separated by ',' or '|', e.g. 'https://proxy.golang.org,direct'."
  const entries = v.split(/[,|]/).map((s) => s.trim())
  entries.forEach((entry, index) => {
    if (entry === '') {
      throw new InputError(input, `Input '${input}' is '${value}'; entry ${index + 1} is empty. ${fix}`)
    }
    if ((entry === 'direct' || entry === 'off') && index < entries.length - 1) {
      throw new InputError(
        input,
        `Input '${input}' is '${value}'; go never uses the entries after '${entry}'. Put '${entry}' last, e.g. 'https://proxy.golang.org,direct'.`
      )
    }
    if (entry === 'direct' || entry === 'off') return
    if (/\s/.test(entry)) {
      throw new InputError(input, `Input '${input}' is '${value}'; entry '${entry}' contains a space. ${fix}`)
    }
    if (!/[.:/]/.test(entry)) {
      throw new InputError(
        input,
        `Input '${input}' is '${value}'; '${entry}' is neither a URL nor 'direct' or 'off'. ${fix}`
      )
    }
    const withScheme = entry.includes(':/') || entry.startsWith('/') ? entry : `https://${entry}`
    let url: URL
    try {
      url = new URL(withScheme)
    } catch {
      throw new InputError(input, `Input '${input}' is '${value}'; '${entry}' is not a valid URL. ${fix}`)
    }
    if (!['https:', 'http:', 'file:'].includes(url.protocol)) {
      throw new InputError(
        input,
        `Input '${input}' is '${value}'; '${entry}' has the scheme ${url.protocol.replace(/:$/, '')}, go accepts only https, http and file. ${fix}`
      )
    }
    if (url.username !== '' || url.password !== '') {
      throw new InputError(
        input,
        `Input '${input}' has a proxy URL with credentials in it; they would be shown in logs and exported in plain text. Put them in 'credentials' (e.g. 'proxy.corp.example.com user:<token>') and use the URL without them.`
      )
    }
  })
  return v.replace(/\s*([,|])\s*/g, '$1')
}

/** GOSUMDB: `off`, a known name, or `name+hash+key`, optionally followed by the database URL. */
export function validateGosumdb(input: string, value: string): string {
  const v = value.trim()
  if (v === '') return ''
  const fix =
    "Use 'off', 'sum.golang.org', or '<name>+<hash>+<key> [https://url]' (a verifier key as printed by the database operator)."
  if (v === 'off') return v
  const fields = v.split(/\s+/)
  const [name, url] = fields
  if (fields.length > 2 || name === undefined) {
    throw new InputError(input, `Input '${input}' is '${value}'; it has more than a key and a URL. ${fix}`)
  }
  if (!KNOWN_SUMDBS.has(name) && !SUMDB_KEY.test(name)) {
    throw new InputError(
      input,
      `Input '${input}' is '${value}'; '${name}' is neither a sum database go knows (sum.golang.org) nor a verifier key name+hash+key. ${fix}`
    )
  }
  if (url !== undefined) {
    let parsed: URL | undefined
    try {
      parsed = new URL(url)
    } catch {
      parsed = undefined
    }
    if (!parsed || !['https:', 'http:'].includes(parsed.protocol)) {
      throw new InputError(input, `Input '${input}' is '${value}'; '${url}' is not an http(s) URL. ${fix}`)
    }
  }
  return fields.join(' ')
}

/** GOFLAGS: space separated `-flag` or `-flag=value` words (go: "Each of the words ... must be its own flag"). */
export function validateGoflags(input: string, value: string): string {
  const words = value
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '')
  for (const word of words) {
    if (!/^--?[^-=]/.test(word)) {
      throw new InputError(
        input,
        `Input '${input}' is '${value}'; '${word}' is not a flag. GOFLAGS holds flags like '-mod=mod -trimpath'; give a flag's value with '=' (-tags=a,b), not as a separate word.`
      )
    }
    const name = word.replace(/^--?/, '').split('=')[0] as string
    if (REFUSED_GOFLAGS.has(name)) {
      throw new InputError(
        input,
        `Input '${input}' has '${word}', which turns off TLS verification and checksum checks for module downloads; this action refuses it. Remove it; to reach a host without valid TLS, name that host in GOINSECURE instead.`
      )
    }
  }
  return words.join(' ')
}

export interface ValidatedGoEnv {
  goproxy: string
  gosumdb: string
  gonoproxy: string
  gonosumdb: string
  goflags: string
}

/** Every Go environment input at once; empty strings stay empty (not set by the user). */
export function validateGoEnv(goEnv: ValidatedGoEnv): ValidatedGoEnv {
  return {
    goproxy: validateGoproxy('goproxy', goEnv.goproxy),
    gosumdb: validateGosumdb('gosumdb', goEnv.gosumdb),
    gonoproxy: validatePatternList('gonoproxy', goEnv.gonoproxy),
    gonosumdb: validatePatternList('gonosumdb', goEnv.gonosumdb),
    goflags: validateGoflags('goflags', goEnv.goflags)
  }
}
