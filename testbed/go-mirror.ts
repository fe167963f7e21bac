/**
 * A Go download mirror on loopback, like https://go.dev/dl: serves `go<ver>.<os>-<arch>.tar.gz` archives
 * (a `go/` top directory, as go.dev's) built from the Go installed on this machine, `<file>.sha256`, and
 * the `?mode=json&include=all` listing with sha256 and size. Paths are served both at `/` (for
 * `go-download-base-url: <url>`) and under `/dl/` (so testbed/mitm.ts can route https://go.dev/dl/ here).
 *
 * Two kinds of versions, each listed for the linux/darwin/windows x amd64/arm64/386/armv6l archives go.dev
 * publishes, with the archive for this machine's platform served (the others answer 404):
 * - real toolchains: the local Go (`mirror.goVersion`, e.g. 1.26.8) and each of `toolchains` (other
 *   real archives, e.g. Go 1.27.3 from testbed/toolchains.ts), each served with its own bytes and sha256,
 *   so `go version` of what is installed is what was listed;
 * - stand-ins (`versions: ['1.26.7', '1.28rc1']`): the local tree relabelled, for resolution and
 *   request-log tests only. Their `go version` reports the local version, which the installer warns about:
 *   never assert on the installed binary of a stand-in.
 *
 * The archive is built once per machine and kept in the temp dir (`buildGoArchive`): about 3 s and 40 MB
 * for the default 'minimal' variant (bin/, pkg/tool/, pkg/include/, VERSION: enough for go version, go
 * env, go mod download and go list -m), more for 'full' (the whole GOROOT incl. src/ and the
 * precompiled standard library, for go build). Built into a unique temp name and renamed, so parallel
 * jest workers do not see half an archive.
 *
 * Faults (testbed/server.ts): `mirror.faults.add({ path: '.tar.gz', fault: { kind: 'status', status: 502 }, firstN: 1 })`.
 * Wrong checksums: `mirror.setListedSha256(filename, '00...')`. Requests: `mirror.archiveRequests()`.
 */
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { RequestRecord } from './faults.ts'
import { type BenchServer, startServer } from './server.ts'

export type GoArchiveVariant = 'minimal' | 'full'

export interface GoArchive {
  path: string
  sha256: string
  size: number
  /** What the archive's `go version` reports, without the `go` prefix (e.g. 1.19.8). */
  goVersion: string
  /** This machine's platform in go.dev's naming, e.g. linux-amd64. */
  os: string
  arch: string
}

export interface ListingFile {
  filename: string
  os: string
  arch: string
  version: string
  sha256: string
  size: number
  kind: 'archive' | 'installer' | 'source'
}

export interface ListingRelease {
  version: string
  stable: boolean
  files: ListingFile[]
}

export interface GoMirrorOptions {
  /**
   * Versions to list with the local tree (stand-ins), in Go's spelling (1.26.7, 1.20, 1.28rc1). The local
   * Go's own version is always listed.
   */
  versions?: string[]
  /** More real toolchains, each listed and served as its own `goVersion` (testbed/toolchains.ts). */
  toolchains?: GoArchive[]
  /** Latency per request in ms. */
  latencyMs?: number
  /** GOROOT to package (default: `go env GOROOT` of the go on PATH). */
  goroot?: string
  variant?: GoArchiveVariant
}

export interface GoMirror extends BenchServer {
  /** The value for `go-download-base-url` / GO_DOWNLOAD_BASE_URL. */
  baseUrl: string
  /** The local Go's version (what `go version` of `archive` prints, without `go`). */
  goVersion: string
  /** The local Go's archive; stand-in versions serve it too. */
  archive: GoArchive
  /** The archive served for a listed version (a real toolchain's own, else the local one). */
  archiveOf(version: string): GoArchive
  /** The live listing, newest first: edit it to shape what the action sees. */
  listing: ListingRelease[]
  /** The archive file name of a claimed version for this machine, e.g. go1.19.8.linux-amd64.tar.gz. */
  archiveName(version: string): string
  /** Make the listing give a different sha256 for a file (the served bytes stay the same). */
  setListedSha256(filename: string, sha256: string): void
  /** Requests for archives (`GET ....tar.gz` / `.zip`). */
  archiveRequests(): RequestRecord[]
  /** Requests for the JSON listing. */
  listingRequests(): RequestRecord[]
}

const NODE_TO_GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'armv6l' }
const NODE_TO_GO_OS: Record<string, string> = { linux: 'linux', darwin: 'darwin', win32: 'windows' }

/** The platforms go.dev publishes archives for (of those the action supports). */
const LISTED_PLATFORMS: ReadonlyArray<readonly [string, string]> = [
  ['darwin', 'amd64'],
  ['darwin', 'arm64'],
  ['linux', '386'],
  ['linux', 'amd64'],
  ['linux', 'arm64'],
  ['linux', 'armv6l'],
  ['windows', '386'],
  ['windows', 'amd64'],
  ['windows', 'arm64']
]

function localGo(goroot?: string): { goroot: string; version: string } {
  const go = goroot ? path.join(goroot, 'bin', 'go') : 'go'
  const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' }
  const [root, version] = execFileSync(go, ['env', 'GOROOT', 'GOVERSION'], { encoding: 'utf8', env })
    .trim()
    .split('\n')
  return { goroot: (root ?? '').trim(), version: (version ?? '').trim().replace(/^go/, '') }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${stderr}`))
    )
  })
}

/**
 * Package the local GOROOT as go.dev does (`go/` at the top, symlinks followed: Debian's GOROOT links
 * src/ into /usr/share). Cached in the temp dir across tests and runs.
 */
export async function buildGoArchive(
  opts: { goroot?: string; variant?: GoArchiveVariant } = {}
): Promise<GoArchive> {
  const { goroot, version } = localGo(opts.goroot)
  const variant = opts.variant ?? 'minimal'
  const goos = NODE_TO_GO_OS[process.platform] ?? process.platform
  const goarch = NODE_TO_GO_ARCH[process.arch] ?? process.arch
  const key = createHash('sha256').update(`${goroot}\n${variant}`).digest('hex').slice(0, 12)
  const dir = path.join(os.tmpdir(), 'setup-go-deps-go-mirror')
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `go${version}.${goos}-${goarch}.${variant}-${key}.tar.gz`)
  if (!fs.existsSync(file)) {
    const wanted =
      variant === 'minimal' ? ['VERSION', 'go.env', 'bin', 'pkg/tool', 'pkg/include'] : fs.readdirSync(goroot)
    // go recognises its GOROOT by pkg/tool next to bin/ (cmd/go's findGOROOT), so both must be there.
    const entries = wanted.filter((e) => fs.existsSync(path.join(goroot, e))).map((e) => `./${e}`)
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
    try {
      await run('tar', [
        '-C',
        goroot,
        '--dereference',
        '--owner=0',
        '--group=0',
        '--transform',
        's,^\\./,go/,',
        '-I',
        'gzip -1',
        '-cf',
        tmp,
        ...entries
      ])
      fs.renameSync(tmp, file)
    } finally {
      fs.rmSync(tmp, { force: true })
    }
  }
  return {
    path: file,
    sha256: await sha256Of(file),
    size: fs.statSync(file).size,
    goVersion: version,
    os: goos,
    arch: goarch
  }
}

/** Go's version order through semver-like keys: 1.21rc2 < 1.21.0 < 1.21.1; 1.20 == 1.20.0. */
function versionKey(v: string): number[] {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(v)
  if (!m) return [0]
  const pre = m[4] === 'beta' ? 1 : m[4] === 'rc' ? 2 : 3
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), pre, Number(m[5] ?? 0)]
}

function newerFirst(a: string, b: string): number {
  const ka = versionKey(a)
  const kb = versionKey(b)
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const d = (kb[i] ?? 0) - (ka[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

/**
 * A go.dev-shaped listing: this machine's archive of each version with its real checksum (`archive` as a
 * function: each version's own), other platforms with stand-ins.
 */
export function makeListing(
  versions: string[],
  archiveOf: GoArchive | ((version: string) => GoArchive)
): ListingRelease[] {
  return [...new Set(versions)].sort(newerFirst).map((v) => {
    const archive = typeof archiveOf === 'function' ? archiveOf(v) : archiveOf
    const goVersion = `go${v}`
    const stand = (name: string) => createHash('sha256').update(`bench stand-in ${name}`).digest('hex')
    const files: ListingFile[] = [
      {
        filename: `${goVersion}.src.tar.gz`,
        os: '',
        arch: '',
        version: goVersion,
        sha256: stand(`${goVersion}.src`),
        size: 27_000_000,
        kind: 'source'
      }
    ]
    for (const [goos, goarch] of LISTED_PLATFORMS) {
      const ext = goos === 'windows' ? 'zip' : 'tar.gz'
      const filename = `${goVersion}.${goos}-${goarch}.${ext}`
      const local = goos === archive.os && goarch === archive.arch
      files.push({
        filename,
        os: goos,
        arch: goarch,
        version: goVersion,
        sha256: local ? archive.sha256 : stand(filename),
        size: local ? archive.size : 70_000_000,
        kind: 'archive'
      })
      if (goos === 'windows') {
        const msi = `${goVersion}.${goos}-${goarch}.msi`
        files.push({
          filename: msi,
          os: goos,
          arch: goarch,
          version: goVersion,
          sha256: stand(msi),
          size: 60_000_000,
          kind: 'installer'
        })
      }
    }
    return { version: goVersion, stable: !/(beta|rc)\d+$/.test(v), files }
  })
}

export async function startGoMirror(opts: GoMirrorOptions = {}): Promise<GoMirror> {
  const archive = await buildGoArchive({ goroot: opts.goroot, variant: opts.variant })
  const real = new Map<string, GoArchive>([[archive.goVersion, archive]])
  for (const t of opts.toolchains ?? []) real.set(t.goVersion, t)
  const archiveOf = (version: string) => real.get(version.replace(/^go/, '')) ?? archive
  const listing = makeListing([...(opts.versions ?? []), ...real.keys()], archiveOf)
  const bytes = new Map<string, Buffer>()
  /** The archive a request path names, when the listing has it for this machine. */
  const served = (name: string): GoArchive | undefined => {
    for (const r of listing)
      for (const f of r.files)
        if (f.filename === name && f.os === archive.os && f.arch === archive.arch && f.kind === 'archive')
          return archiveOf(r.version)
    return undefined
  }

  const server = await startServer(
    async (req, res, ctx) => {
      const url = new URL(req.url ?? '/', 'http://mirror')
      const rel = url.pathname.replace(/^\/dl(?=\/|$)/, '').replace(/^\/+/, '')
      if (rel === '') {
        if (url.searchParams.get('mode') === 'json') {
          // go.dev lists only the supported releases without include=all; the action always asks for all.
          const body =
            url.searchParams.get('include') === 'all' ? listing : listing.filter((r) => r.stable).slice(0, 2)
          ctx.send(200, JSON.stringify(body, null, 1), { 'content-type': 'application/json' })
        } else {
          ctx.send(200, '<!doctype html><title>Go downloads (bench mirror)</title>\n', {
            'content-type': 'text/html'
          })
        }
        return
      }
      const checksummed = rel.endsWith('.sha256') ? served(rel.slice(0, -'.sha256'.length)) : undefined
      if (checksummed) {
        ctx.send(200, checksummed.sha256, { 'content-type': 'text/plain' })
        return
      }
      const file = served(rel)
      if (file) {
        // Read once per archive (the real toolchains are ~80 MB each; most tests fetch none of them).
        let body = bytes.get(file.path)
        if (!body) bytes.set(file.path, (body = await fs.promises.readFile(file.path)))
        if (req.method === 'HEAD') {
          res.writeHead(200, { 'content-length': String(body.length) })
          res.end()
          return
        }
        ctx.send(200, body, { 'content-type': 'application/octet-stream' })
        return
      }
      ctx.send(404, 'Not Found\n', { 'content-type': 'text/plain' })
    },
    { latencyMs: opts.latencyMs }
  )

  const archiveName = (version: string) =>
    `go${version}.${archive.os}-${archive.arch}.${archive.os === 'windows' ? 'zip' : 'tar.gz'}`
  return Object.assign(server, {
    baseUrl: server.url,
    goVersion: archive.goVersion,
    archive,
    archiveOf,
    listing,
    archiveName,
    setListedSha256(filename: string, sha256: string) {
      let found = false
      for (const r of listing)
        for (const f of r.files)
          if (f.filename === filename) {
            f.sha256 = sha256
            found = true
          }
      if (!found) throw new Error(`go-mirror: ${filename} is not in the listing`)
    },
    archiveRequests: () => server.faults.requests(/^GET \/(?:dl\/)?go[^/?]*\.(?:tar\.gz|zip)$/),
    listingRequests: () => server.faults.requests(/^GET \/(?:dl\/)?\?mode=json/)
  })
}
