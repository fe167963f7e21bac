/**
 * Pure: Go's pattern grammar, the one home for it. `path.Match` globs (one path element: `*`, `?`,
 * `[...]` classes with ranges and `^` negation, `\` escapes) and cmd/go's prefix patterns
 * (GOPRIVATE / GONOPROXY / GONOSUMDB, module.MatchPrefixPatterns). Hand-written because no npm package
 * implements Go's semantics: minimatch and picomatch treat `\`, `[!...]`, `**` and separators differently,
 * and a plain glob would not match `github.com/acme/*` against a sub-path as go does.
 *
 * (OpenSSH's host patterns in known_hosts are another grammar; they live with the ssh credentials.)
 */

/** Index after one character of a class (`c` or `\c`), or undefined where path.Match would fail. */
function classChar(glob: string, i: number): number | undefined {
  const c = glob[i]
  if (c === undefined || c === '-' || c === ']') return undefined
  if (c === '\\') return i + 1 < glob.length ? i + 2 : undefined
  return i + 1
}

/**
 * Why a glob is not valid `path.Match` syntax, or undefined when it is. Mirrors Go's path.Match grammar
 * (which reports ErrBadPattern for these): an unterminated or empty `[...]` class, a range with a missing
 * end, a trailing backslash.
 */
export function globSyntaxError(glob: string): string | undefined {
  let i = 0
  while (i < glob.length) {
    const c = glob[i]
    if (c === '\\') {
      if (i + 1 >= glob.length) return 'it ends with a lone backslash'
      i += 2
      continue
    }
    if (c !== '[') {
      i++
      continue
    }
    // Character class: [ [^] range... ]
    i++
    if (glob[i] === '^') i++
    let ranges = 0
    for (;;) {
      if (i >= glob.length) return "a '[' character class is not closed with ']'"
      if (glob[i] === ']' && ranges > 0) {
        i++
        break
      }
      const lo = classChar(glob, i)
      if (lo === undefined) return "a '[' character class is empty or holds a misplaced '-' or ']'"
      i = lo
      if (glob[i] === '-') {
        const hi = classChar(glob, i + 1)
        if (hi === undefined) return "a range in a '[' character class has no end, e.g. write [a-z]"
        i = hi
      }
      ranges++
    }
  }
  return undefined
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

/** Go's path.Match for one path element (no '/'), as a RegExp. Check the glob with globSyntaxError first. */
export function globToRegExp(glob: string): RegExp {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string
    if (c === '*') out += '[^/]*'
    else if (c === '?') out += '[^/]'
    else if (c === '\\') out += escapeRe(glob[++i] ?? '')
    else if (c === '[') {
      let cls = '['
      i++
      if (glob[i] === '^') {
        cls += '^'
        i++
      }
      while (i < glob.length && glob[i] !== ']') {
        const d = glob[i] as string
        if (d === '\\') cls += escapeRe(glob[++i] ?? '')
        else if (d === '-') cls += '-'
        else cls += escapeRe(d)
        i++
      }
      out += cls + ']'
    } else out += escapeRe(c)
  }
  return new RegExp(`^${out}$`)
}

/**
 * cmd/go's module.MatchPrefixPatterns: true when some pattern of the comma-separated lists matches a
 * leading run of `modulePath`'s elements of the pattern's own length (so `github.com/acme/*` matches
 * `github.com/acme/lib/v2`, not `github.com/acme`). One trailing slash is ignored and, as in go, a pattern
 * that is not valid path.Match syntax matches nothing.
 */
export function matchesPrefixPatterns(modulePath: string, patterns: readonly string[]): boolean {
  const elems = modulePath.split('/')
  for (const raw of patterns.flatMap((p) => p.split(','))) {
    // As go: one trailing slash dropped, nothing trimmed (go matches ' b.com' literally, so never).
    const pattern = raw.endsWith('/') ? raw.slice(0, -1) : raw
    if (pattern === '' || globSyntaxError(pattern) !== undefined) continue
    const pElems = pattern.split('/')
    if (pElems.length > elems.length) continue
    if (pElems.every((pe, i) => globToRegExp(pe).test(elems[i] as string))) return true
  }
  return false
}

/**
 * Why a prefix pattern (GOPRIVATE / GONOPROXY / GONOSUMDB, `private-modules`) holds what no module path
 * can, or undefined:
 *  - a `.` or `..` element or an empty one (`a//b`): no module path has one, and git normalises
 *    `https://host/acme/..` to the whole host, so a credential scope made from it widens silently;
 *  - a `%`: module paths never hold one (golang.org/x/mod/module CheckPath), and `%2e%2e` is `..` to git.
 * Call it after globSyntaxError (a bad glob is reported first).
 */
export function patternElementError(pattern: string): string | undefined {
  if (pattern.includes('%')) return "it holds a '%', which no module path has (and %2e%2e is '..' to git)"
  const odd = pattern
    .replace(/\/+$/, '')
    .split('/')
    .find((e) => e === '' || e === '.' || e === '..')
  if (odd === undefined) return undefined
  return odd === ''
    ? "it has an empty path element ('//')"
    : `it has a '${odd}' path element, which git resolves to a wider URL than the pattern names`
}

/**
 * True when a prefix pattern's first element matches every host (`*`, `***` - a masked secret pasted from
 * a log -, `?*`, and `*` followed by more elements), so the pattern covers (nearly) every module path.
 */
export function matchesEveryModule(pattern: string): boolean {
  const host = pattern.trim().split('/')[0] as string
  return /^[*?]*$/.test(host) && host.includes('*')
}

/**
 * Does the prefix pattern `outer` cover everything `inner` matches? True when `outer` has no more elements
 * than `inner` and each of its globs matches `inner`'s element as text (so `github.com/*` covers
 * `github.com/acme/*`, `github.com/acme` covers `github.com/acme/lib`, and `*.corp.example` covers itself
 * but `git.corp.example` does not cover `*.corp.example`). Conservative: when unsure, false.
 */
export function patternCovers(outer: string, inner: string): boolean {
  const o = outer.trim().replace(/\/+$/, '')
  const i = inner.trim().replace(/\/+$/, '')
  if (o === i) return true
  if (o === '' || globSyntaxError(o) !== undefined) return false
  const oe = o.split('/')
  const ie = i.split('/')
  if (oe.length > ie.length) return false
  return oe.every((g, n) => {
    const text = ie[n] as string
    // An element of `inner` that is itself a glob is covered only by `*` or the same glob.
    if (/[*?[\\]/.test(text)) return g === text || /^\*+$/.test(g)
    return globToRegExp(g).test(text)
  })
}
