/**
 * The bundles leave undici out (rollup.config.js resolves it to a stub that throws): that is only safe
 * while nothing in them calls the one method that needs it, HttpClient.getAgentDispatcher.
 */
import { describe, expect, it } from '@jest/globals'
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
})
