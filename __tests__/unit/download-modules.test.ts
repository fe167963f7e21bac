/**
 * The pure module-list logic: real go.sum / go.mod / go.work / vendor/modules.txt texts in, lists out.
 */
import { describe, expect, it } from '@jest/globals'
import {
  limitCommandLine,
  modFlag,
  moduleFromCachePath,
  processCount,
  splitRoundRobin,
  uniqueModules,
  vendorDecision
} from '../../src/download/modules.js'
import { moduleCacheFiles } from '../../src/go/modfiles.js'
import { readGoSum } from '../../src/go/sumcheck.js'
import { parseGoModFile } from '../../src/go/gomod.js'
import { goVersionAtLeast } from '../../src/go/version.js'

// A go.sum in the shape of github.com/spf13/cobra v1.8.0's (zip and /go.mod lines; the parser reads structure, not hashes).
const COBRA_GO_SUM = `github.com/cpuguy83/go-md2man/v2 v2.0.3/go.mod h1:tgQtvFlXSQOSOSIRvRPT7W67SCa46tRHOmNcaadrF8o=
github.com/inconshreveable/mousetrap v1.1.0 h1:wN+x4NVGpMsO7ErUn/mUI3vEoE6Jt13X2s0bqwp9tc8=
github.com/inconshreveable/mousetrap v1.1.0/go.mod h1:vpF70FUmC8bwa3OWnCshd2FqLfsEA9PFc4w1p2J65bw=
github.com/russross/blackfriday/v2 v2.1.0/go.mod h1:+Rmxgy9KzJVeS9/2gXHxylqXiyQDYRxCVz55jmeOWTM=
github.com/spf13/pflag v1.0.5 h1:iy+VFUOCP1a+8yFto/drg2CJ5u0yRoB7fZw3DKv/JXA=
github.com/spf13/pflag v1.0.5/go.mod h1:McXfInJRrz4CZXVZOBLb0bTZqETkiAhM9Iw0y3An2Bg=
gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405/go.mod h1:Co6ibVJAznAaIkqp8huTwlJQCZ016jof/cbN4VW5Yz0=
gopkg.in/yaml.v3 v3.0.1 h1:fxVm/GzAzEWqLHuvctI91KS9hhNmmWOoWu0XTYJS7CA=
gopkg.in/yaml.v3 v3.0.1/go.mod h1:K4uyk7z7BCEPqu6E4C4Cy7wUUmO4Ni6Ho1jZUpa3ue8=
`

describe('readGoSum', () => {
  it('keeps the zip lines and drops the /go.mod lines', () => {
    expect(readGoSum(COBRA_GO_SUM)).toEqual({
      modules: [
        { path: 'github.com/inconshreveable/mousetrap', version: 'v1.1.0' },
        { path: 'github.com/spf13/pflag', version: 'v1.0.5' },
        { path: 'gopkg.in/yaml.v3', version: 'v3.0.1' }
      ],
      problems: []
    })
  })

  it('reads CRLF line ends and blank lines', () => {
    expect(readGoSum(COBRA_GO_SUM.replace(/\n/g, '\r\n\r\n')).modules).toHaveLength(3)
  })

  it('merges several go.sum files without duplicates, in first-seen order', () => {
    const [x, y, z] = [
      { path: 'x.org/a', version: 'v1.0.0' },
      { path: 'y.org/b', version: 'v1.0.0' },
      { path: 'z.org/c', version: 'v0.1.0' }
    ]
    expect(
      uniqueModules([
        [x!, y!],
        [y!, z!]
      ]).map((m) => m.path)
    ).toEqual(['x.org/a', 'y.org/b', 'z.org/c'])
  })
})

describe('processCount', () => {
  it.each([
    [0, 1],
    [1, 1],
    [4, 1],
    [5, 2],
    [100, 25],
    [128, 32],
    [500, 32]
  ])('auto starts one process per 4 of %i modules to fetch, 1 to 32: %i', (pending, want) => {
    expect(processCount('auto', { pending, toFetch: pending, cores: 1 })).toBe(want)
  })

  it('auto gives modules already in the cache (extraction only) one process per core', () => {
    expect(processCount('auto', { pending: 100, toFetch: 0, cores: 2 })).toBe(2)
    expect(processCount('auto', { pending: 100, toFetch: 0, cores: 4 })).toBe(4)
    expect(processCount('auto', { pending: 1, toFetch: 0, cores: 4 })).toBe(1)
    // A bump: one module to fetch, the rest restored.
    expect(processCount('auto', { pending: 101, toFetch: 1, cores: 2 })).toBe(2)
    expect(processCount('auto', { pending: 150, toFetch: 50, cores: 2 })).toBe(13)
  })

  it('a fixed parallel is used as given, but never more processes than modules', () => {
    expect(processCount(8, { pending: 100, toFetch: 100, cores: 2 })).toBe(8)
    expect(processCount(8, { pending: 100, toFetch: 0, cores: 2 })).toBe(8)
    expect(processCount(8, { pending: 3, toFetch: 3, cores: 2 })).toBe(3)
    expect(processCount(32, { pending: 500, toFetch: 500, cores: 2 })).toBe(32)
  })
})

describe('splitRoundRobin', () => {
  it('deals items round-robin into k batches', () => {
    expect(splitRoundRobin([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([
      [1, 4, 7],
      [2, 5],
      [3, 6]
    ])
  })

  it('never makes empty batches and copes with k larger than the list or below 1', () => {
    expect(splitRoundRobin(['a', 'b'], 8)).toEqual([['a'], ['b']])
    expect(splitRoundRobin(['a', 'b'], 0)).toEqual([['a', 'b']])
    expect(splitRoundRobin([], 4)).toEqual([])
  })
})

describe('go.mod and go.work', () => {
  const GO_MOD = `module github.com/acme/service // the service

go 1.21

toolchain go1.21.5

require (
	github.com/spf13/cobra v1.8.0
	golang.org/x/sync v0.6.0 // indirect
)

require "gopkg.in/yaml.v3" v3.0.1

replace github.com/old/x => ../x
`
  it('reads module, go and every require (blocks, quoted paths, comments)', () => {
    const mod = parseGoModFile(GO_MOD)
    expect({
      module: mod.module?.path,
      go: mod.go?.version,
      requires: mod.requires.map(({ path, version }) => ({ path, version }))
    }).toEqual({
      module: 'github.com/acme/service',
      go: '1.21',
      requires: [
        { path: 'github.com/spf13/cobra', version: 'v1.8.0' },
        { path: 'golang.org/x/sync', version: 'v0.6.0' },
        { path: 'gopkg.in/yaml.v3', version: 'v3.0.1' }
      ]
    })
  })

  it('reads the use directories of a go.work', () => {
    const work = parseGoModFile('go 1.21\n\nuse (\n\t./api\n\t./cli // tools\n)\nuse ./lib\n')
    expect({ go: work.go?.version, use: work.uses.map((u) => u.dir) }).toEqual({
      go: '1.21',
      use: ['./api', './cli', './lib']
    })
  })

  it('compares go versions numerically', () => {
    expect(goVersionAtLeast('1.14', '1.14')).toBe(true)
    expect(goVersionAtLeast('1.9', '1.14')).toBe(false)
    expect(goVersionAtLeast('1.21.3', '1.14')).toBe(true)
    expect(goVersionAtLeast('1.23rc1', '1.23')).toBe(true)
    // Prereleases sort before their release (by hand, 1.22beta1 read as 1.22.1).
    expect(goVersionAtLeast('1.22beta1', '1.22.0')).toBe(false)
    expect(goVersionAtLeast('1.22rc2', '1.22rc1')).toBe(true)
    expect(goVersionAtLeast('1.22alpha1', '1.22beta1')).toBe(false)
    expect(goVersionAtLeast('garbage', '1.14')).toBe(false)
  })
})

describe('vendorDecision', () => {
  const goMod =
    'module m\n\ngo 1.19\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgithub.com/c/d v0.2.0 // indirect\n)\n'
  const consistent = `# github.com/a/b v1.0.0
## explicit; go 1.18
github.com/a/b
# github.com/c/d v0.2.0
## explicit
github.com/c/d/sub
# github.com/e/f v1.1.0
github.com/e/f
`
  it('skips a consistent vendor directory under go >= 1.14', () => {
    expect(vendorDecision({ goMod, modulesTxt: consistent, goflags: '' })).toEqual({ vendored: true })
  })

  it('downloads when vendor/modules.txt is missing, inconsistent or overridden by GOFLAGS', () => {
    expect(vendorDecision({ goMod, modulesTxt: undefined, goflags: '' }).vendored).toBe(false)
    const stale = consistent.replace('github.com/a/b v1.0.0', 'github.com/a/b v0.9.0')
    expect(vendorDecision({ goMod, modulesTxt: stale, goflags: '' })).toMatchObject({ vendored: false })
    expect(vendorDecision({ goMod, modulesTxt: consistent, goflags: '-mod=mod' })).toEqual({
      vendored: false,
      reason: 'GOFLAGS sets -mod=mod'
    })
  })

  it('does not assume vendoring below go 1.14 unless -mod=vendor is set', () => {
    const old = goMod.replace('go 1.19', 'go 1.13')
    expect(vendorDecision({ goMod: old, modulesTxt: consistent, goflags: '' }).vendored).toBe(false)
    expect(vendorDecision({ goMod: old, modulesTxt: consistent, goflags: '-mod=vendor' }).vendored).toBe(true)
  })

  it('reads the last -mod flag of GOFLAGS', () => {
    expect(modFlag('-mod=vendor -trimpath -mod=readonly')).toBe('readonly')
    expect(modFlag('-trimpath')).toBeUndefined()
    // split as go splits GOFLAGS: a quoted value is one field
    expect(modFlag(`'-ldflags=-s -mod=vendor' -mod=mod`)).toBe('mod')
    expect(modFlag(`-ldflags="-X a=b -mod=vendor"`)).toBeUndefined()
  })
})

describe('module cache paths', () => {
  it('points at the escaped download files and the extracted dir', () => {
    const f = moduleCacheFiles('/c', { path: 'github.com/BurntSushi/toml', version: 'v1.3.2' })
    expect(f).toEqual({
      downloadDir: '/c/cache/download/github.com/!burnt!sushi/toml/@v',
      filePrefix: 'v1.3.2.',
      extracted: '/c/github.com/!burnt!sushi/toml@v1.3.2'
    })
  })

  it('reads the module back out of a cache path in go output', () => {
    expect(
      moduleFromCachePath(
        'unzip /home/r/go/pkg/mod/cache/download/github.com/!burnt!sushi/toml/@v/v1.3.2.zip: zip: not a valid zip file'
      )
    ).toBe('github.com/BurntSushi/toml@v1.3.2')
    expect(moduleFromCachePath('nothing here')).toBeUndefined()
  })
})

describe('limitCommandLine', () => {
  it('cuts a batch whose arguments would pass the command-line budget, keeping order, never leaving one empty', () => {
    const len = (s: string) => s.length
    expect(limitCommandLine([['aaaa', 'bbbb', 'cccc'], ['dd']], len, 10)).toEqual([
      ['aaaa', 'bbbb'],
      ['cccc'],
      ['dd']
    ])
    // one argument longer than the budget still gets its own batch
    expect(limitCommandLine([['x'.repeat(20), 'y']], len, 10)).toEqual([['x'.repeat(20)], ['y']])
    expect(limitCommandLine([['a', 'b']], len, Infinity)).toEqual([['a', 'b']])
    // 1,000 modules of ~60 characters: no batch over Windows' budget
    const mods = Array.from({ length: 1000 }, (_, i) => `github.com/some-org/some-module-${i}@v1.2.${i}`)
    const cut = limitCommandLine([mods], len, 30_000)
    expect(cut.flat()).toEqual(mods)
    for (const b of cut) expect(b.join(' ').length).toBeLessThanOrEqual(30_000)
    expect(cut.length).toBeGreaterThan(1)
  })
})
