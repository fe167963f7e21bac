/**
 * go.sum lines checked before they reach go (go/sumcheck.ts): module path and version rules after
 * golang.org/x/mod/module.CheckPath, h1: hashes, and the argv that keeps a path from being an option.
 */
import { describe, expect, it } from '@jest/globals'
import { downloadArgs } from '../../src/download/attempt.js'
import { sumProblemDiagnosis } from '../../src/download/run.js'
import { goSumLines } from '../../src/go/modfiles.js'
import { modulePathProblem, readGoSum, versionProblem } from '../../src/go/sumcheck.js'

const H = 'h1:ywwLDClZn655OVibU9m/HAVqqUSolgYYfz23FiUrM5s='
const GOOD = `example.com/pub/m001 v1.0.0 ${H}
example.com/pub/m001 v1.0.0/go.mod ${H}
`

describe('module paths', () => {
  it.each([
    'github.com/BurntSushi/toml',
    'gopkg.in/yaml.v3',
    'go.opentelemetry.io/otel/sdk',
    '9fans.net/go',
    'github.com/cpuguy83/go-md2man/v2',
    'golang.org/toolchain',
    'example.com/a_b~c'
  ])('accepts %s', (p) => {
    expect(modulePathProblem(p)).toBeUndefined()
  })

  it.each([
    ['-modfile=x', "starts with '-'"],
    ['example.com/a b', "the character ' '"],
    ['example.com\\a', "the character '\\'"],
    ['example.com/../etc', "a '..' element"],
    ['example.com/./a', "a '.' element"],
    ['example.com//a', 'an empty element'],
    ['example.com/a/', 'an empty element'],
    ['example.com/.hidden', 'starting or ending with a dot'],
    ['localhost/a', 'no dot in its first element'],
    ['Example.com/a', 'not lower case'],
    ['example.com/a%2e%2e', "the character '%'"],
    ['', 'empty']
  ])('refuses %j (%s)', (p, why) => {
    expect(modulePathProblem(p)).toContain(why)
  })
})

describe('versions', () => {
  it.each([
    'v1.0.0',
    'v0.0.0-20210101000000-abcdef123456',
    'v2.0.0+incompatible',
    'v1.2.3-rc.1',
    'v0.0.1-go1.21.0.linux-amd64'
  ])('accepts %s', (v) => expect(versionProblem(v)).toBeUndefined())
  it.each(['1.0.0', 'v1.0', 'v1.0.0+meta', 'latest', 'v01.0.0', '-v1.0.0', 'v1.0.0 '])('refuses %j', (v) => {
    expect(versionProblem(v)).toContain('not a canonical semantic version')
  })
})

describe('goSumLines', () => {
  it('numbers the lines as the file does (blank lines and CRLF counted) and splits them into fields', () => {
    expect(goSumLines(`\r\n  example.com/a v1.0.0\t${H} \r\n\r\nexample.com/a v1.0.0/go.mod ${H}`)).toEqual([
      { line: 2, text: `example.com/a v1.0.0\t${H}`, fields: ['example.com/a', 'v1.0.0', H] },
      { line: 4, text: `example.com/a v1.0.0/go.mod ${H}`, fields: ['example.com/a', 'v1.0.0/go.mod', H] }
    ])
  })
})

describe('readGoSum', () => {
  it('accepts what go writes, listing the zip lines', () => {
    expect(readGoSum(GOOD)).toEqual({
      modules: [{ path: 'example.com/pub/m001', version: 'v1.0.0' }],
      problems: []
    })
  })

  it('refuses a garbled h1: hash (bad base64, wrong length), naming the line', () => {
    for (const hash of ['h1:not-base64!!', 'h1:abc', H.slice(0, -1)]) {
      const sum = readGoSum(`${GOOD}example.com/pub/m002 v1.0.0 ${hash}\n`)
      expect(sum.problems).toEqual([
        {
          line: 3,
          text: `example.com/pub/m002 v1.0.0 ${hash}`,
          why: expect.stringContaining('not a valid h1: hash')
        }
      ])
      expect(sum.modules.map((m) => m.path)).toEqual(['example.com/pub/m001'])
    }
  })

  it("refuses a hash go does not know unless the same line has an h1: one (go skips it: 'missing go.sum entry' later)", () => {
    expect(readGoSum(`example.com/pub/m002 v1.0.0 h2:AAAA\n`).problems[0]?.why).toContain(
      "'missing go.sum entry'"
    )
    expect(readGoSum(`${GOOD}example.com/pub/m001 v1.0.0 h2:AAAA\n`).problems).toEqual([])
  })

  it('refuses a path that would be an option on go’s command line, and lines with the wrong number of fields', () => {
    const sum = readGoSum(`${GOOD}-modfile=x v1.0.0 ${H}\nexample.com/pub/m003 v1.0.0\n`)
    expect(sum.problems.map((p) => [p.line, p.why])).toEqual([
      [3, expect.stringContaining("starts with '-'")],
      [4, expect.stringContaining('has 2 field(s)')]
    ])
    expect(sum.modules.map((m) => m.path)).toEqual(['example.com/pub/m001'])
  })

  it('makes a refused line a config failure at its file and line', () => {
    const [p] = readGoSum(`-modfile=x v1.0.0 ${H}\n`).problems
    const d = sumProblemDiagnosis({ ...p!, file: '/w/api/go.sum' }, 'api/go.sum')
    expect(d).toMatchObject({ errorClass: 'config', retryable: false, file: '/w/api/go.sum', line: 1 })
    expect(d.cause).toMatch(/^api\/go\.sum:1: the module path '-modfile=x' starts with '-'/)
  })
})

describe("go's command line", () => {
  it('ends the options with -- before the path@version arguments', () => {
    expect(downloadArgs([{ path: 'example.com/a', version: 'v1.0.0' }])).toEqual([
      'mod',
      'download',
      '-x',
      '-json',
      '--',
      'example.com/a@v1.0.0'
    ])
  })
})
