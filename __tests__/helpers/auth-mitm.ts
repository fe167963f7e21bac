/**
 * A minimal HTTPS intercepting proxy for the credential tests, so git and go reach
 * `https://github.com/acme/...` (the real URL the action's rules are written for) on the bench git server.
 * Stand-in until testbed/mitm.ts exists: CONNECT host:443 for an allowed host -> TLS with a leaf certificate
 * signed by a throwaway test CA (openssl CLI) -> bytes forwarded to a loopback server, which sees the
 * original Host header. Any other host is refused (the tests never reach the internet).
 *
 * Trust: git via GIT_SSL_CAINFO, go via SSL_CERT_FILE, both via HTTPS_PROXY (go never proxies loopback).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import tls from 'node:tls'

export interface Mitm {
  /** http://127.0.0.1:<port>, for HTTPS_PROXY. */
  url: string
  /** PEM of the test CA. */
  caFile: string
  /** Hosts of the CONNECT requests, in order. */
  connects: string[]
  /** The environment that makes git and go use it. */
  env: Record<string, string>
  close(): Promise<void>
}

export async function startMitm(opts: { dir: string; hosts: string[]; targetPort: number }): Promise<Mitm> {
  fs.mkdirSync(opts.dir, { recursive: true })
  const f = (n: string) => path.join(opts.dir, n)
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  ssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=setup-go-deps bench CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign'
  ])
  ssl(['req', ...ec, '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=bench'])
  fs.writeFileSync(
    f('leaf.ext'),
    `subjectAltName=${opts.hosts.map((h) => `DNS:${h}`).join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`
  )
  ssl([
    'x509',
    '-req',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('leaf.pem'),
    '-days',
    '2',
    '-extfile',
    f('leaf.ext')
  ])
  const key = fs.readFileSync(f('leaf.key'))
  const cert = fs.readFileSync(f('leaf.pem'))
  const allowed = new Set(opts.hosts)
  const connects: string[] = []
  const sockets = new Set<net.Socket>()

  const server = net.createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => client.destroy())
    let head = Buffer.alloc(0)
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      client.off('data', onData)
      const m = /^CONNECT ([^\s:]+):(\d+) HTTP\/1\.[01]\r\n/.exec(head.toString('latin1'))
      if (!m || !allowed.has(m[1] as string) || m[2] !== '443') {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
        return
      }
      connects.push(m[1] as string)
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      const secure = new tls.TLSSocket(client, { isServer: true, key, cert })
      const upstream = net.connect(opts.targetPort, '127.0.0.1')
      sockets.add(upstream)
      upstream.on('close', () => sockets.delete(upstream))
      const done = (): void => {
        secure.destroy()
        upstream.destroy()
      }
      secure.on('error', done)
      upstream.on('error', done)
      secure.pipe(upstream).pipe(secure)
    }
    client.on('data', onData)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    caFile: f('ca.pem'),
    connects,
    env: {
      HTTPS_PROXY: url,
      https_proxy: url,
      NO_PROXY: '127.0.0.1,localhost',
      GIT_SSL_CAINFO: f('ca.pem'),
      SSL_CERT_FILE: f('ca.pem')
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
