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
      // Outside template literals (main embeds the GOAUTH helper's source, which has its own import).
      const imports = code
        .split('\n')
        .filter((l) => /^import .* from '/.test(l) && !/readFileSync\b.*'node:fs'$/.test(l))
      expect(imports).toEqual([])
      // The step runs to its first failure (main: a bad input; post: no state), then prints what node loaded.
      const probe = `process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'))
await import(${JSON.stringify(path.join(REPO, 'dist', step, 'index.js'))})`
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
        env: { PATH: process.env.PATH ?? '', 'INPUT_GO-VERSION': 'not-a-version' },
        encoding: 'utf8'
      })
      const line = run.stderr.split('\n').find((l) => l.startsWith('LOADED ')) ?? ''
      const loaded = JSON.parse(line.slice('LOADED '.length) || '[]') as string[]
      expect(loaded.length).toBeGreaterThan(50)
      expect(loaded.filter((m) => /undici|webcrypto/.test(m))).toEqual([])
    })
  }
})
