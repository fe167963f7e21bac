/**
 * Pure validation of the Go environment inputs (goproxy, gosumdb, gonoproxy, gonosumdb, goflags) and of
 * the `private-modules` patterns, with the rules cmd/go itself applies; the same checks for the runner's own
 * GOPROXY/GOSUMDB/GOFLAGS/GOPRIVATE/... (a `Field` names where such a value came from).
 *
 * Why validate at all: go silently ignores a malformed GOPRIVATE glob (golang.org/x/mod/module
 * MatchPrefixPatterns: "It ignores any empty or malformed patterns"), so a typo sends a private module to
 * the public proxy and sum database instead of failing; a bad GOPROXY/GOSUMDB/GOFLAGS fails every later
 * go command with a message that does not name the workflow input. Here each error names the input, the
 * value and the fix.
 *
 * No effects, no logging. Every function returns the normalised value to export (or throws InputError).
 */
import { InputError } from '../input-error.js'
import { parseGoflags } from '../go/flags.js'
import { globSyntaxError, matchesEveryModule, patternElementError } from '../go/pattern.js'
import { emptyEntryError, emptyListEntry, parseList } from '../list.js'
import { proxyEntryUrl, redactUserinfo } from '../go/proxylist.js'

/**
 * What a value came from: an input (`'goproxy'`, messages say "Input 'goproxy' ...") or one of the
 * runner's variables (`{ name: 'GOPROXY', label: "GOPROXY (from the runner's environment)", fix }`).
 */
export type Field = string | { name: string; label: string; fix: string }

const nameOf = (f: Field): string => (typeof f === 'string' ? f : f.name)
const labelOf = (f: Field): string => (typeof f === 'string' ? `Input '${f}'` : f.label)
/** The runner's variables get their own fix after the generic one (fix the runner, or set the input). */
const fixOf = (f: Field, fix: string): string => (typeof f === 'string' ? fix : `${fix} ${f.fix}`)

/** `-insecure` disabled TLS verification and checksum checks for `go get` (removed in Go 1.17). */
const REFUSED_GOFLAGS = new Set(['insecure'])

/** GOSUMDB names go knows the public key of (cmd/go/internal/modfetch/sumdb.go knownGOSUMDB). */
const KNOWN_SUMDBS = new Set(['sum.golang.org', 'sum.golang.google.cn'])

/** A verifier key as golang.org/x/mod/sumdb/note.NewVerifier parses it: name+hash(8 hex)+base64 key. */
const SUMDB_KEY = /^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/

export interface PatternOptions {
  /**
   * 'refuse' a pattern that matches every module; the default for private-modules (it decides where the
   * token goes), 'allow' for the others (GONOSUMDB=* is a choice, warned about by the planner).
   */
  everything?: 'refuse' | 'allow'
}

/**
 * GOPRIVATE-style patterns (private-modules, gonoproxy, gonosumdb): module path prefixes with path.Match
 * globs, no scheme, no spaces. Returns them with the trailing slash dropped, as go does.
 */
export function validatePatterns(
  field: Field,
  patterns: readonly string[],
  opts: PatternOptions = {}
): string[] {
  const input = nameOf(field)
  const subject = labelOf(field)
  return patterns.map((raw) => {
    const pattern = raw.trim()
    const fix = fixOf(
      field,
      "Write module path patterns like 'github.com/acme/*' or '*.corp.example.com' (no scheme), comma or newline separated."
    )
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pattern) || pattern.startsWith('git@')) {
      throw new InputError(
        input,
        `${subject} has '${pattern}', which is a URL; GOPRIVATE patterns are module paths. ${fix}`
      )
    }
    if (/\s/.test(pattern)) {
      throw new InputError(input, `${subject} has '${pattern}', which contains a space. ${fix}`)
    }
    if (pattern.startsWith('/')) {
      throw new InputError(
        input,
        `${subject} has '${pattern}', which starts with '/'; a module path starts with its host. ${fix}`
      )
    }
    const syntax = globSyntaxError(pattern)
    if (syntax) {
      throw new InputError(
        input,
        `${subject} has '${pattern}', which is not a valid glob: ${syntax}. Go would silently ignore it (and send those modules to the public proxy). ${fix}`
      )
    }
    const odd = patternElementError(pattern)
    if (odd) throw new InputError(input, `${subject} has '${pattern}': ${odd}. ${fix}`)
    const everything = opts.everything ?? (input === 'private-modules' ? 'refuse' : 'allow')
    if (everything === 'refuse' && matchesEveryModule(pattern)) {
      throw new InputError(
        input,
        `${subject} has '${pattern}', which matches every module path (a masked secret '***' pasted from a log looks like this): every module would skip the proxy and the checksum database, and the token would be sent to every repository of the host. ${fix}`
      )
    }
    return pattern.replace(/\/+$/, '')
  })
}

/**
 * A pattern list (gonoproxy, gonosumdb, private-modules, or the runner's GOPRIVATE...) as go wants it:
 * comma separated. '' when not given. Empty entries (`a,,b`) are refused for inputs; go itself skips them.
 */
export function validatePatternList(field: Field, value: string, opts: PatternOptions = {}): string {
  const empty = typeof field === 'string' ? emptyListEntry(value) : undefined
  if (empty !== undefined)
    throw emptyEntryError(nameOf(field), labelOf(field), value, empty, 'github.com/acme/*,gitlab.com/acme')
  return validatePatterns(field, parseList(value), opts).join(',')
}

/**
 * GOPROXY: entries separated by `,` (fall back on 404/410) or `|` (fall back on any error); each `direct`,
 * `off`, or an https/http/file URL. A bare host (proxy.corp.example.com) is accepted because go adds
 * https:// itself (cmd/go/internal/modfetch/proxy.go proxyList). Entries after `direct` or `off` are never
 * used by go, which is always a mistake in a workflow, so it is an error here.
 */
export function validateGoproxy(field: Field, value: string): string {
  const input = nameOf(field)
  const subject = labelOf(field)
  const v = value.trim()
  if (v === '') return ''
  const fix = fixOf(
    field,
    "Use URLs, 'direct' or 'off' separated by ',' or '|', e.g. 'https://proxy.golang.org,direct'."
  )
  // userinfo is never echoed (a runner's GOPROXY may carry a login).
  const redact = redactUserinfo
  value = redact(value)
  const entries = v.split(/[,|]/).map((s) => s.trim())
  entries.forEach((raw, index) => {
    const entry = redact(raw)
    if (entry === '') {
      throw new InputError(input, `${subject} is '${value}'; entry ${index + 1} is empty. ${fix}`)
    }
    if ((entry === 'direct' || entry === 'off') && index < entries.length - 1) {
      throw new InputError(
        input,
        `${subject} is '${value}'; go never uses the entries after '${entry}'. Put '${entry}' last, e.g. 'https://proxy.golang.org,direct'.`
      )
    }
    if (entry === 'direct' || entry === 'off') return
    if (/\s/.test(entry)) {
      throw new InputError(input, `${subject} is '${value}'; entry '${entry}' contains a space. ${fix}`)
    }
    if (!/[.:/]/.test(entry)) {
      throw new InputError(
        input,
        `${subject} is '${value}'; '${entry}' is neither a URL nor 'direct' or 'off'. ${fix}`
      )
    }
    let url: URL
    try {
      url = new URL(proxyEntryUrl(raw))
    } catch {
      throw new InputError(input, `${subject} is '${value}'; '${entry}' is not a valid URL. ${fix}`)
    }
    if (!['https:', 'http:', 'file:'].includes(url.protocol)) {
      throw new InputError(
        input,
        `${subject} is '${value}'; '${entry}' has the scheme ${url.protocol.replace(/:$/, '')}, go accepts only https, http and file. ${fix}`
      )
    }
    // A runner's own proxy login is the runner's business (it is in its environment already).
    if ((url.username !== '' || url.password !== '') && typeof field === 'string') {
      throw new InputError(
        input,
        `${subject} has a proxy URL with credentials in it; they would be shown in logs and exported in plain text. Put them in 'credentials' (e.g. 'proxy.corp.example.com user:<token>') and use the URL without them.`
      )
    }
  })
  return v.replace(/\s*([,|])\s*/g, '$1')
}

/** GOSUMDB: `off`, a known name, or `name+hash+key`, optionally followed by the database URL. */
export function validateGosumdb(field: Field, value: string): string {
  const input = nameOf(field)
  const subject = labelOf(field)
  const v = value.trim()
  if (v === '') return ''
  const fix = fixOf(
    field,
    "Use 'off', 'sum.golang.org', or '<name>+<hash>+<key> [https://url]' (a verifier key as printed by the database operator)."
  )
  if (v === 'off') return v
  const fields = v.split(/\s+/)
  const [name, url] = fields
  if (fields.length > 2 || name === undefined) {
    throw new InputError(input, `${subject} is '${value}'; it has more than a key and a URL. ${fix}`)
  }
  if (!KNOWN_SUMDBS.has(name) && !SUMDB_KEY.test(name)) {
    throw new InputError(
      input,
      `${subject} is '${value}'; '${name}' is neither a sum database go knows (sum.golang.org) nor a verifier key name+hash+key. ${fix}`
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
      throw new InputError(input, `${subject} is '${value}'; '${url}' is not an http(s) URL. ${fix}`)
    }
  }
  return fields.join(' ')
}

/**
 * GOFLAGS, split and checked as go does (go/flags.ts: quoted fields, every field a flag, per-package flag
 * values); `-insecure` is refused. Returns the value with runs of spaces collapsed outside quotes.
 */
export function validateGoflags(field: Field, value: string): string {
  const input = nameOf(field)
  const subject = labelOf(field)
  const v = value.trim()
  if (v === '') return ''
  const parsed = parseGoflags(v)
  if ('error' in parsed) {
    throw new InputError(
      input,
      `${subject} is '${value}'; ${parsed.error}. ${fixOf(field, "GOFLAGS holds flags like '-mod=readonly -trimpath'; give a flag's value with '=' (-tags=a,b), and quote a whole flag whose value has spaces: '\"-ldflags=-s -w\"'.")}`
    )
  }
  for (const flag of parsed.flags) {
    if (REFUSED_GOFLAGS.has(flag.name)) {
      throw new InputError(
        input,
        `${subject} has '${flag.field}', which turns off TLS verification and checksum checks for module downloads; this action refuses it. ${fixOf(field, 'Remove it; to reach a host without valid TLS, name that host in GOINSECURE instead.')}`
      )
    }
  }
  // Quoted fields keep their quotes: go reads the exported value with the same rules again.
  return v.includes('"') || v.includes("'") ? v : v.split(/\s+/).join(' ')
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
