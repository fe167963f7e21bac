/**
 * Preload for the action's node process in the benchmark (`NODE_OPTIONS=--import=<this file>`, set by
 * bench/scenarios/world.ts): appends JSON lines to `$BENCH_PROBE_LOG`:
 *
 *   {"kind":"child","script":...,"file":"go","args":["mod","download",...],"start":ms,"end":ms,"code":0}
 *       for every child process the step starts (go, git, tar, ...; spawn and spawnSync), when it exits;
 *   {"kind":"exit","script":...,"maxRssKb":n,"start":ms,"end":ms}
 *       when the node process exits: its peak resident set size (VmHWM, children excluded) and its lifetime.
 *
 * /usr/bin/time -v is not on the runner image and polling /proc/<pid>/status VmHWM from outside races the
 * exit, so the process reports on itself. Child intervals let the bench split the action's time into
 * "go's own time" and the action's overhead without relying on the log's wording.
 *
 * Plain JavaScript, not TypeScript like the rest of the bench: a preloaded .ts file makes node load its
 * type stripper first, which added ~60 ms to every step's start (measured: 140 ms -> 200 ms until the
 * action's first line), counted as the action's overhead.
 */
import fs from 'node:fs'
import { createRequire, syncBuiltinESMExports } from 'node:module'

const logFile = process.env.BENCH_PROBE_LOG
if (logFile) install(logFile)

/**
 * VmHWM of this process's memory map. Not getrusage's ru_maxrss (process.resourceUsage().maxRSS): Linux
 * carries ru_maxrss across fork+exec, so a node started by a 150 MB parent reports at least 150 MB.
 */
/** @returns {number} */
function peakRssKb() {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1])
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS
}

/** @param {string} file */
function install(file) {
  const script = process.argv[1] ?? ''
  const started = Date.now() - process.uptime() * 1000
  /** @param {object} record */
  const write = (record) => {
    try {
      fs.appendFileSync(file, JSON.stringify({ ...record, script }) + '\n')
    } catch {
      // A probe must never change what the action does.
    }
  }
  const require = createRequire(import.meta.url)
  /** @type {typeof import('node:child_process')} */
  const cp = require('node:child_process')
  const original = cp.spawn
  // @actions/exec, @actions/cache's tar and @actions/tool-cache all start processes through spawn.
  /** @this {unknown} @param {unknown[]} args @returns {import('node:child_process').ChildProcess} */
  const wrapped = function (...args) {
    const child = Reflect.apply(original, this, args)
    const start = Date.now()
    const argv = Array.isArray(args[1]) ? args[1].map(String) : []
    child.once('exit', (code) =>
      write({ kind: 'child', file: String(args[0]), args: argv, start, end: Date.now(), code })
    )
    return child
  }
  for (const k of Reflect.ownKeys(original))
    if (typeof k === 'symbol') Reflect.set(wrapped, k, Reflect.get(original, k))
  cp.spawn = /** @type {typeof cp.spawn} */ (wrapped)
  // The restore's archive check lists the archive with a synchronous tar (src/cache/archive.ts): a child
  // process too, whose time is tar's, not the action's.
  const originalSync = cp.spawnSync
  /** @this {unknown} @param {unknown[]} args */
  const wrappedSync = function (...args) {
    const start = Date.now()
    const result = Reflect.apply(originalSync, this, args)
    const argv = Array.isArray(args[1]) ? args[1].map(String) : []
    write({ kind: 'child', file: String(args[0]), args: argv, start, end: Date.now(), code: result.status })
    return result
  }
  cp.spawnSync = /** @type {typeof cp.spawnSync} */ (wrappedSync)
  syncBuiltinESMExports()
  process.once('exit', () => write({ kind: 'exit', maxRssKb: peakRssKb(), start: started, end: Date.now() }))
}
