/**
 * Renders the README's inputs and outputs tables from action.yml, and inlines the example files under
 * examples/ (between `<!-- example:<path>:start -->` and `<!-- example:<path>:end -->`), so neither drifts.
 *   node scripts/readme-tables.ts          rewrite README.md between the markers
 *   node scripts/readme-tables.ts --check  exit 1 when README.md is out of date (used by the tests)
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import YAML from 'yaml'

interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').trim()

export function renderTables(actionYml: string): { inputs: string; outputs: string } {
  const action = YAML.parse(actionYml) as ActionYml
  const inputs = [
    '| Input | Description | Default |',
    '|---|---|---|',
    ...Object.entries(action.inputs).map(
      ([name, i]) =>
        `| \`${name}\` | ${cell(i.description)} | ${i.default ? `\`${cell(String(i.default))}\`` : ''} |`
    )
  ].join('\n')
  const outputs = [
    '| Output | Description |',
    '|---|---|',
    ...Object.entries(action.outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`)
  ].join('\n')
  return { inputs, outputs }
}

export function updateReadme(readme: string, actionYml: string): string {
  const { inputs, outputs } = renderTables(actionYml)
  const put = (text: string, tag: string, body: string): string => {
    const re = new RegExp(`(<!-- ${tag}:start -->)[\\s\\S]*?(<!-- ${tag}:end -->)`)
    if (!re.test(text))
      throw new Error(`README.md has no <!-- ${tag}:start --> ... <!-- ${tag}:end --> markers`)
    return text.replace(re, (_m, a: string, b: string) => `${a}\n${body}\n${b}`)
  }
  return put(put(readme, 'inputs', inputs), 'outputs', outputs)
}

/** Replace each `<!-- example:<file>:start -->...<!-- example:<file>:end -->` block with the file's text. */
export function inlineExamples(readme: string, read: (file: string) => string): string {
  return readme.replace(
    /(<!-- example:([^ ]+?):start -->)[\s\S]*?(<!-- example:\2:end -->)/g,
    (_m, start: string, file: string, end: string) => {
      const lang = file.endsWith('.yml') || file.endsWith('.yaml') ? 'yaml' : ''
      return `${start}\n\`\`\`${lang}\n${read(file).trimEnd()}\n\`\`\`\n${end}`
    }
  )
}

export function renderReadme(readme: string, actionYml: string, read: (file: string) => string): string {
  return inlineExamples(updateReadme(readme, actionYml), read)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const readmePath = path.join(root, 'README.md')
  const readme = fs.readFileSync(readmePath, 'utf8')
  const next = renderReadme(readme, fs.readFileSync(path.join(root, 'action.yml'), 'utf8'), (file) =>
    fs.readFileSync(path.join(root, file), 'utf8')
  )
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md differs from action.yml or examples/: run `node scripts/readme-tables.ts`.')
      process.exit(1)
    }
  } else {
    fs.writeFileSync(readmePath, next)
  }
}
