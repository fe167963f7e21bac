/**
 * Where a failure belongs in the user's files: the go.mod `require` line of a module that could not be
 * downloaded, the go.sum line of a checksum mismatch, the `go` line a toolchain requirement comes from.
 * Pure: the caller reads the files (go.mod, go.sum, go.work, go.work.sum, paths relative to the workspace
 * so GitHub can place the annotation) and passes their text; the result goes to
 * `core.error(message, {file, startLine, title})`.
 * go.mod and go.work lines come from go/gomod.ts, go.sum lines from go/sumcheck.ts, with their line numbers.
 */
import { parseGoModFile } from './go/gomod.js'
import { splitModule } from './go/modfiles.js'
import { goSumLines } from './go/modfiles.js'
import type { Diagnosis } from './types.js'

export interface GoFileText {
  /** Workspace-relative path, e.g. `go.mod` or `services/api/go.sum`. */
  path: string
  text: string
}

export interface AnnotationTarget {
  file: string
  /** 1-based. */
  startLine: number
  title: string
  message: string
}

type FileKind = 'go.mod' | 'go.work' | 'go.sum'

function kindOf(path: string): FileKind | undefined {
  const base = path.split(/[\\/]/).pop() ?? ''
  if (base === 'go.mod') return 'go.mod'
  if (base === 'go.work') return 'go.work'
  if (base === 'go.sum' || base === 'go.work.sum') return 'go.sum'
  return undefined
}

interface Located {
  file: string
  line: number
}

function findRequire(
  files: GoFileText[],
  path: string,
  version: string,
  exactVersion: boolean
): Located | undefined {
  for (const f of files) {
    if (kindOf(f.path) !== 'go.mod') continue
    const hit = parseGoModFile(f.text).requires.find(
      (r) => r.path === path && (!exactVersion || r.version === version)
    )
    if (hit) return { file: f.path, line: hit.line }
  }
  return undefined
}

/** A `replace old [v] => new [v]` line whose new side (what go really downloads) is the module. */
function findReplacement(files: GoFileText[], path: string, version: string): Located | undefined {
  for (const f of files) {
    const kind = kindOf(f.path)
    if (kind !== 'go.mod' && kind !== 'go.work') continue
    const hit = parseGoModFile(f.text).replaces.find((r) => r.to.path === path && r.to.version === version)
    if (hit) return { file: f.path, line: hit.line }
  }
  return undefined
}

/**
 * The go.sum line for the module: `path version h1:...` (the zip) or `path version/go.mod h1:...`.
 * `goModLine` picks the second; when the preferred one is absent the other is taken.
 */
function findSum(
  files: GoFileText[],
  path: string,
  version: string,
  goModLine: boolean
): Located | undefined {
  const wanted = goModLine ? `${version}/go.mod` : version
  const other = goModLine ? version : `${version}/go.mod`
  for (const want of [wanted, other]) {
    for (const f of files) {
      if (kindOf(f.path) !== 'go.sum') continue
      const hit = goSumLines(f.text).find(({ fields }) => fields[0] === path && fields[1] === want)
      if (hit) return { file: f.path, line: hit.line }
    }
  }
  return undefined
}

/** `go.mod requires go >= 1.23`: the main module's own `go` line (or `toolchain`) is the cause. */
function findGoDirective(files: GoFileText[], evidence: string): Located | undefined {
  const m = /(\S*go\.(?:mod|work)) requires go >= /.exec(evidence)
  if (!m) return undefined
  const f = bestMatch(m[1] as string, files)
  const hit = f ? parseGoModFile(f.text).go : undefined
  return f && hit ? { file: f.path, line: hit.line } : undefined
}

/** go prints absolute paths (`/home/runner/work/r/r/go.mod:7: ...`); match them to workspace-relative ones. */
function pathMatches(printed: string, relative: string): boolean {
  const a = printed.replace(/\\/g, '/')
  const b = relative.replace(/\\/g, '/').replace(/^\.\//, '')
  return a === b || a.endsWith(`/${b}`)
}

/** The given file a printed path names; the longest match wins (`/w/r/api/go.mod` is `api/go.mod`, not `go.mod`). */
function bestMatch(printed: string, files: GoFileText[]): GoFileText | undefined {
  const kind = kindOf(printed)
  return files
    .filter((f) => kind !== undefined && kindOf(f.path) === kind && pathMatches(printed, f.path))
    .sort((a, b) => b.path.length - a.path.length)[0]
}

/** `<file>:<line>: message`, as go prints errors in go.mod/go.work/go.sum (e.g. `unknown directive`). */
function findPrinted(files: GoFileText[], evidence: string): Located | undefined {
  const re = /(\S+?\.(?:mod|work|sum)):(\d+)(?::\d+)?:/g
  for (const m of evidence.matchAll(re)) {
    const printed = m[1] as string
    const f = bestMatch(printed, files)
    if (f) return { file: f.path, line: Number(m[2]) }
  }
  return undefined
}

const TITLES: Record<Diagnosis['errorClass'], string> = {
  network: 'network error',
  proxy: 'module proxy error',
  git: 'git error',
  auth: 'authentication failed',
  'not-found': 'module version not found',
  checksum: 'checksum mismatch',
  'cache-corrupt': 'corrupt module cache',
  config: 'Go configuration error',
  timeout: 'download timed out',
  unknown: 'download failed'
}

/**
 * Where to annotate a failure, or undefined when it belongs to no line of the given files (the caller
 * then reports it without a location).
 *
 * - `checksum`: the go.sum line that disagrees (the `/go.mod` line when go says so), else the require line.
 * - a module failure: its `require` line (exact version first, then any version: go may have selected a
 *   higher one than the go.mod lists), or the `replace` line that points at it, else its go.sum line.
 * - no module: a `file:line:` go printed in the evidence, or the `go` line behind `requires go >=`.
 * A diagnosis that carries its `file` and `line` is placed there, before all of the above.
 */
export function annotationTarget(diagnosis: Diagnosis, files: GoFileText[]): AnnotationTarget | undefined {
  const where = locate(diagnosis, files)
  if (!where) return undefined
  const subject = diagnosis.module ? `: ${diagnosis.module}` : ''
  return {
    file: where.file,
    startLine: where.line,
    title: `${TITLES[diagnosis.errorClass]}${subject}`,
    message: [diagnosis.cause, diagnosis.hint].filter((s) => s.trim() !== '').join(' ')
  }
}

function locate(d: Diagnosis, files: GoFileText[]): Located | undefined {
  // The download knew the exact line (a go.mod go could not parse, a refused go.sum line).
  const exact = d.file !== undefined && d.line !== undefined ? bestMatch(d.file, files) : undefined
  if (exact) return { file: exact.path, line: d.line as number }
  const mod = d.module ? splitModule(d.module) : undefined
  if (mod) {
    const { path, version } = mod
    if (d.errorClass === 'checksum') {
      const goModLine = d.evidence.includes(`${d.module}/go.mod`)
      return findSum(files, path, version, goModLine) ?? findRequire(files, path, version, false)
    }
    return (
      findRequire(files, path, version, true) ??
      findReplacement(files, path, version) ??
      findRequire(files, path, version, false) ??
      findSum(files, path, version, false)
    )
  }
  return findPrinted(files, d.evidence) ?? findGoDirective(files, d.evidence)
}
