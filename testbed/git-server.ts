/**
 * Git smart-HTTP server for the offline bench: serves bare repositories under `root` by running
 * `git http-backend` as a CGI per request, with GitHub-like Basic auth, Go's `?go-get=1` discovery and
 * fault injection (testbed/faults.ts).
 *
 * Layout: `root/<host>/<path>.git`, e.g. `root/github.com/acme/m1.git`. A repository is reachable as
 *   - `<url>/github.com/acme/m1(.git)` when the server is used directly (the first path segment names the
 *     host directory), or
 *   - `https://github.com/acme/m1(.git)` through testbed/mitm.ts, which forwards with `Host: github.com`
 *     (the Host header names the host directory).
 *
 * GitHub behaviours emulated:
 *   - two Authorization headers → 400 `Duplicate header: "Authorization"` (before anything else);
 *   - a private prefix without credentials → 401 + `WWW-Authenticate: Basic realm="GitHub"`;
 *   - wrong credentials → 401 (default) or the rule's `wrongCredentialsStatus` (403, or 404
 *     "Repository not found." as GitHub answers a token without access);
 *   - `?go-get=1` → a `<meta name="go-import">` page (optionally behind the same auth).
 *
 * Usage:
 *   const root = mkdtempSync(...)
 *   await createBareRepo(root, 'github.com/acme/m1', { 'v1.0.0': { 'go.mod': 'module github.com/acme/m1\n' } })
 *   const git = await startGitServer({ root, auth: [{ prefix: 'github.com/acme/', users: { 'x-access-token': 'T' } }] })
 *   // git ls-remote `${git.url}/github.com/acme/m1.git` ; git.faults.add({ path: 'info/refs', fault: { kind: 'status', status: 502 } })
 *   await git.close()
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import type http from 'node:http'
import { startServer, type BenchServer } from './server.ts'
import { basicAuthUser, corrupt } from './faults.ts'

export interface GitAuthRule {
  /** Repository prefix `<host>/<path...>` this rule protects, e.g. 'github.com/acme/'. */
  prefix: string
  /** Accepted Basic credentials: user name → password/token. */
  users: Record<string, string>
  /** Status for a request with credentials that do not match (GitHub: 401 for a bad token, 404 for no access). */
  wrongCredentialsStatus?: 401 | 403 | 404
  /** Also require the credentials for `?go-get=1` discovery under this prefix (default false). */
  goGet?: boolean
}

export interface GitServerOptions {
  /** Directory holding `<host>/<path>.git` bare repositories. */
  root: string
  latencyMs?: number
  auth?: GitAuthRule[]
  /**
   * Base URL of the repositories in go-import meta tags: `${base}/<path>` where `<path>` is the repository
   * path under its host (without `.git`). A string, or a function of the host. Default: `https://<host>` when
   * the request came with a non-loopback Host header (through the MITM proxy), else `<url>/<host>`.
   */
  goGetBaseUrl?: string | ((host: string) => string)
  /** Host directory used when neither the path nor the Host header names one (default 'github.com'). */
  defaultHost?: string
  /** Allow `git push` (git-receive-pack) to authenticated users (default false). */
  allowPush?: boolean
}

export interface GitRequestRecord {
  time: number
  method: string
  host: string
  /** Repository path `<host>/<path>` (without .git), when the request named one. */
  repo?: string
  service?: string
  user?: string
  status: number
}

export interface GitServer extends BenchServer {
  root: string
  /** Per-request record with the resolved repository and final status (faults.log has the raw requests). */
  gitLog: GitRequestRecord[]
  /** Number of `git http-backend` processes currently running. */
  activeChildren(): number
  /** stderr lines written by git http-backend (for debugging failures). */
  backendErrors: string[]
  /** URL of a repository when the server is used directly: `${url}/${repo}.git`. */
  repoUrl(repo: string): string
}

let execPathCache: string | undefined
/** Directory of git's helper programs (git --exec-path), where git-http-backend lives. */
export function gitExecPath(): string {
  execPathCache ??= execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim()
  return execPathCache
}

/** An environment for git child processes that ignores the user's and system git configuration. */
export function isolatedGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const k of ['PATH', 'LANG', 'LC_ALL', 'TMPDIR']) if (process.env[k]) env[k] = process.env[k]
  return {
    ...env,
    HOME: '/nonexistent',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...extra
  }
}

const SERVICE_RE = /^(.*?)(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.*))$/

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '[::1]' || host === '::1'
}

/** Find `<dir>.git` or `<dir>` (a bare repository) under root; returns the relative path with .git or undefined. */
function findRepo(root: string, rel: string): string | undefined {
  const clean = rel.replace(/\.git$/, '')
  for (const candidate of [`${clean}.git`, clean]) {
    const full = path.join(root, candidate)
    if (!full.startsWith(path.resolve(root) + path.sep)) return undefined
    try {
      if (
        statSync(full).isDirectory() &&
        existsSync(path.join(full, 'HEAD')) &&
        existsSync(path.join(full, 'objects'))
      )
        return candidate
    } catch {
      // not there
    }
  }
  return undefined
}

function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export async function startGitServer(opts: GitServerOptions): Promise<GitServer> {
  const root = path.resolve(opts.root)
  const rules = opts.auth ?? []
  const children = new Set<ChildProcess>()
  const gitLog: GitRequestRecord[] = []
  const backendErrors: string[] = []
  const backend = path.join(gitExecPath(), 'git-http-backend')
  let closing = false
  const self = { url: '' }

  const ruleFor = (repo: string): GitAuthRule | undefined =>
    rules.find((r) => (repo + '/').startsWith(r.prefix) || repo === r.prefix)

  /** Resolve the host directory and the path inside it. */
  const resolveHost = (req: http.IncomingMessage, pathname: string): { host: string; rest: string } => {
    const segs = pathname.split('/').filter((s) => s !== '')
    const first = segs[0]
    if (
      first &&
      first.includes('.') &&
      existsSync(path.join(root, first)) &&
      statSync(path.join(root, first)).isDirectory()
    )
      return { host: first, rest: segs.slice(1).join('/') }
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '')
    if (hostHeader && !isLoopbackHost(hostHeader)) return { host: hostHeader, rest: segs.join('/') }
    return { host: opts.defaultHost ?? 'github.com', rest: segs.join('/') }
  }

  /** Check credentials; returns undefined when allowed, or the refusal already sent. */
  const checkAuth = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rule: GitAuthRule | undefined
  ): { refused: boolean; status: number; user?: string } => {
    const user = basicAuthUser(req)
    if (!rule) return { refused: false, status: 200, user }
    const header = req.headers.authorization
    if (!header || !/^basic /i.test(header)) {
      const body = 'Authentication required\n'
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="GitHub"',
        'content-type': 'text/plain',
        'content-length': String(body.length)
      })
      res.end(body)
      return { refused: true, status: 401 }
    }
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    const name = colon >= 0 ? decoded.slice(0, colon) : decoded
    const password = colon >= 0 ? decoded.slice(colon + 1) : ''
    if (Object.prototype.hasOwnProperty.call(rule.users, name) && rule.users[name] === password)
      return { refused: false, status: 200, user: name }
    const status = rule.wrongCredentialsStatus ?? 401
    const body =
      status === 404
        ? 'Repository not found.\n'
        : status === 403
          ? 'Permission denied.\n'
          : 'Invalid username or token. Password authentication is not supported for Git operations.\n'
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'text/plain',
      'content-length': String(body.length)
    }
    if (status === 401) headers['www-authenticate'] = 'Basic realm="GitHub"'
    res.writeHead(status, headers)
    res.end(body)
    return { refused: true, status, user: name }
  }

  const runBackend = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    repoRel: string,
    suffix: string,
    query: string,
    user: string | undefined,
    isCorrupt: boolean,
    record: GitRequestRecord
  ): Promise<void> =>
    new Promise<void>((resolve) => {
      const env = isolatedGitEnv({
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: `/${repoRel}${suffix}`,
        QUERY_STRING: query,
        REQUEST_METHOD: req.method ?? 'GET',
        REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
        SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
        GATEWAY_INTERFACE: 'CGI/1.1'
      })
      if (req.headers['content-type']) env.CONTENT_TYPE = req.headers['content-type']
      if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length']
      if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding']
      const gitProtocol = req.headers['git-protocol']
      if (typeof gitProtocol === 'string') env.HTTP_GIT_PROTOCOL = gitProtocol
      if (user) env.REMOTE_USER = user
      if (opts.allowPush && user) env.GIT_HTTP_RECEIVE_PACK = '1'
      const child = spawn(backend, [], { env, stdio: ['pipe', 'pipe', 'pipe'] })
      children.add(child)
      let headerBuf = Buffer.alloc(0)
      let headersDone = false
      const bodyChunks: Buffer[] = []
      let finished = false
      const finish = () => {
        if (finished) return
        finished = true
        resolve()
      }
      child.on('error', (err) => {
        backendErrors.push(String(err))
        if (!res.headersSent) {
          record.status = 500
          res.writeHead(500, { 'content-type': 'text/plain' })
          res.end(`git http-backend failed: ${String(err)}\n`)
        } else res.destroy()
        finish()
      })
      child.stderr.on('data', (d: Buffer) => {
        for (const line of d.toString('utf8').split('\n')) if (line.trim()) backendErrors.push(line)
      })
      child.stdin.on('error', () => {
        /* the backend may exit before reading everything (e.g. on a bad request) */
      })
      req.pipe(child.stdin)
      // The client went away: stop the backend.
      res.on('close', () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      })

      let status = 200
      let headers: [string, string][] = []
      const startBody = (headerText: string, rest: Buffer) => {
        headersDone = true
        for (const line of headerText.split(/\r?\n/)) {
          const i = line.indexOf(':')
          if (i <= 0) continue
          const name = line.slice(0, i).trim()
          const value = line.slice(i + 1).trim()
          if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 500
          else headers.push([name, value])
        }
        record.status = status
        if (isCorrupt) {
          // Buffered: the whole body is corrupted and sent when the backend exits.
          if (rest.length) bodyChunks.push(rest)
          return
        }
        res.writeHead(status, headers.flat())
        if (rest.length) res.write(rest)
      }

      child.stdout.on('data', (chunk: Buffer) => {
        if (!headersDone) {
          headerBuf = Buffer.concat([headerBuf, chunk])
          let sep = headerBuf.indexOf('\r\n\r\n')
          let sepLen = 4
          const lf = headerBuf.indexOf('\n\n')
          if (lf >= 0 && (sep < 0 || lf < sep)) {
            sep = lf
            sepLen = 2
          }
          if (sep < 0) return
          startBody(headerBuf.subarray(0, sep).toString('latin1'), headerBuf.subarray(sep + sepLen))
          return
        }
        if (isCorrupt) bodyChunks.push(chunk)
        else if (!res.destroyed) res.write(chunk)
      })
      child.on('close', (code) => {
        children.delete(child)
        if (res.destroyed) return finish()
        if (!headersDone) {
          record.status = 500
          if (!res.headersSent) {
            res.writeHead(500, { 'content-type': 'text/plain' })
            res.end(`git http-backend exited with ${code} without headers\n`)
          }
          return finish()
        }
        if (isCorrupt) {
          let body: Buffer = Buffer.concat(bodyChunks)
          if (status === 200) body = corrupt(body)
          headers = headers.filter(([n]) => n.toLowerCase() !== 'content-length')
          headers.push(['Content-Length', String(body.length)])
          res.writeHead(status, headers.flat())
          res.end(body)
          return finish()
        }
        res.end()
        finish()
      })
    })

  const handler = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    ctx: {
      corrupt: boolean
      send: (status: number, body: Buffer | string, headers?: http.OutgoingHttpHeaders) => void
    }
  ): Promise<void> => {
    const record: GitRequestRecord = { time: Date.now(), method: req.method ?? 'GET', host: '', status: 0 }
    gitLog.push(record)
    // GitHub answers 400 to a request carrying two Authorization headers, whatever the path.
    let authHeaders = 0
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      if (req.rawHeaders[i]?.toLowerCase() === 'authorization') authHeaders++
    if (authHeaders > 1) {
      record.status = 400
      req.resume()
      ctx.send(400, 'Duplicate header: "Authorization"\n', { 'content-type': 'text/plain' })
      return
    }
    const url = new URL(req.url ?? '/', 'http://bench.invalid')
    const pathname = decodeURIComponent(url.pathname)
    const { host, rest } = resolveHost(req, pathname)
    record.host = host

    if (url.searchParams.get('go-get') === '1') {
      // Go's discovery: the import prefix is the longest existing repository on the path (or the first two
      // path elements, as GitHub answers for any path).
      const segs = rest.split('/').filter(Boolean)
      let repoPath = segs.slice(0, 2).join('/')
      for (let n = segs.length; n >= 1; n--) {
        const candidate = segs.slice(0, n).join('/')
        if (findRepo(root, `${host}/${candidate}`)) {
          repoPath = candidate
          break
        }
      }
      const importPrefix = `${host}/${repoPath}`
      record.repo = importPrefix
      record.service = 'go-get'
      record.user = basicAuthUser(req) // whatever the rule: who sent a credential here is the question
      const rule = ruleFor(importPrefix)
      if (rule?.goGet) {
        const auth = checkAuth(req, res, rule)
        record.user = auth.user
        if (auth.refused) {
          record.status = auth.status
          return
        }
      }
      const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '')
      const baseUrl =
        typeof opts.goGetBaseUrl === 'function'
          ? opts.goGetBaseUrl(host)
          : (opts.goGetBaseUrl ??
            (hostHeader && !isLoopbackHost(hostHeader) ? `https://${host}` : `${self.url}/${host}`))
      const repoUrl = `${baseUrl.replace(/\/$/, '')}/${repoPath}`
      const content = `${importPrefix} git ${repoUrl}`
      const page =
        `<!DOCTYPE html>\n<html><head>\n<meta name="go-import" content="${htmlEscape(content)}">\n` +
        `<meta name="go-source" content="${htmlEscape(`${importPrefix} ${repoUrl} ${repoUrl}/tree/main{/dir} ${repoUrl}/blob/main{/dir}/{file}#L{line}`)}">\n` +
        `</head><body>go get ${htmlEscape(importPrefix)}</body></html>\n`
      record.status = 200
      ctx.send(200, page, { 'content-type': 'text/html; charset=utf-8' })
      return
    }

    const m = SERVICE_RE.exec('/' + rest)
    if (!m) {
      record.status = 404
      req.resume()
      ctx.send(404, 'Not Found\n', { 'content-type': 'text/plain' })
      return
    }
    const repoPath = (m[1] ?? '').replace(/^\//, '').replace(/\.git$/, '')
    const suffix = m[2] ?? ''
    const repo = `${host}/${repoPath}`
    record.repo = repo
    const service =
      suffix.includes('git-receive-pack') || url.searchParams.get('service') === 'git-receive-pack'
        ? 'receive-pack'
        : 'upload-pack'
    record.service = service
    const rule = ruleFor(repo)
    const auth = checkAuth(req, res, rule)
    record.user = auth.user
    if (auth.refused) {
      record.status = auth.status
      req.resume()
      return
    }
    const repoRel = findRepo(root, repo)
    if (!repoRel) {
      record.status = 404
      req.resume()
      ctx.send(404, 'Repository not found.\n', { 'content-type': 'text/plain' })
      return
    }
    if (service === 'receive-pack' && !(opts.allowPush && auth.user)) {
      record.status = 403
      req.resume()
      ctx.send(403, 'Permission to push denied.\n', { 'content-type': 'text/plain' })
      return
    }
    if (closing) {
      req.resume()
      ctx.send(503, 'closing\n')
      return
    }
    await runBackend(req, res, repoRel, suffix, url.search.replace(/^\?/, ''), auth.user, ctx.corrupt, record)
  }

  const server = await startServer(handler, { latencyMs: opts.latencyMs })
  self.url = server.url
  // Extend the BenchServer itself (as proxy.ts and go-mirror.ts do), keeping its latencyMs accessor.
  const closeServer = server.close
  return Object.assign(server, {
    root,
    gitLog,
    backendErrors,
    activeChildren: () => children.size,
    repoUrl: (repo: string) => `${server.url}/${repo.replace(/\.git$/, '')}.git`,
    async close() {
      closing = true
      const exits = [...children].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve()
            c.once('close', () => resolve())
            c.kill('SIGKILL')
          })
      )
      await closeServer()
      await Promise.all(exits)
    }
  })
}

export interface CreateBareRepoOptions {
  /** Branch the versions are committed on (default 'main'); HEAD points at it. */
  branch?: string
  /** Commit time of the first version in Unix seconds (default 1700000000); each next version is +1 day. */
  baseTime?: number
  /** Annotated tags instead of lightweight ones (default false). */
  annotated?: boolean
}

export interface BareRepo {
  /** Absolute path of the bare repository. */
  dir: string
  /** Commit id per version tag. */
  commits: Record<string, string>
}

/**
 * Write a deterministic bare repository `root/<repo>.git` with one commit per version (in the object's
 * insertion order) on `branch`, each tagged with its version name. Each version's tree contains exactly
 * the given files (path → content). Fixed author, committer and dates, so commit ids are stable across
 * runs. Replaces an existing repository at that path. Synchronous work done with `git fast-import`.
 */
export async function createBareRepo(
  root: string,
  repo: string,
  versions: Record<string, Record<string, string>>,
  options: CreateBareRepoOptions = {}
): Promise<BareRepo> {
  const branch = options.branch ?? 'main'
  const baseTime = options.baseTime ?? 1700000000
  const rel = repo.replace(/\.git$/, '') + '.git'
  const dir = path.resolve(root, rel)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const env = isolatedGitEnv({
    GIT_AUTHOR_NAME: 'Bench',
    GIT_AUTHOR_EMAIL: 'bench@example.com',
    GIT_COMMITTER_NAME: 'Bench',
    GIT_COMMITTER_EMAIL: 'bench@example.com'
  })
  const git = (args: string[], input?: string | Buffer): string =>
    execFileSync('git', args, { cwd: dir, env, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })
  git(['init', '--bare', '-q', `--initial-branch=${branch}`])
  git(['config', 'core.logAllRefUpdates', 'false'])

  const parts: Buffer[] = []
  const push = (s: string | Buffer) => parts.push(typeof s === 'string' ? Buffer.from(s, 'utf8') : s)
  const data = (content: string) => {
    const b = Buffer.from(content, 'utf8')
    push(`data ${b.length}\n`)
    push(b)
    push('\n')
  }
  const tags = Object.keys(versions)
  tags.forEach((tag, i) => {
    const when = `${baseTime + i * 86400} +0000`
    push(`commit refs/heads/${branch}\nmark :${i + 1}\n`)
    push(`author Bench <bench@example.com> ${when}\ncommitter Bench <bench@example.com> ${when}\n`)
    data(`${tag}\n`)
    if (i > 0) push(`from :${i}\n`)
    push('deleteall\n')
    const files = versions[tag] ?? {}
    for (const file of Object.keys(files).sort()) {
      if (/[\n"]/.test(file) || file.startsWith('/'))
        throw new Error(`createBareRepo: unsupported file name ${file}`)
      push(`M 100644 inline ${file}\n`)
      data(files[file] ?? '')
    }
    push('\n')
    if (options.annotated) {
      push(`tag ${tag}\nfrom :${i + 1}\ntagger Bench <bench@example.com> ${when}\n`)
      data(`${tag}\n`)
    } else {
      push(`reset refs/tags/${tag}\nfrom :${i + 1}\n\n`)
    }
  })
  push('done\n')
  if (tags.length > 0) git(['fast-import', '--quiet', '--done'], Buffer.concat(parts))
  git(['symbolic-ref', 'HEAD', `refs/heads/${branch}`])
  const commits: Record<string, string> = {}
  for (const tag of tags) commits[tag] = git(['rev-parse', `refs/tags/${tag}^{commit}`]).trim()
  return { dir, commits }
}
