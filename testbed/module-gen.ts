/**
 * Go module generator for the offline bench.
 *
 * `generateModules()` creates N small, deterministic Go modules (same options + seed = byte-identical
 * output) with an optional dependency graph, and computes for every module@version exactly what the
 * GOPROXY protocol serves and what go.sum records:
 *
 *   - `.info`  `{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}`
 *   - `.mod`   the module's go.mod
 *   - `.zip`   the module zip (every file under `<module>@<version>/`), in the format cmd/go verifies
 *   - go.sum   `<module> <version> h1:<dirhash of the zip>` and `<module> <version>/go.mod h1:<dirhash>`
 *
 * It also writes them to disk: `<dir>/proxy/` is a complete file-based GOPROXY tree (usable as
 * `GOPROXY=file://<dir>/proxy`), `<dir>/src/<module>@<version>/` the source trees. The same source trees
 * can be turned into git repositories (`writeGitRepo`, one commit and one `vX.Y.Z` tag per version,
 * deterministic hashes) so a git server can serve the very same modules to `GOPROXY=direct`: go builds
 * the zip from the repository tree, so the go.sum lines computed here hold for both paths.
 *
 * `bumpModule()` adds a new version of one module (the "bump one module" scenario) and
 * `writeConsumerProject()` writes a project (go.mod with direct + `// indirect` requirements as go 1.17+
 * needs them, a complete go.sum, a main.go importing every direct module) that `go mod download`,
 * `go mod verify` and `go build` accept.
 *
 * Usable from jest tests and from scripts run by Node 24 directly (erasable TypeScript only).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { seededRandom } from './faults.ts'

/** A requirement line of a go.mod. */
export interface ModuleRequirement {
  path: string
  version: string
}

/** One version of one generated module, with every artefact the proxy serves. */
export interface ModuleVersion {
  path: string
  version: string
  /** RFC 3339 time of the version (the `.info` Time and the git commit date). */
  time: string
  /** The source tree at the module root: file name (slash separated) -> content. */
  files: Record<string, string>
  /** The go.mod requirements. */
  requires: ModuleRequirement[]
  /** The ModuleVersion objects of `requires` (so a consumer's graph can be walked without a lookup). */
  deps: ModuleVersion[]
  info: Buffer
  mod: Buffer
  zip: Buffer
  /** `h1:` hash of the zip (go.sum's `<path> <version> h1:...`). */
  zipHash: string
  /** `h1:` hash of go.mod (go.sum's `<path> <version>/go.mod h1:...`). */
  modHash: string
  /** The two go.sum lines (zip line first, as go writes them). */
  sumLines: [string, string]
}

/** A generated module and its versions, oldest first. */
export interface GeneratedModule {
  path: string
  /** Go package name of the module's root package. */
  packageName: string
  versions: ModuleVersion[]
}

export interface GenerateOptions {
  /** Where to write `proxy/` and `src/`. */
  dir: string
  /** How many modules (ignored when `names` is given). */
  count?: number
  /** Module path prefix: `example.com/pub` gives example.com/pub/m001, ... (default example.com/pub). */
  prefix?: string
  /** Explicit module paths (instead of prefix + count). */
  names?: string[]
  /** Version of every module (default v1.0.0). */
  version?: string
  /** Approximate total size of each module's files in bytes (default 2048; 32768 is "realistic"). */
  sizeBytes?: number
  /**
   * Dependency graph by index: `deps[i]` (or `deps(i, n)`) lists the indices module i requires (and imports).
   * Import cycles are rejected, as go build would.
   */
  deps?: number[][] | ((index: number, count: number) => number[])
  /** Seed of the filler content (default 1). */
  seed?: number
  /** The `go` line of every go.mod (default 1.19). */
  goVersion?: string
  /** Time of the first version (default 2024-01-01T00:00:00Z; module i gets +i seconds). */
  time?: string
  /** Write `proxy/` and `src/` under dir (default true). */
  write?: boolean
  /** Deflate zip entries (default true; false stores them, so the zip is as large as the sources). */
  compress?: boolean
}

const DEFAULT_TIME = '2024-01-01T00:00:00Z'
const LICENSE_TEXT = `MIT License

Copyright (c) 2024 setup-go-deps bench

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
`

/** A set of generated modules: the in-memory artefacts plus where they were written. */
export class ModuleSet {
  readonly dir: string
  readonly modules: GeneratedModule[] = []
  readonly options: Required<Omit<GenerateOptions, 'names' | 'deps' | 'count'>>
  private readonly byPath = new Map<string, GeneratedModule>()

  constructor(dir: string, options: ModuleSet['options']) {
    this.dir = dir
    this.options = options
  }

  /** The module with this path (throws when unknown). */
  module(modulePath: string): GeneratedModule {
    const m = this.byPath.get(modulePath)
    if (!m) throw new Error(`bench: unknown module ${modulePath}`)
    return m
  }

  has(modulePath: string): boolean {
    return this.byPath.has(modulePath)
  }

  /** A version of a module: `get('example.com/pub/m001', 'v1.0.0')`, `get('example.com/pub/m001@v1.0.0')`, or the latest. */
  get(ref: string, version?: string): ModuleVersion {
    let p = ref
    let v = version
    if (v === undefined && ref.includes('@')) [p, v] = ref.split('@') as [string, string]
    const m = this.module(p)
    const found = v === undefined ? latestOf(m) : m.versions.find((x) => x.version === v)
    if (!found) throw new Error(`bench: unknown version ${p}@${v}`)
    return found
  }

  /** The latest version of every module. */
  latest(): ModuleVersion[] {
    return this.modules.map(latestOf)
  }

  /** Every module@version. */
  all(): ModuleVersion[] {
    return this.modules.flatMap((m) => m.versions)
  }

  /** The file-based GOPROXY root (`GOPROXY=file://${set.proxyDir}`). */
  get proxyDir(): string {
    return path.join(this.dir, 'proxy')
  }

  /** Register a module version (used by generateModules and bumpModule). */
  add(mv: ModuleVersion, packageName: string): void {
    let m = this.byPath.get(mv.path)
    if (!m) {
      m = { path: mv.path, packageName, versions: [] }
      this.byPath.set(mv.path, m)
      this.modules.push(m)
    }
    if (m.versions.some((x) => x.version === mv.version))
      throw new Error(`bench: ${mv.path}@${mv.version} exists`)
    m.versions.push(mv)
    m.versions.sort((a, b) => compareVersions(a.version, b.version))
  }
}

export function latestOf(m: GeneratedModule): ModuleVersion {
  const v = m.versions[m.versions.length - 1]
  if (!v) throw new Error(`bench: module ${m.path} has no versions`)
  return v
}

// ---------------------------------------------------------------------------------------------------------
// Generation

/** Generate `count` modules (or `names`) into `opts.dir`. Deterministic for the same options. */
export function generateModules(opts: GenerateOptions): ModuleSet {
  const prefix = opts.prefix ?? 'example.com/pub'
  const count = opts.names ? opts.names.length : (opts.count ?? 5)
  const width = Math.max(3, String(count).length)
  const names =
    opts.names ?? Array.from({ length: count }, (_, i) => `${prefix}/m${String(i + 1).padStart(width, '0')}`)
  for (const n of names) checkModulePath(n)
  if (new Set(names).size !== names.length) throw new Error('bench: duplicate module names')
  const set = new ModuleSet(opts.dir, {
    dir: opts.dir,
    prefix,
    version: opts.version ?? 'v1.0.0',
    sizeBytes: opts.sizeBytes ?? 2048,
    seed: opts.seed ?? 1,
    goVersion: opts.goVersion ?? '1.19',
    time: opts.time ?? DEFAULT_TIME,
    write: opts.write ?? true,
    compress: opts.compress ?? true
  })
  const depsOf = (i: number): number[] => {
    const d = typeof opts.deps === 'function' ? opts.deps(i, count) : (opts.deps?.[i] ?? [])
    for (const j of d)
      if (!Number.isInteger(j) || j < 0 || j >= count || j === i)
        throw new Error(`bench: bad dependency ${i} -> ${j}`)
    return [...new Set(d)]
  }
  // Build in dependency order (a module's deps exist before it); a cycle is an import cycle: reject it.
  const order: number[] = []
  const stateOf = new Map<number, 'visiting' | 'done'>()
  const visit = (i: number, trail: number[]): void => {
    const st = stateOf.get(i)
    if (st === 'done') return
    if (st === 'visiting')
      throw new Error(`bench: dependency cycle ${[...trail, i].map((x) => names[x]).join(' -> ')}`)
    stateOf.set(i, 'visiting')
    for (const j of depsOf(i)) visit(j, [...trail, i])
    stateOf.set(i, 'done')
    order.push(i)
  }
  for (let i = 0; i < count; i++) visit(i, [])
  const baseTime = Date.parse(set.options.time)
  const built = new Map<number, ModuleVersion>()
  for (const i of order) {
    const modulePath = names[i] as string
    const deps = depsOf(i).map((j) => built.get(j) as ModuleVersion)
    const mv = buildModuleVersion({
      path: modulePath,
      version: set.options.version,
      time: new Date(baseTime + i * 1000).toISOString().replace('.000Z', 'Z'),
      deps,
      sizeBytes: set.options.sizeBytes,
      seed: set.options.seed,
      goVersion: set.options.goVersion,
      compress: set.options.compress
    })
    built.set(i, mv)
  }
  // Register in name order (stable listing), then write.
  for (let i = 0; i < count; i++) set.add(built.get(i) as ModuleVersion, packageNameOf(names[i] as string))
  if (set.options.write) for (const mv of set.all()) writeModuleVersion(set, mv)
  return set
}

export interface BumpOptions {
  /** New version (default: the latest version with the patch number + 1). */
  version?: string
  /** New requirements (default: the latest version's); `path`, `path@version` or ModuleVersion. */
  requires?: Array<string | ModuleVersion>
  /** Time of the new version (default: the latest version's time + 1 day). */
  time?: string
}

/** Add a new version of one module to the set (and to disk when the set writes). Returns it. */
export function bumpModule(set: ModuleSet, modulePath: string, opts: BumpOptions = {}): ModuleVersion {
  const m = set.module(modulePath)
  const prev = latestOf(m)
  const version = opts.version ?? nextPatch(prev.version)
  if (compareVersions(version, prev.version) <= 0)
    throw new Error(`bench: ${version} is not newer than ${prev.version}`)
  const deps = opts.requires ? opts.requires.map((r) => (typeof r === 'string' ? set.get(r) : r)) : prev.deps
  const mv = buildModuleVersion({
    path: modulePath,
    version,
    time: opts.time ?? new Date(Date.parse(prev.time) + 86400_000).toISOString().replace('.000Z', 'Z'),
    deps,
    sizeBytes: set.options.sizeBytes,
    seed: set.options.seed,
    goVersion: set.options.goVersion,
    compress: set.options.compress
  })
  set.add(mv, m.packageName)
  if (set.options.write) writeModuleVersion(set, mv)
  return mv
}

interface BuildInput {
  path: string
  version: string
  time: string
  deps: ModuleVersion[]
  sizeBytes: number
  seed: number
  goVersion: string
  compress: boolean
}

function buildModuleVersion(b: BuildInput): ModuleVersion {
  const pkg = packageNameOf(b.path)
  const requires = b.deps.map((d) => ({ path: d.path, version: d.version }))
  let gomod = `module ${b.path}\n\ngo ${b.goVersion}\n`
  if (requires.length > 0)
    gomod += `\nrequire (\n${requires.map((r) => `\t${r.path} ${r.version}\n`).join('')})\n`
  const imports = b.deps.map((d, k) => `\td${k} "${d.path}"\n`).join('')
  const code =
    `// Package ${pkg} is a generated bench module (${b.path}).\n` +
    `package ${pkg}\n\n` +
    (imports ? `import (\n${imports})\n\n` : '') +
    `// Version is the module version this file was generated for.\n` +
    `const Version = "${b.version}"\n\n` +
    `// Name returns the module path.\n` +
    `func Name() string { return "${b.path}" }\n\n` +
    `// Deps returns the names of the modules this one imports.\n` +
    `func Deps() []string { return []string{${b.deps.map((_, k) => `d${k}.Name()`).join(', ')}} }\n`
  const files: Record<string, string> = { LICENSE: LICENSE_TEXT, 'go.mod': gomod, [`${pkg}.go`]: code }
  // Filler up to sizeBytes: seeded base64 text in a raw string (compresses about as badly as real code does).
  const used = Object.values(files).reduce((n, s) => n + Buffer.byteLength(s), 0)
  const header = `package ${pkg}\n\n// filler makes the module about as large as asked.\nvar filler = \`\n`
  const want = Math.max(0, b.sizeBytes - used - header.length - 40)
  const rnd = seededRandom(hashSeed(`${b.seed}:${b.path}@${b.version}`))
  const bytes = Buffer.alloc(Math.ceil((want * 3) / 4))
  for (let k = 0; k < bytes.length; k++) bytes[k] = Math.floor(rnd() * 256)
  const text = bytes.toString('base64').slice(0, want)
  const lines = text.match(/.{1,76}/g) ?? []
  files['data.go'] =
    `${header}${lines.join('\n')}\n\`\n\n// FillerSize is len(filler).\nfunc FillerSize() int { return len(filler) }\n`
  const zip = moduleZip(b.path, b.version, files, b.compress)
  const zipHash = hashZipFiles(b.path, b.version, files)
  const modHash = hash1([['go.mod', Buffer.from(gomod)]])
  return {
    path: b.path,
    version: b.version,
    time: b.time,
    files,
    requires,
    deps: b.deps,
    info: Buffer.from(JSON.stringify({ Version: b.version, Time: b.time }) + '\n'),
    mod: Buffer.from(gomod),
    zip,
    zipHash,
    modHash,
    sumLines: [`${b.path} ${b.version} ${zipHash}`, `${b.path} ${b.version}/go.mod ${modHash}`]
  }
}

function writeModuleVersion(set: ModuleSet, mv: ModuleVersion): void {
  const vdir = path.join(set.proxyDir, escapePath(mv.path), '@v')
  fs.mkdirSync(vdir, { recursive: true })
  const ev = escapeVersion(mv.version)
  fs.writeFileSync(path.join(vdir, `${ev}.info`), mv.info)
  fs.writeFileSync(path.join(vdir, `${ev}.mod`), mv.mod)
  fs.writeFileSync(path.join(vdir, `${ev}.zip`), mv.zip)
  const versions = set.module(mv.path).versions.map((v) => v.version)
  fs.writeFileSync(path.join(vdir, 'list'), versions.join('\n') + '\n')
  writeTree(path.join(set.dir, 'src', `${mv.path}@${mv.version}`), mv.files)
}

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, ...name.split('/'))
    fs.mkdirSync(path.dirname(p), { recursive: true })
    fs.writeFileSync(p, content)
  }
}

/** Per module path, per version, its source file map (what a git server serves for that tag). */
export function sourceTrees(set: ModuleSet): Record<string, Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, Record<string, string>>> = {}
  for (const m of set.modules) {
    const perVersion: Record<string, Record<string, string>> = {}
    for (const v of m.versions) perVersion[v.version] = { ...v.files }
    out[m.path] = perVersion
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Consumer project and go.sum

export type ModuleRef = string | ModuleVersion | GeneratedModule

export interface ConsumerOptions {
  /** The consumer's module path (default example.com/consumer). */
  modulePath?: string
  /** Direct requirements: ModuleVersion, GeneratedModule (its latest), `path` or `path@version` (needs `modules`). */
  requires: ModuleRef[]
  /** Set used to resolve string references. */
  modules?: ModuleSet
  /** The `go` line (default 1.19). */
  goVersion?: string
  /** Write main.go importing every direct requirement (default true). */
  main?: boolean
  /** Write go.sum (default true). */
  goSum?: boolean
}

export interface ConsumerProject {
  dir: string
  goMod: string
  goSum: string
  /** The build list (selected version of every module in the graph), sorted by path. */
  buildList: ModuleVersion[]
  direct: ModuleVersion[]
}

export function resolveRef(ref: ModuleRef, modules?: ModuleSet): ModuleVersion {
  if (typeof ref === 'string') {
    if (!modules) throw new Error(`bench: resolving ${ref} needs the module set`)
    return modules.get(ref)
  }
  if ('versions' in ref) return latestOf(ref)
  return ref
}

/**
 * The module graph of a consumer requiring `direct`: the build list by minimal version selection (the
 * highest version of each path reachable from the requirements) and every module@version reached.
 */
export function moduleGraph(direct: ModuleVersion[]): {
  buildList: ModuleVersion[]
  reached: ModuleVersion[]
} {
  const reached = new Map<string, ModuleVersion>()
  const queue = [...direct]
  while (queue.length > 0) {
    const mv = queue.shift() as ModuleVersion
    const key = `${mv.path}@${mv.version}`
    if (reached.has(key)) continue
    reached.set(key, mv)
    queue.push(...mv.deps)
  }
  const selected = new Map<string, ModuleVersion>()
  for (const mv of reached.values()) {
    const cur = selected.get(mv.path)
    if (!cur || compareVersions(mv.version, cur.version) > 0) selected.set(mv.path, mv)
  }
  const byPath = (a: ModuleVersion, b: ModuleVersion) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : compareVersions(a.version, b.version)
  return { buildList: [...selected.values()].sort(byPath), reached: [...reached.values()].sort(byPath) }
}

/**
 * go.sum content for a consumer requiring `requires`: the zip line of every selected module and the
 * go.mod line of every module@version in the graph, sorted as cmd/go writes them.
 */
export function goSumFor(requires: ModuleRef[], modules?: ModuleSet): string {
  const { buildList, reached } = moduleGraph(requires.map((r) => resolveRef(r, modules)))
  const selected = new Set(buildList.map((m) => `${m.path}@${m.version}`))
  const lines: string[] = []
  for (const mv of reached) {
    if (selected.has(`${mv.path}@${mv.version}`)) lines.push(mv.sumLines[0])
    lines.push(mv.sumLines[1])
  }
  return lines.length ? lines.join('\n') + '\n' : ''
}

/** Write a consumer project (go.mod, go.sum, main.go) into `dir`. */
export function writeConsumerProject(dir: string, opts: ConsumerOptions): ConsumerProject {
  const modulePath = opts.modulePath ?? 'example.com/consumer'
  const requested = opts.requires.map((r) => resolveRef(r, opts.modules))
  const { buildList } = moduleGraph(requested)
  const directPaths = new Set(requested.map((r) => r.path))
  const direct = buildList.filter((m) => directPaths.has(m.path))
  const indirect = buildList.filter((m) => !directPaths.has(m.path))
  let goMod = `module ${modulePath}\n\ngo ${opts.goVersion ?? '1.19'}\n`
  if (direct.length) goMod += `\nrequire (\n${direct.map((m) => `\t${m.path} ${m.version}\n`).join('')})\n`
  if (indirect.length)
    goMod += `\nrequire (\n${indirect.map((m) => `\t${m.path} ${m.version} // indirect\n`).join('')})\n`
  const goSum = goSumFor(requested)
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'go.mod'), goMod)
  if (opts.goSum ?? true) fs.writeFileSync(path.join(dir, 'go.sum'), goSum)
  else fs.rmSync(path.join(dir, 'go.sum'), { force: true })
  if (opts.main ?? true) {
    const imports = direct.map((m, k) => `\tm${k} "${m.path}"\n`).join('')
    const main =
      `// Command consumer is a generated bench project.\npackage main\n\n` +
      `import (\n\t"fmt"\n${imports})\n\n` +
      `func main() {\n${direct.map((_, k) => `\tfmt.Println(m${k}.Name(), m${k}.Version, len(m${k}.Deps()))\n`).join('')}}\n`
    fs.writeFileSync(path.join(dir, 'main.go'), main)
  }
  return { dir, goMod, goSum, buildList, direct }
}

// ---------------------------------------------------------------------------------------------------------
// Git repositories

export interface GitRepoResult {
  /** The bare repository. */
  dir: string
  /** One commit per version, oldest first. */
  commits: Array<{ version: string; sha: string }>
}

/** Fixed identity, so the same module gives the same commit hashes on every run. */
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Bench Author',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench Author',
  GIT_COMMITTER_EMAIL: 'bench@example.com'
}

/**
 * Create a bare git repository at `dir` holding the module: one commit per version (oldest first, on
 * branch `main`) with exactly the version's files at the repository root, each tagged `vX.Y.Z`
 * (lightweight tags). Author/committer and dates are fixed (the version's time), so commit hashes are
 * deterministic. `git update-server-info` is run so dumb-HTTP serving works too.
 */
export function writeGitRepo(module: GeneratedModule, dir: string): GitRepoResult {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-git-work-'))
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: work,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
    ...GIT_IDENTITY
  }
  const git = (args: string[], cwd: string, env: NodeJS.ProcessEnv = baseEnv) =>
    execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  try {
    git(['init', '-q', '-b', 'main', '.'], work)
    const commits: GitRepoResult['commits'] = []
    for (const mv of module.versions) {
      for (const entry of fs.readdirSync(work))
        if (entry !== '.git') fs.rmSync(path.join(work, entry), { recursive: true })
      writeTree(work, mv.files)
      git(['add', '-A'], work)
      const date = `${mv.time.replace('Z', '')} +0000`
      const env = { ...baseEnv, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }
      git(['commit', '-q', '--no-gpg-sign', '-m', `${module.path} ${mv.version}`], work, env)
      git(['tag', mv.version], work)
      commits.push({ version: mv.version, sha: git(['rev-parse', 'HEAD'], work) })
    }
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(path.dirname(dir), { recursive: true })
    git(['clone', '-q', '--bare', '--no-local', work, dir], os.tmpdir())
    git(['update-server-info'], dir)
    return { dir, commits }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}

/** Write bare repositories for every module of the set under `root` at `<root>/<module path>.git`. */
export function writeGitRepos(set: ModuleSet, root: string): Record<string, GitRepoResult> {
  const out: Record<string, GitRepoResult> = {}
  for (const m of set.modules) out[m.path] = writeGitRepo(m, path.join(root, ...m.path.split('/')) + '.git')
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Module zip and dirhash

/** The module zip: every file under `<module>@<version>/`, sorted by name (as cmd/go creates them). */
export function moduleZip(
  modulePath: string,
  version: string,
  files: Record<string, string>,
  compress = true
): Buffer {
  const prefix = `${modulePath}@${version}/`
  const entries = Object.keys(files)
    .sort()
    .map((name) => ({ name: prefix + name, data: Buffer.from(files[name] as string) }))
  return writeZip(entries, compress)
}

/** Go's dirhash Hash1: "h1:" + base64(sha256 of the sorted lines "<hex sha256(file)>  <name>\n"). */
export function hash1(files: Array<[name: string, data: Buffer]>): string {
  const lines = files
    .map(([name, data]) => {
      if (name.includes('\n')) throw new Error('dirhash: filenames with newlines are not supported')
      return { name, line: `${createHash('sha256').update(data).digest('hex')}  ${name}\n` }
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const h = createHash('sha256')
  for (const l of lines) h.update(l.line)
  return 'h1:' + h.digest('base64')
}

/** The go.sum hash of a module's zip (dirhash.HashZip: names include the `<module>@<version>/` prefix). */
export function hashZipFiles(modulePath: string, version: string, files: Record<string, string>): string {
  const prefix = `${modulePath}@${version}/`
  return hash1(Object.entries(files).map(([n, c]) => [prefix + n, Buffer.from(c)]))
}

/** The go.sum hash of a go.mod file. */
export function hashGoMod(gomod: string | Buffer): string {
  return hash1([['go.mod', Buffer.from(gomod)]])
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

export function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (let i = 0; i < buf.length; i++) c = (CRC_TABLE[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/**
 * A minimal zip writer (local headers, central directory, end record; deflate or store; no zip64).
 * Hand-written rather than the `zip` CLI because it is byte-for-byte deterministic (fixed DOS time
 * 1980-01-01, fixed attributes, sorted entries), needs no temporary tree on disk and no extra package;
 * cmd/go only requires a well-formed zip with every name under the module prefix, no directories needed.
 */
export function writeZip(entries: Array<{ name: string; data: Buffer }>, compress = true): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  const DOS_TIME = 0
  const DOS_DATE = (0 << 9) | (1 << 5) | 1 // 1980-01-01
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8')
    const crc = crc32(e.data)
    const deflated = compress ? zlib.deflateRawSync(e.data, { level: 6 }) : e.data
    const useDeflate = compress && deflated.length < e.data.length
    const body = useDeflate ? deflated : e.data
    const method = useDeflate ? 8 : 0
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed
    local.writeUInt16LE(0x0800, 6) // flags: UTF-8 names
    local.writeUInt16LE(method, 8)
    local.writeUInt16LE(DOS_TIME, 10)
    local.writeUInt16LE(DOS_DATE, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(e.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    locals.push(local, name, body)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(0x0314, 4) // made by: unix, 2.0
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt16LE(DOS_TIME, 12)
    central.writeUInt16LE(DOS_DATE, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(e.data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt16LE(0, 30) // extra
    central.writeUInt16LE(0, 32) // comment
    central.writeUInt16LE(0, 34) // disk
    central.writeUInt16LE(0, 36) // internal attrs
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38) // external attrs: regular file 0644
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)
    offset += 30 + name.length + body.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(0, 4)
  end.writeUInt16LE(0, 6)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  end.writeUInt16LE(0, 20)
  return Buffer.concat([...locals, cd, end])
}

// ---------------------------------------------------------------------------------------------------------
// Paths and versions

/** Go's module path case-escaping: every uppercase letter becomes `!` + its lowercase. */
export function escapePath(p: string): string {
  if (p.includes('!')) throw new Error(`bench: invalid module path ${p}`)
  return p.replace(/[A-Z]/g, (c) => '!' + c.toLowerCase())
}

/** Inverse of escapePath; undefined when the escaped form is invalid (uppercase, `!` not before a-z). */
export function unescapePath(e: string): string | undefined {
  if (/[A-Z]/.test(e)) return undefined
  let bad = false
  const out = e.replace(/!(.?)/g, (_, c: string) => {
    if (!/^[a-z]$/.test(c)) bad = true
    return c.toUpperCase()
  })
  return bad ? undefined : out
}

export const escapeVersion = escapePath
export const unescapeVersion = unescapePath

const SEMVER = /^v(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/

export function isSemver(v: string): boolean {
  return SEMVER.test(v)
}

/** Semver order of Go versions (v1.2.3, v1.2.3-pre); throws on a non-semver string. */
export function compareVersions(a: string, b: string): number {
  const ma = SEMVER.exec(a)
  const mb = SEMVER.exec(b)
  if (!ma || !mb) throw new Error(`bench: not a semantic version: ${ma ? b : a}`)
  for (let i = 1; i <= 3; i++) {
    const d = Number(ma[i]) - Number(mb[i])
    if (d !== 0) return Math.sign(d)
  }
  const pa = ma[4]
  const pb = mb[4]
  if (pa === pb) return 0
  if (pa === undefined) return 1
  if (pb === undefined) return -1
  const xa = pa.split('.')
  const xb = pb.split('.')
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const s = xa[i]
    const t = xb[i]
    if (s === undefined) return -1
    if (t === undefined) return 1
    if (s === t) continue
    const ns = /^\d+$/.test(s)
    const nt = /^\d+$/.test(t)
    if (ns && nt) return Math.sign(Number(s) - Number(t))
    if (ns) return -1
    if (nt) return 1
    return s < t ? -1 : 1
  }
  return 0
}

export function nextPatch(v: string): string {
  const m = SEMVER.exec(v)
  if (!m) throw new Error(`bench: not a semantic version: ${v}`)
  return `v${m[1]}.${m[2]}.${Number(m[3]) + 1}`
}

function checkModulePath(p: string): void {
  if (!/^[A-Za-z0-9.-]+\.[A-Za-z]+(\/[A-Za-z0-9._~-]+)+$/.test(p))
    throw new Error(`bench: invalid module path ${p}`)
}

/** The package name of a module's root package: its last element (skipping a /vN suffix), as an identifier. */
export function packageNameOf(modulePath: string): string {
  const parts = modulePath.split('/')
  let last = parts[parts.length - 1] as string
  if (/^v\d+$/.test(last) && parts.length > 2) last = parts[parts.length - 2] as string
  let id = last.toLowerCase().replace(/[^a-z0-9_]/g, '')
  if (!/^[a-z_]/.test(id)) id = 'm' + id
  return GO_KEYWORDS.has(id) || id === 'main' ? id + 'pkg' : id
}

const GO_KEYWORDS = new Set(
  'break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var'.split(
    ' '
  )
)

function hashSeed(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32LE(0)
}
