/**
 * Pure: go.sum (and go.work.sum) read line by line and checked before anything of it reaches go.
 *
 * Every line must be `<module path> <version>[/go.mod] h1:<hash>` (https://go.dev/ref/mod#go-sum-files).
 * A line that is not is refused with its file and line: go itself reads some such lines wrongly or not at
 * all. A path starting with `-` would be an option on go's command line; a zip line whose `h1:` hash is
 * garbled fails later as a misleading "checksum mismatch"; a hash go does not know (`h2:`) is skipped by
 * go with a warning, and the build that follows fails with "missing go.sum entry".
 *
 * The path rules are golang.org/x/mod/module.CheckPath's (hand-written: there is no JavaScript port):
 * elements of ASCII letters, digits and `-._~`, none empty, `.` or `..`, none starting or ending with a
 * dot; the first element (the host) lower case with a dot in it, not starting with `-`. Versions must be
 * canonical semver with a `v` (what go writes), `+incompatible` the only build suffix.
 *
 * The download (download/roots.ts) reads its module list from here and refuses the problem lines before go
 * runs (download/run.ts). Both read the lines through go/modfiles.ts goSumLines, the one go.sum splitter
 * (cache/integrity.ts reads the hashes through its parseGoSum).
 */
import semver from 'semver'
import { goSumLines } from './modfiles.js'

export interface SumProblem {
  /** 1-based. */
  line: number
  /** The line as written. */
  text: string
  /** Why it is refused: a sentence fragment after "go.sum:3: ". */
  why: string
}

/** Why `p` is not a module path go could download, or undefined when it is one. */
export function modulePathProblem(p: string): string | undefined {
  if (p === '') return 'the module path is empty'
  if (p.startsWith('-')) return `the module path '${p}' starts with '-' (go would read it as an option)`
  const bad = /[^A-Za-z0-9._~/-]/.exec(p)
  if (bad) return `the module path '${p}' has the character '${bad[0]}', which module paths never contain`
  const elems = p.split('/')
  for (const e of elems) {
    if (e === '') return `the module path '${p}' has an empty element (a leading, trailing or double '/')`
    if (e === '.' || e === '..') return `the module path '${p}' has a '${e}' element`
    if (e.startsWith('.') || e.endsWith('.'))
      return `the module path '${p}' has an element starting or ending with a dot ('${e}')`
  }
  const host = elems[0] as string
  if (!host.includes('.')) return `the module path '${p}' has no dot in its first element (the host)`
  if (/[^a-z0-9.-]/.test(host)) return `the first element of the module path '${p}' is not lower case`
  return undefined
}

/** Why `v` is not a canonical module version, or undefined when it is one. */
export function versionProblem(v: string): string | undefined {
  const core = v.replace(/\+incompatible$/, '')
  const bare = core.slice(1)
  if (!core.startsWith('v') || bare.includes('+') || semver.valid(bare) !== bare)
    return `the version '${v}' is not a canonical semantic version (like v1.2.3)`
  return undefined
}

/** An `h1:` hash is base64 of a SHA-256: 43 characters and one `=`. */
const H1 = /^h1:[A-Za-z0-9+/]{43}=$/

export interface GoSum {
  /** The module versions whose zips the file lists (valid lines only). */
  modules: Array<{ path: string; version: string }>
  problems: SumProblem[]
}

/** Read a go.sum: the zip lines' modules, and every line go would misread. */
export function readGoSum(text: string): GoSum {
  const modules: GoSum['modules'] = []
  const problems: SumProblem[] = []
  const hashed = new Set<string>()
  const unknownHash: Array<{ key: string; problem: SumProblem }> = []
  for (const { line, text: written, fields } of goSumLines(text)) {
    const problem = (why: string): void => void problems.push({ line, text: written, why })
    if (fields.length !== 3) {
      problem(`has ${fields.length} field(s); a go.sum line is '<module> <version>[/go.mod] h1:<hash>'`)
      continue
    }
    const [path, versionField, hash] = fields as [string, string, string]
    const version = versionField.replace(/\/go\.mod$/, '')
    const why = modulePathProblem(path) ?? versionProblem(version)
    if (why) {
      problem(why)
    } else if (hash.startsWith('h1:')) {
      if (!H1.test(hash)) {
        problem(`the hash '${hash}' is not a valid h1: hash ('h1:' and 44 characters of base64)`)
        continue
      }
      hashed.add(`${path} ${versionField}`)
      if (versionField === version) modules.push({ path, version })
    } else {
      unknownHash.push({
        key: `${path} ${versionField}`,
        problem: {
          line,
          text: written,
          why: `the hash '${hash}' is not an h1: hash; go ignores it, and a later build fails with 'missing go.sum entry'`
        }
      })
    }
  }
  for (const u of unknownHash) if (!hashed.has(u.key)) problems.push(u.problem)
  problems.sort((a, b) => a.line - b.line)
  return { modules, problems }
}
