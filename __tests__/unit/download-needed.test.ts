import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import { neededModules } from '../../src/download/needed.js'
import { parseGoModFile } from '../../src/go/gomod.js'
import { readGoSum } from '../../src/go/sumcheck.js'

// The real-world benchmark's fixture: go.mod/go.sum made by `go mod tidy` on Go 1.26.8.
const goMod = fs.readFileSync('bench/real/fixture/go.mod', 'utf8')
const goSum = fs.readFileSync('bench/real/fixture/go.sum', 'utf8')
const sumModules = readGoSum(goSum).modules

describe('the modules a module needs downloaded', () => {
  it("is exactly go.mod's requirements for a go >= 1.17 module (what plain go mod download fetches)", () => {
    const required = parseGoModFile(goMod).requires.map((r) => `${r.path}@${r.version}`)
    const needed = neededModules(sumModules, goMod).map((m) => `${m.path}@${m.version}`)
    expect(sumModules.length).toBeGreaterThan(needed.length) // go.sum holds test-only modules of dependencies
    expect(needed.sort()).toEqual([...required].sort())
  })

  it('keeps every go.sum module where go.mod cannot say: go < 1.17, a replace, a requirement without a zip line', () => {
    const old = goMod.replace(/^go .*$/m, 'go 1.16')
    expect(neededModules(sumModules, old)).toHaveLength(sumModules.length)
    const replaced = `${goMod}\nreplace golang.org/x/text => ../text\n`
    expect(neededModules(sumModules, replaced)).toHaveLength(sumModules.length)
    const extra = goMod.replace(/^require \($/m, 'require (\n\texample.com/not/in/gosum v1.0.0')
    expect(neededModules(sumModules, extra)).toHaveLength(sumModules.length)
  })
})
