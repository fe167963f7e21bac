import { describe, expect, it } from '@jest/globals'
import {
  validateGoEnv,
  validateGoflags,
  validateGoproxy,
  validateGosumdb,
  validatePatternList,
  validatePatterns
} from '../../src/environment/validate.js'
import { inputErrorOf as errorOf } from '../helpers/input-error.ts'

describe('GOPRIVATE patterns (private-modules, gonoproxy, gonosumdb)', () => {
  it('accepts the pattern forms go documents and drops a trailing slash as go does', () => {
    expect(
      validatePatterns('private-modules', [
        'github.com/acme/*',
        '*.corp.example.com',
        'gitlab.com/acme/',
        'rsc.io/[a-q]uote'
      ])
    ).toEqual(['github.com/acme/*', '*.corp.example.com', 'gitlab.com/acme', 'rsc.io/[a-q]uote'])
  })

  it.each([
    ['github.com/acme/[abc', "'[' character class is not closed"],
    ['github.com/acme/[]x', 'empty or holds a misplaced'],
    ['github.com/acme/[a-]', 'has no end'],
    ['github.com/acme\\', 'lone backslash']
  ])('refuses %s, which path.Match reports as a bad pattern', (pattern, why) => {
    const error = errorOf(() => validatePatterns('private-modules', [pattern]))
    expect(error.input).toBe('private-modules')
    expect(error.message).toContain(pattern)
    expect(error.message).toContain(why)
    expect(error.message).toContain('silently ignore')
  })

  it('refuses a URL with a scheme and says patterns are module paths', () => {
    const error = errorOf(() => validatePatterns('private-modules', ['https://github.com/acme']))
    expect(error.message).toMatch(/'https:\/\/github.com\/acme', which is a URL/)
    expect(error.message).toContain("'github.com/acme/*'")
  })

  it('refuses an scp-like git address and a pattern with a space', () => {
    expect(errorOf(() => validatePatterns('private-modules', ['git@github.com:acme'])).message).toContain(
      'which is a URL'
    )
    expect(errorOf(() => validatePatterns('gonoproxy', ['github.com/acme repo'])).message).toMatch(
      /^Input 'gonoproxy'.*space/
    )
  })

  it('joins a comma or newline separated list for GONOPROXY', () => {
    expect(validatePatternList('gonoproxy', 'github.com/acme/*,\n corp.example.com/\n')).toBe(
      'github.com/acme/*,corp.example.com'
    )
    expect(validatePatternList('gonoproxy', '  ')).toBe('')
  })
})

describe('goproxy', () => {
  it('accepts URLs, direct and off with either separator, and bare hosts go completes with https', () => {
    expect(validateGoproxy('goproxy', 'https://proxy.golang.org, direct')).toBe(
      'https://proxy.golang.org,direct'
    )
    expect(validateGoproxy('goproxy', 'https://a.example|https://b.example,off')).toBe(
      'https://a.example|https://b.example,off'
    )
    expect(validateGoproxy('goproxy', 'proxy.corp.example.com')).toBe('proxy.corp.example.com')
    expect(validateGoproxy('goproxy', 'file:///tmp/proxy')).toBe('file:///tmp/proxy')
    expect(validateGoproxy('goproxy', '')).toBe('')
  })

  it.each([
    ['noproxy', "'noproxy' is neither a URL nor 'direct' or 'off'"],
    ['ftp://proxy.example.com', 'go accepts only https, http and file'],
    ['https://proxy.golang.org,,direct', 'entry 2 is empty'],
    ['direct,https://proxy.golang.org', "go never uses the entries after 'direct'"]
  ])('refuses %s with the reason', (value, reason) => {
    const error = errorOf(() => validateGoproxy('goproxy', value))
    expect(error.input).toBe('goproxy')
    expect(error.message).toContain(`Input 'goproxy' is '${value}'`)
    expect(error.message).toContain(reason)
  })

  it('refuses a proxy URL with credentials without echoing them', () => {
    const error = errorOf(() => validateGoproxy('goproxy', 'https://bob:s3cr3t@proxy.corp.example.com'))
    expect(error.message).not.toContain('s3cr3t')
    expect(error.message).toContain("'credentials'")
  })
})

describe('gosumdb', () => {
  const key = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8'
  it('accepts off, a known name, a verifier key and a key with a URL', () => {
    expect(validateGosumdb('gosumdb', 'off')).toBe('off')
    expect(validateGosumdb('gosumdb', 'sum.golang.org')).toBe('sum.golang.org')
    expect(validateGosumdb('gosumdb', key)).toBe(key)
    expect(validateGosumdb('gosumdb', `${key}   https://sum.corp.example.com`)).toBe(
      `${key} https://sum.corp.example.com`
    )
    expect(validateGosumdb('gosumdb', 'sum.golang.org https://sum.golang.google.cn')).toBe(
      'sum.golang.org https://sum.golang.google.cn'
    )
  })

  it.each([
    ['sum.corp.example.com', 'neither a sum database go knows'],
    ['sum.golang.org not-a-url', "'not-a-url' is not an http(s) URL"],
    [`${key} https://a.example extra`, 'more than a key and a URL'],
    ['sum.golang.org+zz+key', 'neither a sum database go knows']
  ])('refuses %s', (value, reason) => {
    const error = errorOf(() => validateGosumdb('gosumdb', value))
    expect(error.input).toBe('gosumdb')
    expect(error.message).toContain(reason)
    expect(error.message).toContain("'off'")
  })
})

describe('goflags', () => {
  it('accepts flags and normalises spacing', () => {
    expect(validateGoflags('goflags', ' -mod=mod   -trimpath --tags=a,b ')).toBe(
      '-mod=mod -trimpath --tags=a,b'
    )
  })

  it.each(['-insecure', '--insecure', '-insecure=true'])('refuses %s and points to GOINSECURE', (flag) => {
    const error = errorOf(() => validateGoflags('goflags', `-mod=mod ${flag}`))
    expect(error.input).toBe('goflags')
    expect(error.message).toContain(`'${flag}'`)
    expect(error.message).toContain('GOINSECURE')
  })

  it('refuses a flag value given as a separate word, as go does', () => {
    expect(errorOf(() => validateGoflags('goflags', '-tags foo')).message).toContain("'foo' is not a flag")
    expect(errorOf(() => validateGoflags('goflags', '-=x')).message).toContain("'-=x' is not a flag")
  })
})

it('validateGoEnv names the failing input among all five', () => {
  const ok = { goproxy: '', gosumdb: '', gonoproxy: '', gonosumdb: '', goflags: '' }
  expect(validateGoEnv(ok)).toEqual(ok)
  expect(errorOf(() => validateGoEnv({ ...ok, gonosumdb: 'x/[' })).input).toBe('gonosumdb')
  expect(errorOf(() => validateGoEnv({ ...ok, gosumdb: 'bogus' })).input).toBe('gosumdb')
})

describe("the runner's own values are checked like inputs, naming the variable and where it was set", () => {
  const field = {
    name: 'GOPROXY',
    label: 'GOPROXY (set by go env -w (GOENV file /home/runner/.config/go/env))',
    fix: "To fix it, run 'go env -w GOPROXY=<value>' on the runner, or set input 'goproxy' to override it."
  }

  it('names the variable, its origin and both fixes', () => {
    const error = errorOf(() => validateGoproxy(field, 'noproxy'))
    expect(error.input).toBe('GOPROXY')
    expect(error.message).toMatch(
      /^GOPROXY \(set by go env -w \(GOENV file \/home\/runner\/.config\/go\/env\)\) is 'noproxy'/
    )
    expect(error.message).toContain("set input 'goproxy' to override it")
  })

  it("accepts a runner proxy login (the runner's business) but never echoes it", () => {
    expect(validateGoproxy(field, 'https://bob:s3cr3t@proxy.corp.example')).toBe(
      'https://bob:s3cr3t@proxy.corp.example'
    )
    const error = errorOf(() => validateGoproxy(field, 'https://bob:s3cr3t@proxy.corp.example,,direct'))
    expect(error.message).not.toContain('s3cr3t')
    expect(error.message).toContain('//***@proxy.corp.example')
  })

  it('refuses -insecure and an unterminated quote in a runner GOFLAGS', () => {
    const flags = { ...field, name: 'GOFLAGS', label: "GOFLAGS (set by the runner's environment)" }
    expect(errorOf(() => validateGoflags(flags, '-insecure')).message).toMatch(
      /^GOFLAGS \(set by the runner's environment\) has '-insecure'/
    )
    expect(errorOf(() => validateGoflags(flags, '"-x')).message).toContain('unterminated " string')
  })
})

describe('goflags parsed as go does', () => {
  it.each([
    ['-ldflags="-s -w', 'quote the whole flag instead'],
    ['"-ldflags=-s -w', 'unterminated " string'],
    ["-mod=mod '-tags=a", "unterminated ' string"],
    ['-ldflags="-s', 'quote the whole flag instead'],
    ['-ldflags=main', 'needs a package pattern'],
    ['-gcflags=all="-N', 'its value has an unterminated " string'],
    ['-mod=bogus', '-mod takes mod, readonly or vendor'],
    ['foo', "'foo' is not a flag"]
  ])('refuses %s, naming goflags', (value, why) => {
    const error = errorOf(() => validateGoflags('goflags', value))
    expect(error.input).toBe('goflags')
    expect(error.message).toContain(`Input 'goflags' is '${value}'`)
    expect(error.message).toContain(why)
  })

  it('keeps a quoted value as written (go splits the exported value again)', () => {
    expect(validateGoflags('goflags', `"-ldflags=-s -w" -trimpath`)).toBe(`"-ldflags=-s -w" -trimpath`)
  })
})
