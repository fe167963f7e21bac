/**
 * Runner set-up the end-to-end tests share: the machine's Go as the runner image's preinstalled Go, and a
 * fresh runner at the same paths between jobs.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { removeTree, type JobDirs } from '../../testbed/index.ts'

const goEnv = (name: string): string =>
  execFileSync('go', ['env', name], {
    encoding: 'utf8',
    env: { ...process.env, GOTOOLCHAIN: 'local' }
  }).trim()

/** The Go on PATH (the suite runs on it): its version without the `go` prefix, and its GOROOT. */
export const LOCAL_GO = { version: goEnv('GOVERSION').replace(/^go/, ''), root: goEnv('GOROOT') }

/** The local Go in the job's tool cache, as actions/tool-cache lays out a preinstalled version. */
export function preinstallLocalGo(dirs: JobDirs): void {
  const tc = path.join(dirs.toolCache, 'go', LOCAL_GO.version)
  fs.mkdirSync(tc, { recursive: true })
  fs.symlinkSync(LOCAL_GO.root, path.join(tc, 'x64'))
  fs.writeFileSync(path.join(tc, 'x64.complete'), '')
}

/** A fresh runner at the same paths: empty workspace, HOME and RUNNER_TEMP (the tool cache is kept). */
export function resetRunner(dirs: JobDirs): void {
  for (const dir of [dirs.workspace, dirs.home, dirs.temp]) {
    removeTree(dir)
    fs.mkdirSync(dir, { recursive: true })
  }
}
