/**
 * No import cycle in src/: a cycle makes module order (and so which binding is still undefined at load
 * time) depend on the entry point, and rollup only warns about it. Walks every relative import of every
 * module under src/ (type-only imports included: a cycle of types is still two modules that cannot be
 * read, tested or moved apart) and reports each cycle as a path of files.
 */
import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src')

/** Relative import specifiers of a module's text: static `from '...'`, side-effect `import '...'`, `import('...')`. */
export function relativeImports(text: string): string[] {
  const out: string[] = []
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g
  for (const m of text.matchAll(re)) out.push(m[1] as string)
  return out
}

function resolveModule(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec)
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, path.join(base, 'index.ts')])
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate
  return undefined
}

/** Every cycle reachable in the graph, each once, as the list of its modules. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = []
  const seen = new Set<string>()
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string): void => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next))
        const key = [...cycle].sort().join('|')
        if (!seen.has(key)) {
          seen.add(key)
          cycles.push([...cycle, next])
        }
      } else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of graph.keys()) if (!state.has(node)) visit(node)
  return cycles
}

function srcGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.ts')) {
        const deps = relativeImports(fs.readFileSync(p, 'utf8'))
          .map((s) => resolveModule(p, s))
          .filter((d): d is string => d !== undefined)
        graph.set(p, deps)
      }
    }
  }
  walk(SRC)
  return graph
}

describe('import cycles', () => {
  it('finds a cycle in a graph that has one, and none in one that has none', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']]
    ])
    expect(findCycles(cyclic)).toEqual([['a', 'b', 'c', 'a']])
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
          ['c', ['a', 'b']]
        ])
      )
    ).toEqual([])
    expect(
      relativeImports(
        `import type { X } from './x.js'\nimport y from "../y.js"\nimport './z.js'\nimport fs from 'node:fs'\nawait import('./w.js')`
      )
    ).toEqual(['./x.js', '../y.js', './z.js', './w.js'])
  })

  it('src/ has no import cycle', () => {
    const graph = srcGraph()
    expect(graph.size).toBeGreaterThan(20) // the walk found the sources
    const rel = (p: string): string => path.relative(SRC, p)
    expect(findCycles(graph).map((c) => c.map(rel).join(' -> '))).toEqual([])
  })
})
