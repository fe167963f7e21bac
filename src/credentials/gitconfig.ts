/**
 * Pure: the private git config file every git-based credential kind writes into (https headers from
 * http.ts, ssh routes from ssh.ts), and the variables that make git include it only for go's module
 * fetches.
 */

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

/**
 * The GIT_CONFIG_* variables to export so git includes our file, appended after any entries already in the
 * environment. The existing entries are exported again with the new count: a count exported for later steps
 * whose keys were set only on this step (step-level `env:`) would make every later git command fail with
 * "missing config key GIT_CONFIG_KEY_0".
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
  const raw = (env.GIT_CONFIG_COUNT ?? '').trim()
  if (raw !== '' && !/^\d+$/.test(raw)) {
    throw new Error(
      `GIT_CONFIG_COUNT is '${raw}', which git refuses ("bogus count"); fix or unset it in the workflow.`
    )
  }
  const count = raw === '' ? 0 : Number(raw)
  const out: Record<string, string> = {}
  for (let i = 0; i < count; i++) {
    const key = env[`GIT_CONFIG_KEY_${i}`]
    if (key === undefined) {
      throw new Error(
        `GIT_CONFIG_COUNT is ${count} but GIT_CONFIG_KEY_${i} is not set; git refuses that ("missing config key"). Fix the workflow's GIT_CONFIG_* variables.`
      )
    }
    out[`GIT_CONFIG_KEY_${i}`] = key
    out[`GIT_CONFIG_VALUE_${i}`] = env[`GIT_CONFIG_VALUE_${i}`] ?? ''
  }
  const kind = caseInsensitive ? 'gitdir/i' : 'gitdir'
  const unique = [...new Set(includes.map((i) => gitdirPattern(i.gitdir)))]
  unique.forEach((pattern, n) => {
    out[`GIT_CONFIG_KEY_${count + n}`] = `includeIf.${kind}:${pattern}.path`
    out[`GIT_CONFIG_VALUE_${count + n}`] = file
  })
  out.GIT_CONFIG_COUNT = String(count + unique.length)
  return out
}
