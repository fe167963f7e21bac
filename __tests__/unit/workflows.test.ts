/**
 * Every workflow in .github/workflows/ and examples/, every composite action, and action.yml itself,
 * parsed with GitHub's own parser and cross-checked against action.yml (see
 * __tests__/helpers/workflow-lint.ts). The second half feeds the checker broken files to prove it fails.
 *
 * Jest prints "importing JSON without an import attribute is deprecated" once: @actions/workflow-parser
 * imports its schema JSON without `with { type: 'json' }`. Harmless here; it is the package's to fix.
 */
import { describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import {
  actionInterface,
  isThisAction,
  lintActionFile,
  lintOwnAction,
  lintWorkflow,
  workflowCallInterface,
  type Interface,
  type Resolver
} from '../helpers/workflow-lint.js'

const ROOT = path.resolve(import.meta.dirname, '..', '..')
const FIXTURES = path.join(ROOT, '__tests__', 'fixtures', 'workflows')
const rel = (p: string) => path.relative(ROOT, p).split(path.sep).join('/')
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8')

const thisAction: Interface = actionInterface('setup-go-deps (action.yml)', read('action.yml'))

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    return e.isDirectory() ? walk(full) : [rel(full)]
  })
}

/** `./...` is relative to the repository root, or to the example's own root (examples/x/.github/...). */
function rootOf(file: string): string {
  const at = file.indexOf('.github/')
  return at > 0 ? file.slice(0, at) : ''
}

/** Resolves `uses:` to this action, a local action or reusable workflow on disk, or nothing (third-party). */
const resolve: Resolver = (uses, fromFile) => {
  if (isThisAction(uses)) return thisAction
  if (!uses.startsWith('./')) return undefined
  const target = path.join(ROOT, rootOf(fromFile), uses)
  if (/\.ya?ml$/.test(uses)) {
    if (!fs.existsSync(target)) return 'missing'
    return workflowCallInterface(rel(target), fs.readFileSync(target, 'utf8')) ?? 'missing'
  }
  const file = ['action.yml', 'action.yaml'].map((f) => path.join(target, f)).find((f) => fs.existsSync(f))
  return file ? actionInterface(rel(file), fs.readFileSync(file, 'utf8')) : 'missing'
}

const yamlFiles = [...walk(path.join(ROOT, '.github')), ...walk(path.join(ROOT, 'examples'))].filter((f) =>
  /\.ya?ml$/.test(f)
)
const workflows = yamlFiles.filter(
  (f) => /(^|\/)\.github\/workflows\//.test(f) || /^examples\/[^/]+\.ya?ml$/.test(f)
)
const actions = yamlFiles.filter((f) => /(^|\/)action\.ya?ml$/.test(f))

describe('the repository and example files', () => {
  test('the repository has its CI, check-dist and self-test workflows, and every example exists', () => {
    for (const f of ['ci.yml', 'check-dist.yml', 'self-test.yml'])
      expect(workflows).toContain(`.github/workflows/${f}`)
    expect(workflows.filter((f) => f.startsWith('examples/')).length).toBeGreaterThanOrEqual(7)
    expect(actions).toContain('examples/composite/action.yml')
    // Nothing is left unchecked: every YAML file is a workflow or an action.
    expect(yamlFiles.filter((f) => !workflows.includes(f) && !actions.includes(f))).toEqual([])
  })

  test.each(workflows)(
    '%s parses with GitHub’s parser and uses this action’s real inputs and outputs',
    async (file) => {
      expect(await lintWorkflow(file, read(file), resolve)).toEqual([])
    }
  )

  test.each(actions)('%s is a valid composite action', (file) => {
    expect(lintActionFile(file, read(file), resolve)).toEqual([])
  })

  test('action.yml: schema, a description for every input and output, node24, main and post files', () => {
    // dist/ is built by `npm run bundle` and committed; check-dist.yml keeps it current.
    const exists = (p: string) => fs.existsSync(path.join(ROOT, p))
    expect(lintOwnAction(read('action.yml'), exists)).toEqual([])
  })

  test('examples refer to this action by one name, and INDEX.md lists every example', () => {
    const index = read('examples/INDEX.md')
    for (const file of [...workflows, ...actions].filter((f) => f.startsWith('examples/'))) {
      const uses = [...read(file).matchAll(/uses:\s*(\S*setup-go-deps\S*)/g)].map((m) => m[1])
      for (const u of uses) expect(u).toBe('setup-go-deps/setup-go-deps@v1')
      expect(index).toContain(file.replace(/^examples\//, ''))
    }
  })

  test('repository workflows restrict the token and cancel superseded runs', () => {
    for (const file of workflows.filter((f) => f.startsWith('.github/'))) {
      const text = read(file)
      expect({ file, permissions: /^permissions:\n {2}contents: read$/m.test(text) }).toEqual({
        file,
        permissions: true
      })
      expect({ file, concurrency: /^concurrency:\n {2}group: /m.test(text) }).toEqual({
        file,
        concurrency: true
      })
    }
  })
})

describe('the checker finds what is broken', () => {
  const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8')
  const messages = async (name: string) =>
    (await lintWorkflow(`__tests__/fixtures/workflows/${name}`, fixture(name), resolve)).map(
      (p) => `${p.line}: ${p.message}`
    )

  test('a YAML syntax error', async () => {
    const found = await messages('broken-syntax.yml.txt')
    expect(found.length).toBeGreaterThan(0)
    expect(found.join('\n')).toMatch(
      /^10: .*Flow sequence in block collection must be sufficiently indented and end with a \]/m
    )
  })

  test('a key the workflow schema does not have', async () => {
    expect(await messages('invalid-key.yml')).toEqual([
      "8: __tests__/fixtures/workflows/invalid-key.yml (Line: 8, Col: 5): Unexpected value 'step'"
    ])
  })

  test('an expression naming a context that does not exist', async () => {
    expect((await messages('unknown-context.yml')).join('\n')).toContain("Unrecognized named-value: 'stesp'")
  })

  test('a with: key that is not an input of this action, and a missing output', async () => {
    expect(await messages('unknown-input-and-output.yml')).toEqual([
      "13: with: 'go-verison' is not an input of setup-go-deps (action.yml) (uses: ./).",
      "14: with: 'cache-safe' is not an input of setup-go-deps (action.yml) (uses: ./).",
      "15: steps.go.outputs.go-path: 'go-path' is not an output of setup-go-deps (action.yml) (uses: ./).",
      "18: steps.go.outputs.cache_hit: 'cache_hit' is not an output of setup-go-deps (action.yml) (uses: ./)."
    ])
  })

  test('the same mistakes under the published name, through job outputs and needs', async () => {
    expect(await messages('published-name.yml')).toEqual([
      "17: with: 'private-module' is not an input of setup-go-deps (action.yml) (uses: setup-go-deps/setup-go-deps@v1).",
      "12: steps.deps.outputs.version: 'version' is not an output of setup-go-deps (action.yml) (uses: setup-go-deps/setup-go-deps@v1).",
      "23: needs.setup.outputs.go-root: job 'setup' has no output 'go-root'."
    ])
  })

  test('third-party actions on a branch, and local actions that do not exist', async () => {
    expect(await messages('unpinned.yml')).toEqual([
      '10: uses: actions/checkout@main is not pinned to a major version (e.g. @v5) or a full commit SHA.',
      '11: uses: ./.github/actions/nope names a local action or workflow that does not exist.'
    ])
  })

  test('a composite action: a run step without shell, an unknown input of this action, an undeclared input', () => {
    const name = 'bad-composite/action.yml'
    const found = lintActionFile(`__tests__/fixtures/workflows/${name}`, fixture(name), resolve)
    expect(found.map((p) => p.message).join('\n')).toContain('Required property is missing: shell')
    const fixed = fixture(name).replace('      run: echo', '      shell: bash\n      run: echo')
    expect(lintActionFile('fixed/action.yml', fixed, resolve).map((p) => `${p.line}: ${p.message}`)).toEqual([
      "16: with: 'go-versions' is not an input of setup-go-deps (action.yml) (uses: ./).",
      "19: steps.deps.outputs.root: 'root' is not an output of setup-go-deps (action.yml) (uses: ./).",
      '16: inputs.version is not a declared input.'
    ])
  })

  test('action.yml: an input without description, another runtime, a missing post file', () => {
    const broken = read('action.yml')
      .replace(/(\n {2}cache-key-suffix:\n) {4}description: [^\n]*\n/, '$1')
      .replace("using: 'node24'", "using: 'node20'")
    const found = lintOwnAction(broken, (p) => p !== 'dist/post/index.js').map((p) => p.message)
    expect(found).toEqual([
      'inputs.cache-key-suffix has no description.',
      "runs.using is 'node20'; expected node24.",
      'runs.post is dist/post/index.js, which does not exist (run npm run bundle and commit dist/).'
    ])
  })
})
