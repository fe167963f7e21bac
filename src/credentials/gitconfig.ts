/**
 * Pure: the private git config file every git-based credential kind writes into (https headers from
 * http.ts, ssh routes from ssh.ts), and the variables that make git include it only for go's module
 * fetches.
 */
import { InputError } from '../input-error.js'

/**
 * Prefix of the private directory (private-dir.ts) that holds the credential files: here because the
 * include an earlier use of this action exported is recognised by it (onlyOurIncludes).
 */
export const DIR_PREFIX = 'setup-go-deps-auth-'

export interface GitConfigEntry {
  /** `section.subsection.name`, e.g. `http.https://github.com/acme/.extraheader`. */
  key: string
  value: string
}

/**
 * The git config file body. Hand-written because the alternative, `git config --file f --add key value`,
 * would put the token in argv; git has no stdin mode for values. Values are always quoted (so `#`, `;`
 * and spaces survive) with `\` and `"` escaped.
 */
export function serializeGitConfig(entries: readonly GitConfigEntry[]): string {
  const lines = ['# Written by setup-go-deps for Go module downloads; its post step deletes this file.']
  for (const { key, value } of entries) {
    const first = key.indexOf('.')
    const last = key.lastIndexOf('.')
    if (first <= 0 || last === key.length - 1) throw new Error(`invalid git config key: ${key}`)
    const section = key.slice(0, first)
    const name = key.slice(last + 1)
    const sub = first === last ? undefined : key.slice(first + 1, last)
    lines.push(sub === undefined ? `[${section}]` : `[${section} "${quote(sub)}"]`)
    lines.push(`\t${name} = "${quote(value)}"`)
  }
  return `${lines.join('\n')}\n`
}

function quote(s: string): string {
  if (/[\n\r\0]/.test(s)) throw new Error('a git config value cannot hold a line break')
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
}

/** Escape a path for a git `gitdir:` pattern (wildmatch): `\ * ? [` are special. */
export function gitdirPattern(dir: string): string {
  const slashed = dir.replace(/\\/g, '/').replace(/\/+$/, '')
  return `${slashed.replace(/[*?[]/g, '\\$&')}/`
}

/** One `'key'='value'` (or `'key=value'`, git < 2.31) entry of GIT_CONFIG_PARAMETERS, sq-quoted. */
const SQ = "'((?:[^']|'\\\\[!']')*)'"
const PARAMETER = new RegExp(`^${SQ}(?:=${SQ})?(?:\\s+|$)`)

/** git's sq_dequote of one quoted run. */
const unsq = (s: string) => s.replace(/'\\([!'])'/g, '$1')

/**
 * Whether GIT_CONFIG_PARAMETERS holds only the includes an earlier use of this action exported: each an
 * `includeIf.gitdir[/i]:<...>.path` naming the `gitconfig` file of one of its private directories.
 */
export function onlyOurIncludes(value: string): boolean {
  let rest = value.trim()
  while (rest !== '') {
    const m = PARAMETER.exec(rest)
    if (!m) return false
    rest = rest.slice(m[0].length)
    const key = unsq(m[1] as string)
    const file = m[2] === undefined ? undefined : unsq(m[2])
    if (!/^includeIf\.gitdir(?:\/i)?:.+\.path$/.test(key) || file === undefined) return false
    if (!new RegExp(`[\\\\/]${DIR_PREFIX}[^\\\\/]+[\\\\/]gitconfig$`).test(file)) return false
  }
  return true
}

/** git's sq_quote: single quotes, with `'` and `!` spelled as git's sq_dequote reads them back. */
function sq(s: string): string {
  return `'${s.replace(/'/g, "'\\''").replace(/!/g, "'\\!'")}'`
}

/**
 * The variable to export so git includes our file: GIT_CONFIG_PARAMETERS, where git keeps `git -c` values
 * for its child processes (`'key'='value'` entries, git >= 2.31, the version GIT_CONFIG_COUNT needs too).
 * Not the GIT_CONFIG_COUNT/KEY_n/VALUE_n numbering: appending to it means exporting the count, and a count
 * for later steps must come with the entries below it, so the entries of this step would have to be
 * exported for the whole job; entries set only on this step (step-level `env:`, possibly a secret header)
 * would reach GITHUB_ENV. Kept apart, the workflow's numbering is never touched or re-exported.
 *
 * The include is conditional (`includeIf.gitdir:<GOMODCACHE>/cache/vcs/`): cmd/go runs every git command of a
 * module download in its own bare repository there (cmd/go/internal/modfetch/codehost/git.go runs git with
 * cmd.Dir = the cache dir). So the token and the rewrites apply to go's module fetches only, in this and
 * later steps, and never to the workspace repository: a later `git push` keeps using actions/checkout's
 * credentials, and checkout's extraheader (local config) never meets ours.
 */
export function planGitConfigEnv(
  env: Readonly<Record<string, string | undefined>>,
  includes: readonly { gitdir: string }[],
  file: string,
  caseInsensitive = false
): Record<string, string> {
  const existing = (env.GIT_CONFIG_PARAMETERS ?? '').trim()
  // An earlier use of this action in the job exported its own include: replaced, not added to (two
  // includes of one scope would send two Authorization headers), so later steps get this use's
  // credentials; each use's post step removes its own directory. Anything else there is refused: adding
  // to it would export those values (a `git -c` secret, say) for the whole job.
  if (existing !== '' && !onlyOurIncludes(existing)) {
    throw new InputError(
      'GIT_CONFIG_PARAMETERS',
      "GIT_CONFIG_PARAMETERS (git's internal variable for `git -c` values) is set in this step's environment; this action adds its git config there and would have to export yours with it for the whole job. Remove it from the workflow's env and use GIT_CONFIG_COUNT/GIT_CONFIG_KEY_<n>/GIT_CONFIG_VALUE_<n> instead."
    )
  }
  const kind = caseInsensitive ? 'gitdir/i' : 'gitdir'
  const unique = [...new Set(includes.map((i) => gitdirPattern(i.gitdir)))]
  const entries = unique.map((pattern) => `${sq(`includeIf.${kind}:${pattern}.path`)}=${sq(file)}`)
  return { GIT_CONFIG_PARAMETERS: entries.join(' ') }
}
