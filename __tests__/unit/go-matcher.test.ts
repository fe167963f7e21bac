import { describe, expect, test } from '@jest/globals'
import fs from 'node:fs'

/**
 * matchers/go.json turns go's `file:line:col: message` lines into annotations (`::add-matcher::`). The
 * runner evaluates the pattern with .NET regular expressions; the pattern sticks to the syntax both
 * engines share, so JavaScript's RegExp is a faithful stand-in here.
 */
interface Pattern {
  regexp: string
  file: number
  line: number
  column: number
  message: number
}
const matcherFile = JSON.parse(
  fs.readFileSync(new URL('../../matchers/go.json', import.meta.url), 'utf8')
) as {
  problemMatcher: { owner: string; pattern: Pattern[] }[]
}
const matcher = matcherFile.problemMatcher[0]!
const pattern = matcher.pattern[0]!
const regexp = new RegExp(pattern.regexp)

function match(
  line: string
): { file: string; line: string; column: string | undefined; message: string } | undefined {
  const m = regexp.exec(line)
  if (!m) return undefined
  return {
    file: m[pattern.file]!,
    line: m[pattern.line]!,
    column: m[pattern.column],
    message: m[pattern.message]!
  }
}

describe('go problem matcher', () => {
  test('has an owner of its own, so it does not replace actions/setup-go\'s "go" matcher', () => {
    expect(matcher.owner).toBe('setup-go-deps-go')
    expect(matcher.pattern).toHaveLength(1)
  })

  // Lines below were printed by go 1.19 (go build, go vet, go test, go mod download) while writing this test.
  test('matches a compiler error with file, line, column and message', () => {
    expect(match('./main.go:7:6: unused declared but not used')).toEqual({
      file: './main.go',
      line: '7',
      column: '6',
      message: 'unused declared but not used'
    })
  })

  test('matches a vet finding behind the "vet: " prefix', () => {
    expect(match('vet: ./x_test.go:4:6: main redeclared in this block')).toMatchObject({
      file: './x_test.go',
      line: '4'
    })
    expect(match('./main.go:6:2: fmt.Printf format %d has arg "x" of wrong type string')).toMatchObject({
      file: './main.go',
      column: '2',
      message: 'fmt.Printf format %d has arg "x" of wrong type string'
    })
  })

  test('matches an indented follow-up line of a compiler error', () => {
    expect(match('\t./main.go:5:6: other declaration of main')).toMatchObject({
      file: './main.go',
      line: '5'
    })
  })

  test('matches a go.mod parse error, which has a line but no column', () => {
    expect(match('/tmp/gp/app/go.mod:5: unknown directive: requir')).toEqual({
      file: '/tmp/gp/app/go.mod',
      line: '5',
      column: undefined,
      message: 'unknown directive: requir'
    })
  })

  test('matches a failing test line that go test prints relative to the package', () => {
    expect(match('    main_test.go:12: got 2, want 1')).toMatchObject({
      file: 'main_test.go',
      line: '12',
      message: 'got 2, want 1'
    })
  })

  test('matches Windows paths with a drive letter and backslashes', () => {
    expect(match('D:\\a\\app\\app\\cmd\\main.go:7:6: undefined: foo')).toMatchObject({
      file: 'D:\\a\\app\\app\\cmd\\main.go',
      line: '7',
      column: '6'
    })
    expect(match('.\\main.go:3:15: undefined: testing')).toMatchObject({ file: '.\\main.go', line: '3' })
  })

  test.each([
    ['a package header', '# example.com/vet'],
    ['a checksum mismatch header', 'verifying example.com/lib@v1.0.0/go.mod: checksum mismatch'],
    ['the go.sum hash of a mismatch', '\tgo.sum:     h1:AAAAjjo22kIJXYQ3X+cEBhjhoz4j4WEJQKOJzGWA9g0='],
    [
      'a module download error',
      'go: example.com/missing@v1.2.3: reading https://proxy.golang.org/example.com/missing/@v/v1.2.3.info: 404 Not Found'
    ],
    ['a panic stack frame', '\t/home/runner/work/app/app/main.go:12 +0x1d'],
    ['a test summary', '--- FAIL: TestX (0.00s)'],
    ['a build failure summary', 'FAIL\texample.com/vet [build failed]'],
    ['a URL with a port', 'dial tcp: lookup https://example.com:8080: no such host']
  ])('does not match %s', (_what, line) => {
    expect(match(line)).toBeUndefined()
  })
})
