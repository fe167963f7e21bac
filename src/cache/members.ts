/**
 * What a restored cache archive may hold, decided on tar's own listing of it before tar extracts it.
 *
 * @actions/cache extracts with `tar -P` (`--absolute-names`) into the workspace: its member names are
 * relative to the workspace and lead out of it (`../../../go/pkg/mod/...`), so tar is told to keep
 * absolute names and `..`. An entry written by a job that ran untrusted code can therefore put files
 * anywhere the runner's user can write (the workspace's sources, the tool cache's Go, `~/.gitconfig`), or
 * a symbolic link that later members are written through, before anything could look at what it restored.
 * An entry this action saved holds only directories and regular files under the paths it archived, so
 * anything else refuses the whole entry.
 *
 * Pure: the listing is `tar -tv --quoting-style=c --numeric-owner -P` in the C locale (archive.ts), which
 * prints each name the way tar will use it when extracting.
 */
import path from 'node:path'

export interface Member {
  /** The first character of tar's mode column: `-` file, `d` directory, `l` symlink, `h` hard link, ... */
  type: string
  /** The rest of the mode column, e.g. `rwxr-xr-x`. */
  mode: string
  name: string
}

/** An archived path as a member name, and whether it adds (a pattern) or removes (a `!` pattern). */
export interface MemberRoot {
  name: string
  include: boolean
}

/**
 * The member names @actions/cache gives the archived patterns: relative to the workspace (GITHUB_WORKSPACE,
 * else the cwd), `/`-separated, as its resolvePaths writes them. A pattern's trailing `/*` names its
 * directory's entries, so the directory is the root; a `!` pattern removes what is below it.
 */
export function memberRoots(
  patterns: readonly string[],
  workspace: string,
  platform: NodeJS.Platform = process.platform
): MemberRoot[] {
  const p = platform === 'win32' ? path.win32 : path.posix
  return patterns.map((x) => {
    const include = !x.startsWith('!')
    const dir = x.replace(/^!/, '').replace(/[\\/]\*$/, '')
    return { name: p.relative(workspace, dir).replace(/\\/g, '/') || '.', include }
  })
}

/** One line of the listing, or undefined when it is not in the expected form. */
export function parseListingLine(line: string): Member | undefined {
  // <mode> <uid>/<gid> <size or major,minor> <date> <time> "<name>"[ -> "<target>" | link to "<target>"]
  const m = /^(\S)(\S{9})\S*\s+\d+\/\d+\s+\S+\s+\S+\s+\S+\s+"((?:[^"\\]|\\.)*)"/.exec(line)
  if (!m) return undefined
  return { type: m[1] as string, mode: m[2] as string, name: unquoteC(m[3] as string) }
}

/** GNU tar's `c` quoting: backslash escapes and octal bytes (names are UTF-8). */
export function unquoteC(s: string): string {
  // Under LC_ALL=C tar escapes every byte that is not printable ASCII, so a name without a backslash is
  // already the name: most of them, and the byte-by-byte path below cost 15 ms of a 100-module listing.
  if (!s.includes('\\')) return s
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 }
  const bytes: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string
    if (c !== '\\') {
      bytes.push(...Buffer.from(c))
      continue
    }
    const next = s[++i] ?? ''
    const octal = /^[0-7]{1,3}/.exec(s.slice(i))
    if (octal) {
      bytes.push(parseInt(octal[0], 8))
      i += octal[0].length - 1
    } else bytes.push(simple[next] ?? next.charCodeAt(0))
  }
  return Buffer.from(bytes).toString('utf8')
}

/**
 * Why the archive may not be extracted, or undefined when every member is a directory or a regular file
 * inside the archived paths: at or under a root whose longest match is not a `!` root, with no `.`, `..`
 * or empty element, no backslash or control character below it (nor a colon on Windows).
 */
export function memberProblem(
  listing: string,
  roots: readonly MemberRoot[],
  platform: NodeJS.Platform = process.platform
): string | undefined {
  const fold = platform === 'win32' ? (s: string) => s.toLowerCase() : (s: string) => s
  // A colon is a drive or a data stream on Windows only (a checksum database named host:port is a
  // directory of that name elsewhere).
  // eslint-disable-next-line no-control-regex
  const forbidden = platform === 'win32' ? /[\\:\x00-\x1f\x7f]/ : /[\\\x00-\x1f\x7f]/
  const folded = roots.map((r) => ({ ...r, name: fold(r.name) }))
  const shownRoots = roots.filter((r) => r.include).map((r) => JSON.stringify(r.name))
  let members = 0
  for (const line of listing.split('\n')) {
    if (line === '') continue
    const member = parseListingLine(line)
    if (!member) return `tar listed a line this action cannot read: ${JSON.stringify(line.slice(0, 200))}`
    members++
    const shown = JSON.stringify(member.name)
    if (member.type !== '-' && member.type !== 'd')
      return `it holds ${kindOf(member.type)} ${shown}; an entry this action saves holds only files and directories`
    // Unreadable for the runner's user once extracted (tar sets a directory's mode after its contents):
    // the content check could not read it, and every later restore of the entry would fail the same way.
    const readable = member.mode[0] === 'r' && (member.type !== 'd' || /[xst]/.test(member.mode[2] ?? ''))
    if (!readable)
      return `it holds ${shown} with mode ${member.type}${member.mode}, which its owner cannot ${member.type === 'd' ? 'list' : 'read'}`
    const name = fold(member.name).replace(/\/$/, '')
    const matches = folded.filter((r) => name === r.name || name.startsWith(`${r.name}/`))
    const longest = matches.sort((a, b) => b.name.length - a.name.length)[0]
    const rest = longest ? name.slice(longest.name.length + 1) : ''
    const clean =
      rest === '' || rest.split('/').every((e) => e !== '' && e !== '.' && e !== '..' && !forbidden.test(e))
    const inside = longest?.include && clean && (rest !== '' || member.type === 'd')
    if (!inside) return `it holds ${shown}, which is not inside ${shownRoots.join(' or ')}`
  }
  return members === 0 ? 'tar listed no members' : undefined
}

function kindOf(type: string): string {
  const kinds: Record<string, string> = {
    l: 'a symbolic link',
    h: 'a hard link',
    c: 'a character device',
    b: 'a block device',
    p: 'a FIFO',
    s: 'a socket'
  }
  return kinds[type] ?? `a member of tar type '${type}'`
}
