/**
 * What the credential plan asks go (credentials/probe.ts readGoSettings) is asked of the installed Go
 * through go/env.ts: pinned with GOTOOLCHAIN=local, so a workflow's GOTOOLCHAIN=auto and a go.mod
 * toolchain line cannot make the question download another Go, and without the runner's INPUT_* variables.
 * The installed Go here is a stand-in script that answers with what it was given.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { readGoSettings } from '../../src/credentials/probe.js'
import type { GoInstallation } from '../../src/types.js'

const posix = process.platform === 'win32' ? describe.skip : describe

posix('readGoSettings', () => {
  let root: string
  const saved = { GOTOOLCHAIN: process.env.GOTOOLCHAIN, INPUT_TOKEN: process.env.INPUT_TOKEN }

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'))
    fs.mkdirSync(path.join(root, 'bin'))
    // GOMODCACHE carries the argument count, GOAUTH the pinning and what leaked from the runner.
    fs.writeFileSync(
      path.join(root, 'bin', 'go'),
      '#!/bin/sh\nprintf \'{"GOMODCACHE":"/mod/%s","GOAUTH":"GOTOOLCHAIN=%s args=%s token=%s"}\' "$#" "$GOTOOLCHAIN" "$*" "${INPUT_TOKEN:-}"\n',
      { mode: 0o755 }
    )
    process.env.GOTOOLCHAIN = 'auto'
    process.env.INPUT_TOKEN = 'ghp_not_for_go'
  })

  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
    fs.rmSync(root, { recursive: true, force: true })
  })

  const installed = (version: string): GoInstallation => ({
    version,
    root,
    source: 'tool-cache',
    requested: version,
    durationMs: 0
  })

  it('asks the installed Go for GOMODCACHE and GOAUTH with GOTOOLCHAIN=local and no INPUT_* variables', async () => {
    const settings = await readGoSettings(installed('1.24.0'), root)
    expect(settings.goAuth?.value).toBe('GOTOOLCHAIN=local args=env -json GOMODCACHE GOAUTH token=')
    expect(settings.vcs[0]).toEqual({ gitdir: path.join('/mod/4', 'cache', 'vcs') })
  })

  it('asks a Go before 1.24 for GOMODCACHE only (GOAUTH is unknown to it)', async () => {
    const settings = await readGoSettings(installed('1.23.4'), root)
    expect(settings.goAuth).toBeUndefined()
    expect(settings.vcs[0]).toEqual({ gitdir: path.join('/mod/3', 'cache', 'vcs') })
  })
})
