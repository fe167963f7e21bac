/**
 * A loopback HTTP server with fault injection, a request log and clean shutdown: the base of every
 * bench server. Listens on 127.0.0.1 with an ephemeral port; `close()` destroys open sockets so no test
 * leaves a port or a hanging keep-alive behind.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { Faults, corrupt } from './faults.ts'

export type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ctx: {
    corrupt: boolean
    send: (status: number, body: Buffer | string, headers?: http.OutgoingHttpHeaders) => void
  }
) => void | Promise<void>

export interface BenchServer {
  url: string
  port: number
  faults: Faults
  /** Added latency per request in ms (emulates a hosted runner's distance to the real service). */
  latencyMs: number
  close(): Promise<void>
}

export async function startServer(handler: Handler, opts: { latencyMs?: number } = {}): Promise<BenchServer> {
  const faults = new Faults()
  const sockets = new Set<Socket>()
  const state = { latencyMs: opts.latencyMs ?? 0 }
  const server = http.createServer(async (req, res) => {
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs))
    const decision = faults.handle(req, res)
    if (decision === 'handled') return
    const isCorrupt = decision === 'corrupt'
    const send = (status: number, body: Buffer | string, headers: http.OutgoingHttpHeaders = {}) => {
      let buf = typeof body === 'string' ? Buffer.from(body) : body
      if (isCorrupt && status === 200) buf = corrupt(buf)
      res.writeHead(status, { 'content-length': String(buf.length), ...headers })
      res.end(buf)
    }
    try {
      await handler(req, res, { corrupt: isCorrupt, send })
    } catch (error) {
      if (!res.headersSent) send(500, `bench server error: ${String(error)}\n`)
      else res.destroy()
    }
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    get latencyMs() {
      return state.latencyMs
    },
    set latencyMs(v: number) {
      state.latencyMs = v
    },
    async close() {
      faults.releaseStalled()
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
