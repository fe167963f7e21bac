import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseGoflags, splitQuoted } from '../../src/go/flags.js'
import { SYSTEM_PATH } from '../../testbed/isolated-go.ts'

describe('quoted.Split', () => {
  it('splits on spaces, groups a field that starts with a quote, and keeps quotes inside a field', () => {
    expect(splitQuoted(` -a  "-b c" '-d e'\t-f="g h" `)).toEqual({
      fields: ['-a', '-b c', '-d e', '-f="g', 'h"']
    })
    expect(splitQuoted('"-x')).toEqual({ error: 'unterminated " string' })
    expect(splitQuoted("-y '")).toEqual({ error: "unterminated ' string" })
    expect(splitQuoted('')).toEqual({ fields: [] })
  })
})

/**
 * Every case uses flag names go knows: unknown names are go's to judge (the set depends on the version),
 * everything else must be accepted or refused exactly as go does.
 */
const CASES = [
  '-mod=mod',
  '-mod=mod   -trimpath --tags=a,b',
  '-modcacherw -buildvcs=false',
  'foo',
  '-mod=mod foo',
  '-',
  '--',
  '---x',
  '-=x',
  '--=x',
  '"-x',
  "'-x",
  '"-ldflags=-s -w"',
  "'-ldflags=-s -w' -trimpath",
  '-ldflags="-s',
  '-ldflags=-s',
  '-ldflags=',
  '-ldflags=main=-s',
  '-ldflags==-s',
  '-ldflags="main"=-s',
  '-gcflags=all="-N',
  '-gcflags=all=-N',
  "-gcflags=all='-N -l'",
  '-gcflags=-N',
  '-mod=bogus',
  '-mod=readonly',
  '-mod=vendor',
  '-mod=',
  '-tags=a,b -x',
  '-ldflags=-X "a=b"',
  '-asmflags=-D',
  '-gccgoflags="x'
]

describe('GOFLAGS accepted or refused exactly as real go does (go build as the oracle)', () => {
  it('agrees with go on every case', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goflags-oracle-'))
    try {
      fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/x\n\ngo 1.21\n')
      fs.writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() {}\n')
      const goAccepts = (goflags: string): boolean => {
        try {
          // -n: print the commands, run none. GOENV=off: the machine's `go env -w` GOFLAGS stay out.
          execFileSync('go', ['build', '-n', '-o', os.devNull, '.'], {
            cwd: dir,
            stdio: 'ignore',
            env: {
              PATH: SYSTEM_PATH,
              HOME: dir,
              GOENV: 'off',
              GOFLAGS: goflags,
              GOPROXY: 'off',
              GOTOOLCHAIN: 'local',
              GOCACHE: path.join(dir, 'cache'),
              GOPATH: path.join(dir, 'gopath')
            }
          })
          return true
        } catch {
          return false
        }
      }
      const go = CASES.map((c) => [c, goAccepts(c)])
      const ours = CASES.map((c) => [c, !('error' in parseGoflags(c))])
      expect(ours).toEqual(go)
      // The oracle itself must tell the two apart, or this test could not fail.
      expect(go.filter(([, ok]) => ok).length).toBeGreaterThan(5)
      expect(go.filter(([, ok]) => !ok).length).toBeGreaterThan(5)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
