import { describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { bumpDelta, expectedAfterBump, zipLines } from '../../bench/real/fixture.ts'
import {
  countsBetween,
  emptyCounts,
  firstProxyUrl,
  requestKind,
  startLogProxy
} from '../../bench/real/log-proxy.ts'
import { summarize, type RealSamples } from '../../bench/real/report.ts'
import type { ActionRealRun, PlainRun } from '../../bench/real/contestants.ts'

describe('real-world bench: pure parts', () => {
  it('names what a GOPROXY request asks for', () => {
    expect(requestKind('/github.com/!azure/x/@v/v1.0.0.zip')).toBe('zip')
    expect(requestKind('/golang.org/x/net/@v/v0.1.0.mod')).toBe('mod')
    expect(requestKind('/golang.org/x/net/@v/v0.1.0.info')).toBe('info')
    expect(requestKind('/golang.org/x/net/@v/list')).toBe('list')
    expect(requestKind('/golang.org/x/net/@latest')).toBe('latest')
    expect(requestKind('/sumdb/sum.golang.org/supported')).toBe('sumdb')
  })

  it('takes the first proxy URL of a GOPROXY list, none for direct/off only', () => {
    expect(firstProxyUrl('https://a.example/p,https://b.example|direct')).toBe('https://a.example/p')
    expect(firstProxyUrl('direct')).toBeUndefined()
    expect(firstProxyUrl('off')).toBeUndefined()
  })

  it('reads zip lines (not /go.mod lines) of a go.sum, case-escaped', () => {
    const sum =
      'github.com/Azure/go-ansiterm v0.1.0 h1:aaa=\ngithub.com/Azure/go-ansiterm v0.1.0/go.mod h1:bbb=\n'
    expect([...zipLines(sum)]).toEqual(['github.com/!azure/go-ansiterm@v0.1.0'])
  })

  it('the committed bump changes exactly one module zip, and the expected set follows it', () => {
    const { removed, added } = bumpDelta()
    expect(removed).toEqual(['github.com/aws/aws-sdk-go-v2/service/ec2@v1.344.2'])
    expect(added).toEqual(['github.com/aws/aws-sdk-go-v2/service/ec2@v1.344.3'])
    const after = expectedAfterBump(new Set(['a@v1.0.0', ...removed]))
    expect([...after].sort()).toEqual(['a@v1.0.0', ...added])
  })

  it('ratios and verdicts come from the medians of successful runs against cold plain', () => {
    const plain = (ms: number) => ({ ok: true, ms }) as PlainRun
    const action = (mainMs: number, ok = true) => ({ ok, mainMs, postMs: 1000 }) as ActionRealRun
    const s: RealSamples = {
      plain: [plain(100_000), plain(80_000), plain(120_000)],
      action: {
        cold: [action(40_000), action(45_000), action(999_000, false)],
        warm: [action(10_000)],
        bump: [action(40_000)]
      }
    }
    const sum = summarize(s)
    expect(sum.plainMs).toBe(100_000)
    expect(sum.ratios.cold.main).toBeCloseTo(0.425)
    expect(sum.verdicts).toEqual({ cold: 'met', bump: 'missed' })
  })
})

describe('real-world bench: the logging proxy', () => {
  it('forwards requests unchanged to the upstream path and counts them by kind, bytes and status', async () => {
    const seen: string[] = []
    const upstream = http.createServer((req, res) => {
      seen.push(req.url ?? '')
      if (req.url?.endsWith('.zip')) res.end(Buffer.alloc(1000))
      else res.writeHead(404).end('not found')
    })
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
    const { port } = upstream.address() as AddressInfo
    const proxy = await startLogProxy(`http://127.0.0.1:${port}/base`)
    try {
      const before = proxy.counts()
      const zip = await fetch(`${proxy.url}/example.com/m/@v/v1.0.0.zip`)
      expect(zip.status).toBe(200)
      expect((await zip.arrayBuffer()).byteLength).toBe(1000)
      const miss = await fetch(`${proxy.url}/example.com/m/@v/v9.0.0.info`)
      expect(miss.status).toBe(404)
      await miss.text()
      const d = countsBetween(before, proxy.counts())
      expect(seen).toEqual(['/base/example.com/m/@v/v1.0.0.zip', '/base/example.com/m/@v/v9.0.0.info'])
      expect(d).toEqual({
        ...emptyCounts(),
        requests: 2,
        bytes: 1000 + 'not found'.length,
        byKind: { ...emptyCounts().byKind, zip: 1, info: 1 },
        notOk: { '404': 1 }
      })
    } finally {
      await proxy.close()
      await new Promise<void>((r) => upstream.close(() => r()))
    }
  })
})
