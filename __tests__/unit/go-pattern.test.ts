import { describe, expect, it } from '@jest/globals'
import {
  globSyntaxError,
  globToRegExp,
  matchesEveryModule,
  matchesPrefixPatterns,
  patternCovers,
  patternElementError
} from '../../src/go/pattern.js'
import { emptyListEntry, parseList } from '../../src/list.js'

describe('path.Match globs', () => {
  it('glob translation follows path.Match: * and ? stop at /, classes and escapes work', () => {
    expect(globToRegExp('a*c').test('abbc')).toBe(true)
    expect(globToRegExp('a*c').test('ab/c')).toBe(false)
    expect(globToRegExp('a?c').test('abc')).toBe(true)
    expect(globToRegExp('[^x-z]b').test('ab')).toBe(true)
    expect(globToRegExp('[^x-z]b').test('yb')).toBe(false)
    expect(globToRegExp('a\\*').test('a*')).toBe(true)
    expect(globToRegExp('a\\*').test('ab')).toBe(false)
    expect(globToRegExp('a.b').test('axb')).toBe(false)
  })

  it('agrees with path.Match on valid escapes and negated classes', () => {
    expect(globSyntaxError('a\\*b')).toBeUndefined()
    expect(globSyntaxError('[^a-z]x')).toBeUndefined()
    expect(globSyntaxError('[\\]]')).toBeUndefined()
    expect(globSyntaxError('[^]')).toBeDefined()
  })
})

describe('prefix patterns (GOPRIVATE semantics, module.MatchPrefixPatterns)', () => {
  it('matches a pattern against the leading path elements', () => {
    expect(matchesPrefixPatterns('github.com/acme/lib/v2', ['github.com/acme/*'])).toBe(true)
    expect(matchesPrefixPatterns('github.com/acme', ['github.com/acme/*'])).toBe(false)
    expect(matchesPrefixPatterns('github.com/other/lib', ['github.com/acme/*'])).toBe(false)
    expect(matchesPrefixPatterns('git.corp.example/x', ['*.corp.example'])).toBe(true)
    expect(matchesPrefixPatterns('gitlab.com/g/p', ['github.com/acme,gitlab.com/g'])).toBe(true)
  })

  it('splits and trims as go does: one trailing slash, no spaces (go never matches " b.com")', () => {
    expect(matchesPrefixPatterns('github.com/acme/x', ['github.com/acme/'])).toBe(true)
    expect(matchesPrefixPatterns('b.com/x', ['a.com/*, b.com'])).toBe(false)
    expect(matchesPrefixPatterns('b.com/x', ['a.com/*,b.com'])).toBe(true)
    expect(matchesPrefixPatterns('a.com/x', [',,a.com,'])).toBe(true)
  })

  it('honours classes and escapes as path.Match does, and a bad pattern matches nothing', () => {
    expect(matchesPrefixPatterns('github.com/acme2/x', ['github.com/acme[0-9]'])).toBe(true)
    expect(matchesPrefixPatterns('github.com/acmex/x', ['github.com/acme[0-9]'])).toBe(false)
    expect(matchesPrefixPatterns('github.com/a[b/x', ['github.com/a\\[b'])).toBe(true)
    expect(matchesPrefixPatterns('github.com/acme/x', ['github.com/acme/[', 'gitlab.com'])).toBe(false)
    expect(matchesPrefixPatterns('github.com/acme/x', ['github.com/acme/'])).toBe(true)
  })
})

describe('list inputs', () => {
  it('splits lists on commas and newlines and drops comments', () => {
    expect(parseList('github.com/acme/*, gitlab.com/x\n# note\n\n example.com/y ')).toEqual([
      'github.com/acme/*',
      'gitlab.com/x',
      'example.com/y'
    ])
    expect(parseList(undefined)).toEqual([])
  })
})

describe("glob syntax agrees with Go's own path.Match (real go as the oracle)", () => {
  const patterns = [
    'github.com/acme/*',
    'a[',
    'a[]',
    'a[^]',
    '[a-]',
    '[-a]',
    '[]a]',
    '[\\]]',
    '[a-z',
    'x\\',
    '\\*',
    '[^a-c]?',
    '*.corp.example.com',
    'a[b-c]d[e',
    'a]b',
    '[a\\-b]'
  ]

  it('reports a bad pattern exactly when path.Match does', async () => {
    const { execFileSync } = await import('node:child_process')
    const { mkdtempSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const path = await import('node:path')
    const dir = mkdtempSync(path.join(tmpdir(), 'globcheck-'))
    const program = path.join(dir, 'main.go')
    writeFileSync(
      program,
      `package main
import ("bufio"; "fmt"; "os"; "path")
func main() {
  s := bufio.NewScanner(os.Stdin)
  for s.Scan() { _, err := path.Match(s.Text(), "zzz"); fmt.Println(err != nil) }
}
`
    )
    const out = execFileSync('go', ['run', program], {
      input: patterns.join('\n') + '\n',
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '', GO111MODULE: 'off' }
    })
    const goBad = out
      .trim()
      .split('\n')
      .map((l) => l === 'true')
    expect(patterns.map((p) => globSyntaxError(p) !== undefined)).toEqual(goBad)
  })
})

describe('patterns that name more than a module path can', () => {
  it.each([
    ['github.com/acme/..', "'..' path element"],
    ['github.com/./acme', "'.' path element"],
    ['github.com//acme', 'empty path element'],
    ['github.com/acme/%2e%2e', "'%'"]
  ])('patternElementError(%j) says why', (pattern, why) => {
    expect(patternElementError(pattern)).toContain(why)
  })

  it('accepts ordinary patterns and a trailing slash', () => {
    for (const p of ['github.com/acme/*', '*.corp.example.com', 'github.com/acme/', 'rsc.io/[a-q]uote'])
      expect(patternElementError(p)).toBeUndefined()
  })

  it.each(['*', '***', '*/*', '?*', '*?/x', '**/acme'])('%j matches every module', (pattern) => {
    expect(matchesEveryModule(pattern)).toBe(true)
  })

  it.each(['*.com', 'github.com/*', '?', 'git*/x', 'github.com'])(
    '%j does not match every module',
    (pattern) => {
      expect(matchesEveryModule(pattern)).toBe(false)
    }
  )

  it('patternCovers: a pattern covers the module paths of a narrower one', () => {
    expect(patternCovers('github.com/acme', 'github.com/acme/*')).toBe(true)
    expect(patternCovers('github.com/*', 'github.com/acme/lib')).toBe(true)
    expect(patternCovers('*.corp.example', '*.corp.example')).toBe(true)
    expect(patternCovers('*.corp.example', 'git.corp.example/x')).toBe(true)
    expect(patternCovers('git.corp.example', '*.corp.example')).toBe(false)
    expect(patternCovers('github.com/acme/lib', 'github.com/acme/*')).toBe(false)
    expect(patternCovers('github.com/other', 'github.com/acme')).toBe(false)
  })

  it('agrees with matchesPrefixPatterns on literal module paths', () => {
    for (const [outer, module] of [
      ['github.com/acme/*', 'github.com/acme/lib/v2'],
      ['github.com/acme[0-9]', 'github.com/acme2/x'],
      ['github.com/acme/*', 'github.com/acme']
    ] as const)
      expect(patternCovers(outer, module)).toBe(matchesPrefixPatterns(module, [outer]))
  })
})

describe('list inputs with empty entries', () => {
  it.each([
    ['a,,b', 2],
    [',a', 1],
    ['a,', 1 + 1],
    ['a\n,b', 2]
  ])('emptyListEntry(%j) = %d', (value, n) => {
    expect(emptyListEntry(value)).toBe(n)
  })

  it('allows blank lines, comments and a comma that ends a line before more entries', () => {
    expect(emptyListEntry('a,\nb\n\n# c,,\n d ')).toBeUndefined()
    expect(emptyListEntry('')).toBeUndefined()
  })
})
