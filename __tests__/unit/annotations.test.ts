import { describe, expect, test } from '@jest/globals'
import { annotationTarget, type GoFileText } from '../../src/annotations.js'
import { splitModule } from '../../src/go/modfiles.js'
import { parseGoModFile } from '../../src/go/gomod.js'
import type { Diagnosis } from '../../src/types.js'

// The evidence strings below are what go 1.19 printed for a file:// GOPROXY in which
// example.com/missing does not exist and go.sum was edited by hand (captured while writing this test);
// the `requires go >=` lines are go 1.21+ wording (go 1.19 does not enforce the go line). The
// example.com/transitive go.sum lines are made up (only their position matters).
const NOT_FOUND =
  'example.com/missing@v1.2.3: reading file:///tmp/gp/proxy/example.com/missing/@v/v1.2.3.info: no such file or directory'
const ZIP_MISMATCH = [
  'verifying example.com/lib@v1.0.0: checksum mismatch',
  '\tdownloaded: h1:QOIjjjo22kIJXYQ3X+cEBhjhoz4j4WEJQKOJzGWA9g0=',
  '\tgo.sum:     h1:AAAAjjo22kIJXYQ3X+cEBhjhoz4j4WEJQKOJzGWA9g0=',
  '',
  'SECURITY ERROR'
].join('\n')
const GOMOD_MISMATCH = [
  'verifying example.com/lib@v1.0.0/go.mod: checksum mismatch',
  '\tdownloaded: h1:HwqbfeMRqJtcNhqUwzjhPwsEB0Cr5U3U5sCLg7xgNyo=',
  '\tgo.sum:     h1:BBBBfeMRqJtcNhqUwzjhPwsEB0Cr5U3U5sCLg7xgNyo='
].join('\n')

const GO_MOD = `module example.com/app

go 1.19

require (
\texample.com/lib v1.0.0
\texample.com/missing v1.2.3 // indirect
)
`
const GO_SUM = `example.com/lib v1.0.0 h1:QOIjjjo22kIJXYQ3X+cEBhjhoz4j4WEJQKOJzGWA9g0=
example.com/lib v1.0.0/go.mod h1:HwqbfeMRqJtcNhqUwzjhPwsEB0Cr5U3U5sCLg7xgNyo=
example.com/transitive v0.3.0/go.mod h1:4Z2X8qbNqPGfLwN3Q3Yc4JZlLw0R8fG3f0l0m1P0m9o=
example.com/transitive v0.3.0 h1:k2aKjS6Xw0a9vV6l8u5c1WJ3T2qj5e0bqkS0xXo2g3E=
`

function diagnosis(over: Partial<Diagnosis>): Diagnosis {
  return {
    errorClass: 'not-found',
    retryable: false,
    cause: 'example.com/missing@v1.2.3 does not exist on the module proxy.',
    hint: 'Check that the tag v1.2.3 was pushed.',
    evidence: NOT_FOUND,
    module: 'example.com/missing@v1.2.3',
    ...over
  }
}

const project: GoFileText[] = [
  { path: 'go.mod', text: GO_MOD },
  { path: 'go.sum', text: GO_SUM }
]

describe('annotationTarget', () => {
  test('points a module that was not found at its require line inside a require block', () => {
    const target = annotationTarget(diagnosis({}), project)
    expect(target).toEqual({
      file: 'go.mod',
      startLine: 7,
      title: 'module version not found: example.com/missing@v1.2.3',
      message:
        'example.com/missing@v1.2.3 does not exist on the module proxy. Check that the tag v1.2.3 was pushed.'
    })
  })

  test('finds a single-line require directive', () => {
    const files = [{ path: 'go.mod', text: 'module m\n\ngo 1.21\n\nrequire example.com/missing v1.2.3\n' }]
    expect(annotationTarget(diagnosis({}), files)?.startLine).toBe(5)
  })

  test('points a checksum mismatch of a module zip at the go.sum h1 line, not the go.mod line', () => {
    const target = annotationTarget(
      diagnosis({ errorClass: 'checksum', module: 'example.com/lib@v1.0.0', evidence: ZIP_MISMATCH }),
      project
    )
    expect(target?.file).toBe('go.sum')
    expect(target?.startLine).toBe(1)
    expect(target?.title).toBe('checksum mismatch: example.com/lib@v1.0.0')
  })

  test('points a checksum mismatch of a go.mod file at the /go.mod line of go.sum', () => {
    const target = annotationTarget(
      diagnosis({ errorClass: 'checksum', module: 'example.com/lib@v1.0.0', evidence: GOMOD_MISMATCH }),
      project
    )
    expect(target).toMatchObject({ file: 'go.sum', startLine: 2 })
  })

  test('falls back to the require line when go.sum has no line for the mismatching module', () => {
    const target = annotationTarget(
      diagnosis({ errorClass: 'checksum', module: 'example.com/lib@v1.0.0', evidence: ZIP_MISMATCH }),
      [{ path: 'go.mod', text: GO_MOD }]
    )
    expect(target).toMatchObject({ file: 'go.mod', startLine: 6 })
  })

  test('uses the go.sum line of a transitive module that go.mod does not list', () => {
    const target = annotationTarget(
      diagnosis({
        errorClass: 'proxy',
        module: 'example.com/transitive@v0.3.0',
        evidence: '502 Bad Gateway'
      }),
      project
    )
    expect(target).toMatchObject({
      file: 'go.sum',
      startLine: 4,
      title: 'module proxy error: example.com/transitive@v0.3.0'
    })
  })

  test('finds the module in the go.mod of the workspace member that requires it', () => {
    const files: GoFileText[] = [
      { path: 'go.work', text: 'go 1.22\n\nuse (\n\t./api\n\t./worker\n)\n' },
      { path: 'api/go.mod', text: 'module example.com/api\n\ngo 1.22\n' },
      {
        path: 'worker/go.mod',
        text: 'module example.com/worker\n\ngo 1.22\n\nrequire (\n\tgithub.com/acme/private v1.4.0\n)\n'
      }
    ]
    const target = annotationTarget(
      diagnosis({
        errorClass: 'auth',
        module: 'github.com/acme/private@v1.4.0',
        evidence: 'terminal prompts disabled'
      }),
      files
    )
    expect(target).toMatchObject({
      file: 'worker/go.mod',
      startLine: 6,
      title: 'authentication failed: github.com/acme/private@v1.4.0'
    })
  })

  test('points at the replace line when the failing module is the replacement', () => {
    const goMod = [
      'module example.com/app',
      '',
      'go 1.22',
      '',
      'require example.com/upstream v1.0.0',
      '',
      'replace (',
      '\texample.com/other => ../other',
      '\texample.com/upstream v1.0.0 => github.com/acme/fork v1.0.1-fix',
      ')'
    ].join('\n')
    const target = annotationTarget(diagnosis({ module: 'github.com/acme/fork@v1.0.1-fix' }), [
      { path: 'go.mod', text: goMod }
    ])
    expect(target).toMatchObject({ file: 'go.mod', startLine: 9 })
  })

  test('finds a replace directive in go.work', () => {
    const goWork = 'go 1.22\n\nuse .\n\nreplace example.com/a => example.com/b v0.2.0\n'
    const target = annotationTarget(diagnosis({ module: 'example.com/b@v0.2.0' }), [
      { path: 'go.work', text: goWork }
    ])
    expect(target).toMatchObject({ file: 'go.work', startLine: 5 })
  })

  test('prefers the exact version and else takes the require line of the same path', () => {
    const goMod = 'module m\n\nrequire (\n\texample.com/x v1.0.0\n)\n\nrequire example.com/y v1.1.0\n'
    const files = [
      { path: 'a/go.mod', text: goMod },
      { path: 'b/go.mod', text: 'module n\n\nrequire example.com/x v1.2.0\n' }
    ]
    expect(annotationTarget(diagnosis({ module: 'example.com/x@v1.2.0' }), files)).toMatchObject({
      file: 'b/go.mod',
      startLine: 3
    })
    // go selected v1.3.0 through another dependency: the closest line a user can edit is still this one.
    expect(annotationTarget(diagnosis({ module: 'example.com/y@v1.3.0' }), files)).toMatchObject({
      file: 'a/go.mod',
      startLine: 7
    })
  })

  test('handles pseudo-versions, +incompatible, quoted paths and CRLF line endings', () => {
    const goMod = [
      'module m',
      'require (',
      '\t"example.com/quoted" v0.0.0-20240102150405-abcdef123456 // indirect',
      '\tgithub.com/old/lib v2.3.0+incompatible',
      ')'
    ].join('\r\n')
    const files = [{ path: 'go.mod', text: goMod }]
    expect(
      annotationTarget(diagnosis({ module: 'example.com/quoted@v0.0.0-20240102150405-abcdef123456' }), files)
        ?.startLine
    ).toBe(3)
    expect(
      annotationTarget(diagnosis({ module: 'github.com/old/lib@v2.3.0+incompatible' }), files)?.startLine
    ).toBe(4)
  })

  test('does not mistake a commented-out require for the real one', () => {
    const goMod = 'module m\n\n// require example.com/missing v1.2.3\nrequire example.com/missing v1.2.3\n'
    expect(annotationTarget(diagnosis({}), [{ path: 'go.mod', text: goMod }])?.startLine).toBe(4)
  })

  test('returns undefined when the module appears in none of the files', () => {
    expect(annotationTarget(diagnosis({ module: 'example.com/elsewhere@v9.9.9' }), project)).toBeUndefined()
  })

  test('places a go.mod parse error on the line go printed, mapping the absolute path to the relative one', () => {
    const evidence =
      'go: errors parsing go.mod:\n/home/runner/work/app/app/api/go.mod:5: unknown directive: requir'
    const files = [
      { path: 'go.mod', text: GO_MOD },
      { path: 'api/go.mod', text: 'module a\n\ngo 1.19\n\nrequir example.com/lib v1.0.0\n' }
    ]
    const target = annotationTarget(diagnosis({ errorClass: 'config', module: undefined, evidence }), files)
    expect(target).toMatchObject({ file: 'api/go.mod', startLine: 5, title: 'Go configuration error' })
  })

  test('matches a Windows path go printed with backslashes', () => {
    const evidence = 'go: errors parsing go.mod:\nD:\\a\\app\\app\\go.mod:3: unknown directive: requir'
    const target = annotationTarget(diagnosis({ errorClass: 'config', module: undefined, evidence }), project)
    expect(target).toMatchObject({ file: 'go.mod', startLine: 3 })
  })

  test('points a "go.mod requires go >=" failure at the go line', () => {
    const evidence = 'go: go.mod requires go >= 1.23.0 (running go 1.22.5; GOTOOLCHAIN=local)'
    const target = annotationTarget(
      diagnosis({
        errorClass: 'config',
        module: undefined,
        evidence,
        cause: 'go.mod needs Go 1.23.',
        hint: "Set 'go-version: 1.23'."
      }),
      project
    )
    expect(target).toEqual({
      file: 'go.mod',
      startLine: 3,
      title: 'Go configuration error',
      message: "go.mod needs Go 1.23. Set 'go-version: 1.23'."
    })
  })

  test('points a dependency that needs a newer Go at its require line', () => {
    const evidence = 'go: example.com/lib@v1.0.0 requires go >= 1.23 (running go 1.22.5; GOTOOLCHAIN=local)'
    const target = annotationTarget(
      diagnosis({ errorClass: 'config', module: 'example.com/lib@v1.0.0', evidence }),
      project
    )
    expect(target).toMatchObject({ file: 'go.mod', startLine: 6 })
  })

  test('places a failure that carries its file and line exactly there (a go.mod go could not parse)', () => {
    const d = diagnosis({
      errorClass: 'config',
      module: undefined,
      cause: 'go.mod:4: unknown directive: foo.',
      evidence: 'go.mod:4: unknown directive: foo',
      file: '/home/runner/work/r/r/api/go.mod',
      line: 4
    })
    const files = [...project, { path: 'api/go.mod', text: `${GO_MOD}foo bar\n` }]
    expect(annotationTarget(d, files)).toMatchObject({ file: 'api/go.mod', startLine: 4 })
  })

  test('places a refused go.sum line at its line, not at the require line of its module', () => {
    const d = diagnosis({
      errorClass: 'config',
      file: '/w/go.sum',
      line: 3,
      module: 'example.com/lib@v1.0.0'
    })
    expect(annotationTarget(d, project)).toMatchObject({ file: 'go.sum', startLine: 3 })
  })

  test('returns undefined for a failure without module or location', () => {
    const d = diagnosis({
      errorClass: 'network',
      module: undefined,
      evidence: 'dial tcp: lookup proxy.golang.org: i/o timeout'
    })
    expect(annotationTarget(d, project)).toBeUndefined()
  })
})

describe('go.mod lines (go/gomod.ts)', () => {
  test('gives block members their own line and skips comments and blank lines', () => {
    const f = parseGoModFile(GO_MOD)
    expect([f.module?.line, f.go?.line, ...f.requires.map((r) => [r.line, r.path, r.version])]).toEqual([
      1,
      3,
      [6, 'example.com/lib', 'v1.0.0'],
      [7, 'example.com/missing', 'v1.2.3']
    ])
  })
})

describe('splitModule', () => {
  test('splits at the last @ and rejects strings that are not path@version', () => {
    expect(splitModule('example.com/a@v1.0.0')).toEqual({ path: 'example.com/a', version: 'v1.0.0' })
    expect(splitModule('example.com/a')).toBeUndefined()
    expect(splitModule('example.com/a@')).toBeUndefined()
  })
})
