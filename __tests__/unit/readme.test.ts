import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import { updateReadme } from '../../scripts/readme-tables.ts'

describe('README', () => {
  const actionYml = fs.readFileSync('action.yml', 'utf8')
  const readme = fs.readFileSync('README.md', 'utf8')

  it('documents exactly the inputs and outputs of action.yml (regenerate with `node scripts/readme-tables.ts`)', () => {
    expect(updateReadme(readme, actionYml)).toBe(readme)
  })

  it('notices a drift: an input added to action.yml makes the check fail', () => {
    const drifted = actionYml.replace('inputs:\n', "inputs:\n  brand-new:\n    description: 'x'\n")
    expect(updateReadme(readme, drifted)).not.toBe(readme)
  })

  it('shows the test command that CI runs', () => {
    expect(readme).toContain('npm ci\nnpm test')
  })
})
