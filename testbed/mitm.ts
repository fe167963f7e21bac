/**
 * HTTPS intercepting proxy on loopback, so real clients (git/libcurl, go, node) reach bench servers under
 * the real default hostnames (github.com, proxy.golang.org, sum.golang.org, go.dev, dl.google.com,
 * results-receiver.actions.githubusercontent.com, *.blob.core.windows.net, ...).
 *
 * - A throwaway test CA and one leaf certificate per host (SAN = the host) are made with the `openssl` CLI
 *   in a temp directory (removed on close).
 * - `CONNECT host:443` for a routed host → `200 Connection Established`, TLS terminated with the host's
 *   certificate (ALPN http/1.1 only), each decrypted request forwarded as plain HTTP to the bench server
 *   mapped to that host (`routes`), keeping the original `Host` header (the bench git server uses it to
 *   pick the host directory), raw header order and duplicates (two Authorization headers stay two).
 * - Absolute-form plain HTTP proxy requests (`GET http://go.dev/...`) are forwarded the same way.
 * - Loopback destinations (127.0.0.1, localhost, ::1) are tunnelled/forwarded directly (clients such as
 *   the Azure SDK proxy even loopback unless NO_PROXY says otherwise). Every other host is refused with
 *   403: the proxy never resolves DNS nor connects anywhere else.
 *
 * Trust and routing for child processes come from `env`: HTTPS_PROXY/https_proxy/HTTP_PROXY/http_proxy,
 * NO_PROXY=loopback only, SSL_CERT_FILE (go: replaces the system roots), GIT_SSL_CAINFO (git),
 * NODE_EXTRA_CA_CERTS (node, read at process start).
 *
 * Usage:
 *   const mitm = await startMitm({ routes: { 'github.com': git.url, 'proxy.golang.org': proxy.url } })
 *   await execa('git', ['ls-remote', 'https://github.com/acme/m1'], { env: { ...process.env, ...mitm.env } })
 *   mitm.requests('github.com')  // [{ host, method, path, status, outcome }]
 *   await mitm.close()
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import tls from 'node:tls'
import { randomBytes } from 'node:crypto'
import { Faults } from './faults.ts'

export interface MitmOptions {
  /** hostname (or 'host:port') → base URL of the bench server (http://127.0.0.1:<port>[/prefix]). */
  routes: Record<string, string>
  /** Directory for the CA and leaf certificates (default: a new temp dir, removed on close). */
  certDir?: string
  /** Forward/tunnel requests addressed to loopback (default true). */
  allowLoopback?: boolean
  /** Added latency per forwarded request in ms. */
  latencyMs?: number
}

export interface MitmRecord {
  time: number
  host: string
  method: string
  path: string
  /** 'forwarded' (via a route), 'loopback' (direct to 127.0.0.1), 'refused' (unrouted), 'error' (target down). */
  outcome: 'forwarded' | 'loopback' | 'refused' | 'error'
  status?: number
  /** Whether the request arrived inside a CONNECT tunnel (https) or as an absolute-form http request. */
  tls: boolean
}

export interface Mitm {
  /** http://127.0.0.1:<port> — the value for HTTPS_PROXY. */
  proxyUrl: string
  port: number
  /** PEM file of the test CA. */
  caFile: string
  certDir: string
  /** Environment that routes and trusts git, go and node through the proxy. */
  env: Record<string, string>
  /** Every request seen (forwarded, refused, failed), in order. */
  log: MitmRecord[]
  /** Records whose host equals (string) or matches (RegExp) `host`. */
  requests(host?: string | RegExp): MitmRecord[]
  /** Faults applied to decrypted/forwarded requests before forwarding (rules match `METHOD path`). */
  faults: Faults
  /** Add or replace a route at run time (its certificate is made on first use). */
  addRoute(host: string, target: string): void
  close(): Promise<void>
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`))
      else resolve()
    })
  })
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

/** Create a test CA (ca.pem, ca.key) in dir with the openssl CLI. */
export async function createTestCa(dir: string, name = 'setup-go-deps bench CA'): Promise<string> {
  await run(
    'openssl',
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign'
    ],
    dir
  )
  return path.join(dir, 'ca.pem')
}

/** Issue a leaf certificate for `host` signed by dir/ca.pem; returns the key and cert paths. */
export async function issueLeafCert(dir: string, host: string): Promise<{ key: string; cert: string }> {
  const safe = host.replace(/[^A-Za-z0-9.-]/g, '_')
  const san = net.isIP(host) ? `IP:${host}` : `DNS:${host}`
  writeFileSync(
    path.join(dir, `${safe}.ext`),
    `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`
  )
  await run(
    'openssl',
    ['req', ...EC, '-keyout', `${safe}.key`, '-out', `${safe}.csr`, '-subj', `/CN=${host}`],
    dir
  )
  await run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      `${safe}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      '0x' +
        randomBytes(8)
          .toString('hex')
          .replace(/^[89a-f]/, '1'),
      '-days',
      '2',
      '-extfile',
      `${safe}.ext`,
      '-out',
      `${safe}.pem`
    ],
    dir
  )
  return { key: path.join(dir, `${safe}.key`), cert: path.join(dir, `${safe}.pem`) }
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h.startsWith('127.') || h === '::1'
}

function splitHostPort(authority: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority) ?? /^([^:]+)(?::(\d+))?$/.exec(authority)
  if (!m) return { host: authority, port: defaultPort }
  return { host: (m[1] ?? '').toLowerCase(), port: m[2] ? parseInt(m[2], 10) : defaultPort }
}

const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'upgrade'
])

function filterRawHeaders(raw: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? ''
    if (HOP_BY_HOP.has(name.toLowerCase())) continue
    out.push(name, raw[i + 1] ?? '')
  }
  return out
}

interface TunnelSocket extends tls.TLSSocket {
  benchHost?: string
  benchPort?: number
}

export async function startMitm(opts: MitmOptions): Promise<Mitm> {
  const ownDir = opts.certDir === undefined
  const certDir = opts.certDir ?? mkdtempSync(path.join(os.tmpdir(), 'bench-mitm-'))
  const caFile = await createTestCa(certDir)
  const routes = new Map<string, string>()
  for (const [h, t] of Object.entries(opts.routes)) routes.set(h.toLowerCase(), t)
  const allowLoopback = opts.allowLoopback ?? true
  const contexts = new Map<string, Promise<tls.SecureContext>>()
  const log: MitmRecord[] = []
  const faults = new Faults()
  const sockets = new Set<net.Socket>()
  const agent = new http.Agent({ keepAlive: false })
  const track = (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  }

  const contextFor = (host: string): Promise<tls.SecureContext> => {
    let ctx = contexts.get(host)
    if (!ctx) {
      ctx = issueLeafCert(certDir, host).then(({ key, cert }) =>
        tls.createSecureContext({ key: readFileSync(key), cert: readFileSync(cert) })
      )
      contexts.set(host, ctx)
    }
    return ctx
  }
  // Certificates for the initial routes, in parallel.
  await Promise.all([...routes.keys()].map((h) => contextFor(splitHostPort(h, 443).host)))

  const routeFor = (host: string, port: number): string | undefined =>
    routes.get(`${host}:${port}`) ?? routes.get(host)

  /** Forward one request to `target` (base URL) keeping raw headers. */
  const forward = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: MitmRecord,
    target: URL,
    pathAndQuery: string,
    originalHost: string
  ): Promise<void> => {
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs))
    const decision = faults.handle(req, res)
    if (decision === 'handled') {
      record.status = faults.log[faults.log.length - 1]?.status
      return
    }
    const headers = filterRawHeaders(req.rawHeaders)
    if (!headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'host')) headers.push('Host', originalHost)
    headers.push('X-Forwarded-Proto', record.tls ? 'https' : 'http', 'X-Forwarded-Host', originalHost)
    const prefix = target.pathname.replace(/\/$/, '')
    const upstream = http.request({
      host: target.hostname,
      port: target.port || 80,
      method: req.method,
      path: prefix + pathAndQuery,
      headers,
      agent,
      setHost: false
    })
    upstream.on('response', (up) => {
      record.status = up.statusCode
      res.writeHead(up.statusCode ?? 502, up.statusMessage, filterRawHeaders(up.rawHeaders))
      up.on('error', () => res.destroy())
      up.on('aborted', () => res.destroy())
      up.pipe(res)
    })
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        record.outcome = 'error'
        record.status = 502
        res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' })
        res.end(`bench mitm: ${originalHost} target ${target.origin} failed: ${err.message}\n`)
      } else res.destroy()
    })
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  }

  // Requests decrypted from CONNECT tunnels.
  const inner = http.createServer((req, res) => {
    const sock = req.socket as TunnelSocket
    const host = sock.benchHost ?? splitHostPort(req.headers.host ?? '', 443).host
    const port = sock.benchPort ?? 443
    const record: MitmRecord = {
      time: Date.now(),
      host,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      outcome: 'forwarded',
      tls: true
    }
    log.push(record)
    const route = routeFor(host, port)
    if (!route) {
      record.outcome = 'refused'
      record.status = 403
      res.writeHead(403, { 'content-type': 'text/plain' })
      res.end(`bench mitm: host ${host} is not routed\n`)
      return
    }
    const authority = port === 443 ? host : `${host}:${port}`
    void forward(req, res, record, new URL(route), req.url ?? '/', authority)
  })

  // Absolute-form plain HTTP proxy requests.
  const outer = http.createServer((req, res) => {
    let url: URL
    try {
      url = new URL(req.url ?? '')
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' })
      res.end('bench mitm: this is a proxy; send absolute-form requests or CONNECT\n')
      return
    }
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
    const port = url.port ? parseInt(url.port, 10) : 80
    const record: MitmRecord = {
      time: Date.now(),
      host,
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      outcome: 'forwarded',
      tls: false
    }
    log.push(record)
    const route = routes.get(`${host}:${port}`) ?? routes.get(host)
    if (route) return void forward(req, res, record, new URL(route), url.pathname + url.search, url.host)
    if (allowLoopback && isLoopback(host)) {
      record.outcome = 'loopback'
      return void forward(
        req,
        res,
        record,
        new URL(`http://${url.host}`),
        url.pathname + url.search,
        url.host
      )
    }
    record.outcome = 'refused'
    record.status = 403
    req.resume()
    res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' })
    res.end(`bench mitm: host ${host} is not routed (the bench never connects out)\n`)
  })

  outer.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    track(socket)
    socket.on('error', () => socket.destroy())
    const { host, port } = splitHostPort(req.url ?? '', 443)
    const route = routeFor(host, port)
    if (!route) {
      if (allowLoopback && isLoopback(host)) {
        log.push({
          time: Date.now(),
          host,
          method: 'CONNECT',
          path: `${host}:${port}`,
          outcome: 'loopback',
          tls: false
        })
        const upstream = net.connect(port, host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, ''))
        track(upstream)
        upstream.on('connect', () => {
          socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
          if (head.length) upstream.write(head)
          upstream.pipe(socket)
          socket.pipe(upstream)
        })
        upstream.on('error', () => {
          if (!socket.destroyed) socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n')
        })
        socket.on('close', () => upstream.destroy())
        upstream.on('close', () => socket.destroy())
        return
      }
      log.push({
        time: Date.now(),
        host,
        method: 'CONNECT',
        path: `${host}:${port}`,
        outcome: 'refused',
        status: 403,
        tls: false
      })
      socket.end(
        'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n' +
          `bench mitm: host ${host} is not routed (the bench never connects out)\n`
      )
      return
    }
    contextFor(host).then(
      (secureContext) => {
        if (socket.destroyed) return
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        if (head.length) socket.unshift(head)
        const tlsSocket = new tls.TLSSocket(socket, {
          isServer: true,
          secureContext,
          ALPNProtocols: ['http/1.1']
        }) as TunnelSocket
        tlsSocket.benchHost = host
        tlsSocket.benchPort = port
        track(tlsSocket)
        tlsSocket.on('error', () => tlsSocket.destroy())
        inner.emit('connection', tlsSocket)
      },
      (err: unknown) => {
        socket.end(
          `HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\nbench mitm: certificate: ${String(err)}\n`
        )
      }
    )
  })
  outer.on('connection', track)

  await new Promise<void>((resolve) => outer.listen(0, '127.0.0.1', resolve))
  const port = (outer.address() as net.AddressInfo).port
  const proxyUrl = `http://127.0.0.1:${port}`
  const noProxy = '127.0.0.1,localhost,::1'
  const env: Record<string, string> = {
    HTTPS_PROXY: proxyUrl,
    https_proxy: proxyUrl,
    HTTP_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    SSL_CERT_FILE: caFile,
    GIT_SSL_CAINFO: caFile,
    NODE_EXTRA_CA_CERTS: caFile
  }
  return {
    proxyUrl,
    port,
    caFile,
    certDir,
    env,
    log,
    faults,
    requests(host?: string | RegExp) {
      if (host === undefined) return log.slice()
      return log.filter((r) => (typeof host === 'string' ? r.host === host : host.test(r.host)))
    },
    addRoute(host: string, target: string) {
      routes.set(host.toLowerCase(), target)
    },
    async close() {
      faults.releaseStalled()
      for (const s of sockets) s.destroy()
      agent.destroy()
      await new Promise<void>((resolve) => outer.close(() => resolve()))
      inner.close()
      if (ownDir) rmSync(certDir, { recursive: true, force: true })
    }
  }
}
