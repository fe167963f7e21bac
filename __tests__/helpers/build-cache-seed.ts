/**
 * The standard library compiled once for the whole suite, for the later steps' builds.
 *
 * Every job starts with an empty HOME, so a later `go build`/`go run` in a test compiled runtime, fmt and
 * their dependencies again each time: ~8 s of CPU per job on this machine, most of the e2e suite's time,
 * spent on nothing the action does. resetRunner() hard-links this seed into the fresh HOME's GOCACHE
 * instead. The action's own behaviour does not depend on it: without `cache-build` it never reads or
 * writes GOCACHE, and the tests that exercise `cache-build` ask for an empty one.
 *
 * Only the outputs (`<hash>-d`, most of the bytes) are hard links: go writes an index entry (`<hash>-a`)
 * in place (cmd/go/internal/cache putIndexEntry opens it without O_TRUNC), so those and the top-level
 * files (README, trim.txt) are copied, and no job's build can change what the next job starts with. go
 * rewrites an output in place only when its content fails a check (GODEBUG=gocacheverify=1), which no
 * test sets; its Chtimes on a used entry changes only the shared mtime.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { removeTree } from '../../testbed/index.ts'

/** What the seed compiles: the consumer projects' imports (testbed/module-gen.ts) and their dependencies. */
const SEED_PACKAGES = ['fmt']

let seedDir: string | undefined

/** The seed's directory, built on first use by whichever jest worker gets there first. */
function seed(): string {
  if (seedDir) return seedDir
  const goVersion = execFileSync('go', ['env', 'GOVERSION'], {
    encoding: 'utf8',
    env: { ...process.env, GOTOOLCHAIN: 'local' }
  }).trim()
  const tag = createHash('sha256')
    .update(`${goVersion}\n${SEED_PACKAGES.join(' ')}`)
    .digest('hex')
    .slice(0, 12)
  const dir = path.join(fs.realpathSync(os.tmpdir()), `setup-go-deps-test-gocache-${tag}`)
  if (!fs.existsSync(path.join(dir, 'complete'))) {
    const tmp = `${dir}.tmp-${process.pid}`
    removeTree(tmp)
    const home = path.join(tmp, 'home')
    fs.mkdirSync(home, { recursive: true })
    execFileSync('go', ['build', ...SEED_PACKAGES], {
      cwd: home,
      stdio: 'ignore',
      // What a job's step has: none of the machine's Go settings, its own GOCACHE.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        GOCACHE: path.join(tmp, 'cache'),
        GOENV: 'off',
        GOFLAGS: '',
        GOTOOLCHAIN: 'local',
        GOPROXY: 'off'
      }
    })
    fs.writeFileSync(path.join(tmp, 'cache', 'complete'), '')
    try {
      fs.renameSync(path.join(tmp, 'cache'), dir)
    } catch (error) {
      // The other worker finished first (its seed is the same); anything else is a real failure.
      if (!fs.existsSync(path.join(dir, 'complete'))) throw error
    }
    removeTree(tmp)
  }
  seedDir = dir
  return dir
}

/** Fills `gocache` (which must not exist yet) with the seed: links for the outputs, copies for the rest. */
export function seedBuildCache(gocache: string): void {
  const from = seed()
  fs.mkdirSync(gocache, { recursive: true })
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name)
    const target = path.join(gocache, entry.name)
    if (!entry.isDirectory()) {
      if (entry.name !== 'complete') fs.copyFileSync(source, target)
      continue
    }
    fs.mkdirSync(target)
    for (const file of fs.readdirSync(source)) {
      const link = file.endsWith('-d') ? fs.linkSync : fs.copyFileSync
      link(path.join(source, file), path.join(target, file))
    }
  }
}
