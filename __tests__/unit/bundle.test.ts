/**
 * The bundles leave undici out (rollup.config.js resolves it to a stub that throws): that is only safe
 * while nothing in them calls the one method that needs it, HttpClient.getAgentDispatcher. And they take
 * node's built-ins with process.getBuiltinModule(), so starting a step loads neither node's own undici
 * (http's WebSocket getter) nor Web Crypto (crypto's webcrypto getter).
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..')

describe('the committed bundles', () => {
  for (const step of ['main', 'post']) {
    it(`dist/${step}: undici stubbed out, and getAgentDispatcher defined but never called`, () => {
      const code = fs.readFileSync(path.join(REPO, 'dist', step, 'index.js'), 'utf8')
      expect(code).toContain('undici is not bundled')
      expect(code).not.toContain('class EnvHttpProxyAgent')
      const uses = [...code.matchAll(/getAgentDispatcher\s*\(([^)]*)\)\s*(\{)?/g)]
      expect(uses.map((m) => (m[2] ? 'definition' : `call(${m[1]})`))).toEqual(['definition'])
    })
  }

  for (const step of ['main', 'post']) {
    it(`dist/${step}: no ESM import of a built-in, and a step's start loads neither undici nor Web Crypto`, () => {
      const code = fs.readFileSync(path.join(REPO, 'dist', step, 'index.js'), 'utf8')
      // rollup puts a bundle's imports first; the GOAUTH helper's source embedded further down has its own.
      const head = code.split('\n').slice(
        0,
        code.split('\n').findIndex((l) => !/^(import |$)/.test(l))
      )
      expect(head).toEqual([])
      // The step runs to its first failure (main: a bad input; post: no state), then prints what node loaded.
      const probe = `process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'))
await import(${JSON.stringify(path.join(REPO, 'dist', step, 'index.js'))})`
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
        env: { PATH: process.env.PATH ?? '', 'INPUT_GO-VERSION': 'not-a-version' },
        encoding: 'utf8'
      })
      // It ran as far as it should (a bundle that threw on import would pass the check below).
      expect(run.status).toBe(step === 'main' ? 1 : 0)
      expect(run.stdout).toContain(
        step === 'main' ? "::error::Input 'go-version' is 'not-a-version'" : 'did not reach the cache restore'
      )
      const line = run.stderr.split('\n').find((l) => l.startsWith('LOADED ')) ?? ''
      const loaded = JSON.parse(line.slice('LOADED '.length) || '[]') as string[]
      expect(loaded.length).toBeGreaterThan(50)
      expect(loaded.filter((m) => /undici|webcrypto/.test(m))).toEqual([])
    })
  }
})
