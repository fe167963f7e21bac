import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { renderReadme, updateReadme } from '../../scripts/readme-tables.ts'

describe('README', () => {
  const actionYml = fs.readFileSync('action.yml', 'utf8')
  const readme = fs.readFileSync('README.md', 'utf8')

  const read = (file: string): string => fs.readFileSync(file, 'utf8')

  it('documents exactly the inputs and outputs of action.yml and the examples/ files (regenerate with `node scripts/readme-tables.ts`)', () => {
    expect(renderReadme(readme, actionYml, read)).toBe(readme)
  })

  it('includes every example file', () => {
    const files = fs
      .readdirSync('examples', { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => `examples/${f.split(path.sep).join('/')}`)
    expect(files.length).toBeGreaterThan(5)
    for (const file of files) expect(readme).toContain(`<!-- example:${file}:start -->`)
  })

  it('notices a drifted example', () => {
    expect(renderReadme(readme, actionYml, (f) => read(f) + '# changed\n')).not.toBe(readme)
  })

  it('notices a drift: an input added to action.yml makes the check fail', () => {
    const drifted = actionYml.replace('inputs:\n', "inputs:\n  brand-new:\n    description: 'x'\n")
    expect(updateReadme(readme, drifted)).not.toBe(readme)
  })

  it("shows a newcomer's two commands, and CI runs exactly that test command", () => {
    expect(readme).toMatch(/^npm ci && npm run demo\b/m)
    expect(readme).toMatch(/^npm test\b/m)
    const ci = read('.ci/run')
    expect(ci).toMatch(/^npm ci --no-audit --no-fund$/m)
    expect(ci).not.toMatch(/npm install/)
    expect(ci).toMatch(/npm test/)
  })
})
