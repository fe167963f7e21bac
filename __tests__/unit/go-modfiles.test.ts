import { describe, expect, it } from '@jest/globals'
import { escapeModulePath, parseGoSum, unescapeModulePath } from '../../src/go/modfiles.js'

/** The zip lines of a go.sum (what the cache's verification compares zips with). */
const zipLines = (text: string) =>
  parseGoSum(text)
    .filter((e) => !e.isGoMod && e.hash.startsWith('h1:'))
    .map(({ path, version, hash }) => ({ path, version, hash }))

describe('go.sum', () => {
  // A real go.sum excerpt (github.com/spf13/cobra's, trimmed), with the /go.mod lines go also writes.
  const goSum = [
    'github.com/cpuguy83/go-md2man/v2 v2.0.4 h1:wfIWP927BUkWJb2NaU1fVcb3ODJ4CJhO81Kh+aq2/ZA=',
    'github.com/cpuguy83/go-md2man/v2 v2.0.4/go.mod h1:tgQtvFlXSQOSOSIRvRPT7W67SCa46tRHOmNcaadrF8o=',
    'github.com/inconshreveable/mousetrap v1.1.0 h1:wN+x4NVGpMsO7ErUn/mUI3vEoE6Jt13X2s0bqwp9tc8=',
    '',
    'gopkg.in/yaml.v3 v3.0.1/go.mod h1:K4uyk7z7BCEPqu6E+C64Yfv1cQ7kz7rIZviUmN+EgEM='
  ].join('\n')

  it('lists the zip lines only, with their hashes', () => {
    expect(zipLines(goSum)).toEqual([
      {
        path: 'github.com/cpuguy83/go-md2man/v2',
        version: 'v2.0.4',
        hash: 'h1:wfIWP927BUkWJb2NaU1fVcb3ODJ4CJhO81Kh+aq2/ZA='
      },
      {
        path: 'github.com/inconshreveable/mousetrap',
        version: 'v1.1.0',
        hash: 'h1:wN+x4NVGpMsO7ErUn/mUI3vEoE6Jt13X2s0bqwp9tc8='
      }
    ])
  })

  it('parses every line: path, version, whether it is the go.mod hash, the hash and its line number', () => {
    expect(parseGoSum(goSum)).toEqual([
      {
        path: 'github.com/cpuguy83/go-md2man/v2',
        version: 'v2.0.4',
        isGoMod: false,
        hash: 'h1:wfIWP927BUkWJb2NaU1fVcb3ODJ4CJhO81Kh+aq2/ZA=',
        line: 1
      },
      {
        path: 'github.com/cpuguy83/go-md2man/v2',
        version: 'v2.0.4',
        isGoMod: true,
        hash: 'h1:tgQtvFlXSQOSOSIRvRPT7W67SCa46tRHOmNcaadrF8o=',
        line: 2
      },
      {
        path: 'github.com/inconshreveable/mousetrap',
        version: 'v1.1.0',
        isGoMod: false,
        hash: 'h1:wN+x4NVGpMsO7ErUn/mUI3vEoE6Jt13X2s0bqwp9tc8=',
        line: 3
      },
      {
        path: 'gopkg.in/yaml.v3',
        version: 'v3.0.1',
        isGoMod: true,
        hash: 'h1:K4uyk7z7BCEPqu6E+C64Yfv1cQ7kz7rIZviUmN+EgEM=',
        line: 5
      }
    ])
  })

  it('skips malformed lines and CRLF endings', () => {
    expect(
      zipLines('broken line\r\nexample.com/a v1.0.0 h1:x=\r\nexample.com/b v1.0.0 sha256:x\r\n')
    ).toEqual([{ path: 'example.com/a', version: 'v1.0.0', hash: 'h1:x=' }])
  })
})

describe('module cache path escaping', () => {
  it('escapes upper case as cmd/go does', () => {
    expect(escapeModulePath('github.com/Azure/Go-Autorest')).toBe('github.com/!azure/!go-!autorest')
    expect(escapeModulePath('github.com/BurntSushi/toml')).toBe('github.com/!burnt!sushi/toml')
  })

  it('round-trips', () => {
    for (const p of ['github.com/Azure/azure-sdk-for-go', 'example.com/Acme/lib', 'golang.org/x/mod']) {
      expect(unescapeModulePath(escapeModulePath(p))).toBe(p)
    }
    expect(unescapeModulePath('github.com/!azure/azure-sdk-for-go')).toBe('github.com/Azure/azure-sdk-for-go')
  })
})
