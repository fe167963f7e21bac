/**
 * Pure: go.mod and go.work directives, each with its 1-based line number, for every part of the action that
 * reads them (the version to install, the modules to download, the line an annotation points at).
 *
 * Hand-written because the toolkit has no Go parsers; it follows golang.org/x/mod/modfile's grammar
 * (https://go.dev/ref/mod#go-mod-file-grammar, https://go.dev/ref/mod#go-work-file): a directive is a verb
 * and its arguments on one line, or a block `verb (` ... `)` with one entry per line; arguments are bare
 * words or Go strings ("..." with escapes, `raw`); `//` starts a comment, and a require's trailing
 * `// indirect` (alone or followed by `;`) marks it indirect. go.work shares the grammar (its `use` and `go`
 * and `toolchain` lines), so one parser reads both. It never throws: lines it cannot read are listed in
 * `errors`, so a caller can still use the rest and name the bad line.
 */

export interface GoModLine {
  /** 1-based line number in the file. */
  line: number
}

export interface GoModModule extends GoModLine {
  path: string
  /** The text after `Deprecated:` in the comment above or beside the module line, if any. */
  deprecated?: string
}

export interface GoModGo extends GoModLine {
  /** As written, without a `go` prefix: 1.22, 1.22.3, 1.23rc1. */
  version: string
}

export interface GoModToolchain extends GoModLine {
  /** As written: go1.22.3, go1.22.3-custom, default. */
  name: string
}

export interface GoModRequire extends GoModLine {
  path: string
  version: string
  indirect: boolean
}

export interface GoModVersioned {
  path: string
  /** Empty when the replace applies to (or points at) every version, or at a directory. */
  version: string
}

export interface GoModReplace extends GoModLine {
  from: GoModVersioned
  /** A module path and version, or a directory (`./fork`, `../x`, `/abs`) with an empty version. */
  to: GoModVersioned
}

export interface GoModExclude extends GoModLine {
  path: string
  version: string
}

export interface GoModRetract extends GoModLine {
  /** A single version (low === high) or a closed interval `[low, high]`. */
  low: string
  high: string
  /** The comment on or above the retract line, which go shows as the reason. */
  rationale: string
}

export interface GoModUse extends GoModLine {
  /** A directory relative to the go.work file, as written. */
  dir: string
}

export interface GoModGodebug extends GoModLine {
  key: string
  value: string
}

export interface GoModTool extends GoModLine {
  path: string
}

export interface GoModError extends GoModLine {
  message: string
}

export interface GoModFile {
  module?: GoModModule
  go?: GoModGo
  toolchain?: GoModToolchain
  requires: GoModRequire[]
  replaces: GoModReplace[]
  excludes: GoModExclude[]
  retracts: GoModRetract[]
  /** go.work `use` directories. */
  uses: GoModUse[]
  godebugs: GoModGodebug[]
  /** Go 1.24 `tool` lines. */
  tools: GoModTool[]
  errors: GoModError[]
}

interface Token {
  text: string
  /** Whether it was a quoted string (a bare `(` then is an argument, not a block). */
  quoted: boolean
}

interface Line {
  line: number
  tokens: Token[]
  /** The `//` comment at the end, without the slashes, trimmed. */
  comment: string
}

/** Split one line into tokens and its trailing comment; undefined with a reason for a broken string. */
function lex(text: string): { tokens: Token[]; comment: string } | { error: string } {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (c === ' ' || c === '\t' || c === '\r') {
      i++
    } else if (text.startsWith('//', i)) {
      return { tokens, comment: text.slice(i + 2).trim() }
    } else if (c === '(' || c === ')') {
      tokens.push({ text: c, quoted: false })
      i++
    } else if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      if (j >= text.length) return { error: 'unterminated quoted string' }
      try {
        // Go's interpreted string escapes are JSON's for everything a module path can hold.
        tokens.push({ text: JSON.parse(text.slice(i, j + 1)) as string, quoted: true })
      } catch {
        return { error: `invalid quoted string ${text.slice(i, j + 1)}` }
      }
      i = j + 1
    } else if (c === '`') {
      const j = text.indexOf('`', i + 1)
      if (j < 0) return { error: 'unterminated raw string' }
      tokens.push({ text: text.slice(i + 1, j), quoted: true })
      i = j + 1
    } else {
      let j = i
      while (j < text.length && !' \t\r()"`'.includes(text[j] as string) && !text.startsWith('//', j)) j++
      tokens.push({ text: text.slice(i, j), quoted: false })
      i = j
    }
  }
  return { tokens, comment: '' }
}

const isIndirect = (comment: string) => comment === 'indirect' || comment.startsWith('indirect;')

function deprecation(comments: string[]): string | undefined {
  for (const c of comments) {
    const m = /^Deprecated:\s*(.*)$/.exec(c)
    if (m) return (m[1] as string).trim()
  }
  return undefined
}

/** A replace side: `path [version]`, or a directory. */
function versioned(args: string[]): GoModVersioned | undefined {
  if (args.length === 1) return { path: args[0] as string, version: '' }
  if (args.length === 2) return { path: args[0] as string, version: args[1] as string }
  return undefined
}

/** Apply one directive (a line, or an entry of a block) to the result. */
function directive(out: GoModFile, verb: string, line: Line, above: string[]): void {
  const args = line.tokens.map((t) => t.text)
  const n = line.line
  const bad = (expected: string): void => {
    out.errors.push({ line: n, message: `usage: ${verb} ${expected}` })
  }
  switch (verb) {
    case 'module': {
      if (args.length !== 1) return bad('module/path')
      const deprecated = deprecation([...above, line.comment])
      out.module = { path: args[0] as string, line: n, ...(deprecated !== undefined ? { deprecated } : {}) }
      return
    }
    case 'go':
      if (args.length !== 1) return bad('1.23')
      out.go = { version: (args[0] as string).replace(/^go(?=\d)/, ''), line: n }
      return
    case 'toolchain':
      if (args.length !== 1) return bad('go1.23.4')
      out.toolchain = { name: args[0] as string, line: n }
      return
    case 'require':
      if (args.length !== 2) return bad('module/path v1.2.3')
      out.requires.push({
        path: args[0] as string,
        version: args[1] as string,
        indirect: isIndirect(line.comment),
        line: n
      })
      return
    case 'exclude':
      if (args.length !== 2) return bad('module/path v1.2.3')
      out.excludes.push({ path: args[0] as string, version: args[1] as string, line: n })
      return
    case 'replace': {
      const arrow = args.indexOf('=>')
      const from = arrow > 0 ? versioned(args.slice(0, arrow)) : undefined
      const to = arrow > 0 ? versioned(args.slice(arrow + 1)) : undefined
      if (!from || !to) return bad('module/path [v1.2.3] => other/module v1.4 | ./directory')
      out.replaces.push({ from, to, line: n })
      return
    }
    case 'retract': {
      const rationale = [...above, line.comment].filter((c) => c !== '').join('\n')
      if (args.length === 1 && !args[0]!.startsWith('[')) {
        out.retracts.push({ low: args[0] as string, high: args[0] as string, rationale, line: n })
        return
      }
      // `[v1.0.0, v1.9.9]` lexes as one or more words: join and split on the comma.
      const m = /^\[\s*([^,\s]+)\s*,\s*([^\]\s]+)\s*\]$/.exec(args.join(' '))
      if (!m) return bad('v1.2.3 | [v1.0.0, v1.9.9]')
      out.retracts.push({ low: m[1] as string, high: m[2] as string, rationale, line: n })
      return
    }
    case 'use':
      if (args.length !== 1) return bad('./directory')
      out.uses.push({ dir: args[0] as string, line: n })
      return
    case 'godebug': {
      const m = args.length === 1 ? /^([^=]+)=(.*)$/.exec(args[0] as string) : null
      if (!m) return bad('key=value')
      out.godebugs.push({ key: m[1] as string, value: m[2] as string, line: n })
      return
    }
    case 'tool':
      if (args.length !== 1) return bad('module/path/cmd')
      out.tools.push({ path: args[0] as string, line: n })
      return
    default:
      // `ignore` (Go 1.25) and future verbs: go reports an unknown one itself; nothing here needs them.
      if (verb !== 'ignore') out.errors.push({ line: n, message: `unknown directive: ${verb}` })
  }
}

/** Parse a go.mod or go.work file. Never throws; see `errors`. */
export function parseGoModFile(text: string): GoModFile {
  const out: GoModFile = {
    requires: [],
    replaces: [],
    excludes: [],
    retracts: [],
    uses: [],
    godebugs: [],
    tools: [],
    errors: []
  }
  let block: string | undefined
  let blockLine = 0
  /** Comment lines directly above the current line (a module's Deprecated:, a retract's rationale). */
  let above: string[] = []
  const lines = text.replace(/^\uFEFF/, '').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1
    const lexed = lex(lines[i] as string)
    if ('error' in lexed) {
      out.errors.push({ line: n, message: lexed.error })
      above = []
      continue
    }
    const { tokens, comment } = lexed
    if (tokens.length === 0) {
      above = comment !== '' ? [...above, comment] : []
      continue
    }
    const word = (k: number) => (tokens[k] && !tokens[k].quoted ? tokens[k].text : undefined)
    if (block !== undefined) {
      if (tokens.length === 1 && word(0) === ')') block = undefined
      else directive(out, block, { line: n, tokens, comment }, above)
      above = []
      continue
    }
    const verb = word(0)
    if (verb === undefined) {
      out.errors.push({ line: n, message: `expected a directive, found ${JSON.stringify(tokens[0]?.text)}` })
    } else if (word(1) === '(' && tokens.length === 2) {
      block = verb
      blockLine = n
    } else if (word(1) === '(' && word(tokens.length - 1) === ')') {
      // `require ()` or a one-line block `exclude ( m v1 )`.
      if (tokens.length > 3) directive(out, verb, { line: n, tokens: tokens.slice(2, -1), comment }, above)
    } else {
      directive(out, verb, { line: n, tokens: tokens.slice(1), comment }, above)
    }
    above = []
  }
  if (block !== undefined)
    out.errors.push({ line: blockLine, message: `unterminated ${block} block: no ')' after it` })
  return out
}
