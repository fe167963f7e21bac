/**
 * Pure: GOFLAGS as cmd/go reads it, so a value go would refuse is refused here with the input named
 * (go's own "go: parsing $GOFLAGS: ..." would otherwise surface only as "the process go failed").
 *
 *  - cmd/internal/quoted.Split: fields separated by spaces, tabs or newlines; a field that STARTS with a
 *    single or double quote runs to the next same quote (no escapes), and an unterminated one is an
 *    error; a quote inside a field is an ordinary character (`-ldflags="-s -w"` is two fields);
 *  - cmd/go/internal/base.InitGOFLAGS: every field is a flag: `-x`, `--x`, `-x=value`, `--x=value`;
 *    `-`, `--`, `---x`, `-=x`, `--=x` and anything not starting with `-` are "non-flag";
 *  - cmd/go/internal/load.PerPackageFlag (-asmflags, -gcflags, -gccgoflags, -ldflags): the value is
 *    `[pattern=]flags`, where a value not starting with `-` needs a `pattern=`, the pattern may not start
 *    with a quote, and the flags are split with quoted.Split again;
 *  - -mod takes only mod, readonly or vendor (modload: "-mod=x not supported").
 * Unknown flag names are go's to judge (the set depends on the Go version); they are not checked here.
 */

/** quoted.Split, or the error text go prints ("unterminated \" string"). */
export function splitQuoted(s: string): { fields: string[] } | { error: string } {
  const fields: string[] = []
  const space = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r'
  let i = 0
  while (i < s.length) {
    while (i < s.length && space(s[i])) i++
    if (i >= s.length) break
    const c = s[i] as string
    if (c === '"' || c === "'") {
      const end = s.indexOf(c, i + 1)
      if (end < 0) return { error: `unterminated ${c} string` }
      fields.push(s.slice(i + 1, end))
      i = end + 1
      continue
    }
    let j = i
    while (j < s.length && !space(s[j])) j++
    fields.push(s.slice(i, j))
    i = j
  }
  return { fields }
}

const PER_PACKAGE = new Set(['asmflags', 'gcflags', 'gccgoflags', 'ldflags'])
const MOD_VALUES = new Set(['', 'mod', 'readonly', 'vendor'])

export interface GoFlag {
  /** As written (after quote removal), e.g. `-tags=a,b`. */
  field: string
  /** Without dashes and value, e.g. `tags`. */
  name: string
  value: string | undefined
}

/** A GOFLAGS value as go parses it, or why go refuses it (a sentence fragment naming the field). */
export function parseGoflags(value: string): { flags: GoFlag[] } | { error: string } {
  const split = splitQuoted(value)
  if ('error' in split) return { error: `it has an ${split.error} (go: "parsing $GOFLAGS: ${split.error}")` }
  const flags: GoFlag[] = []
  for (const field of split.fields) {
    if (
      !field.startsWith('-') ||
      field === '-' ||
      field === '--' ||
      field.startsWith('---') ||
      field.startsWith('-=') ||
      field.startsWith('--=')
    ) {
      return { error: `'${field}' is not a flag (go: "parsing $GOFLAGS: non-flag")` }
    }
    const body = field.replace(/^--?/, '')
    const eq = body.indexOf('=')
    const name = eq < 0 ? body : body.slice(0, eq)
    const flagValue = eq < 0 ? undefined : body.slice(eq + 1)
    const why = flagValueError(name, flagValue)
    if (why) return { error: `'${field}': ${why}` }
    flags.push({ field, name, value: flagValue })
  }
  return { flags }
}

function flagValueError(name: string, value: string | undefined): string | undefined {
  if (name === 'mod' && value !== undefined && !MOD_VALUES.has(value)) {
    return `-mod takes mod, readonly or vendor`
  }
  if (!PER_PACKAGE.has(name) || value === undefined) return undefined
  let v = value.trim()
  if (v === '') return undefined
  if (v.startsWith('"') || v.startsWith("'")) {
    // What `-ldflags="-s -w"` becomes: go splits on the space first and keeps the quote in the value.
    return `go keeps a quote inside a field, so the value is ${v}; quote the whole flag instead, e.g. "-${name}=-s -w"`
  }
  if (!v.startsWith('-')) {
    const eq = v.indexOf('=')
    if (eq < 0) return `a value not starting with '-' needs a package pattern, e.g. -${name}=all=-N`
    if (eq === 0) return `the package pattern before '=' is empty`
    if (v[0] === '"' || v[0] === "'") return `the package pattern may not start with a quote`
    v = v.slice(eq + 1)
  }
  const split = splitQuoted(v)
  return 'error' in split ? `its value has an ${split.error}` : undefined
}
