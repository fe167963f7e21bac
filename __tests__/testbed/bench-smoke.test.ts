/**
 * `npm run bench` at a tiny scale: the harness runs the action (dist/) and the setup-go style baseline on
 * the bench (5 modules, one run of cold and warm) and reports sane numbers; plus the pure arithmetic and
 * rendering the report rests on, on real inputs (a real core.summary, real log-group lines).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import * as core from '@actions/core'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { liveProcessGroups } from '../../testbed/proc.ts'
import { renderMarkdown } from '../../bench/scenarios/report.ts'
import { runBench, type Report } from '../../bench/scenarios/scenarios.ts'
import {
  groupKey,
  growsLinearly,
  linearFit,
  markdownTable,
  median,
  ratio,
  segments,
  textTable,
  unionLength,
  verdict
} from '../../bench/scenarios/stats.ts'
import { summaryToText } from '../../scripts/demo-terminal.ts'
import { actionScripts, startWorld, type World } from '../../bench/scenarios/world.ts'

describe('bench arithmetic', () => {
  test('the median of an even count is the mean of the middle two, and ignores missing samples', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([7, Number.NaN, 9])).toBe(8)
    expect(median([])).toBeNaN()
  })

  test('a ratio over nothing is unknown, and an unknown value neither meets nor misses its goal', () => {
    expect(ratio(3, 0)).toBeNaN()
    expect(verdict(Number.NaN, { op: '<=', value: 1 })).toBe('unknown')
    expect(verdict(0.31, { op: '<=', value: 0.3 })).toBe('missed')
    expect(verdict(1, { op: '>=', value: 1 })).toBe('met')
    expect(verdict(5, undefined)).toBe('info')
  })

  test('parallel processes count once in the time children ran', () => {
    expect(
      unionLength([
        { start: 0, end: 100 },
        { start: 50, end: 150 },
        { start: 300, end: 310 }
      ])
    ).toBe(160)
  })

  test('a step is split at its log groups, with the gaps between them named after the group before', () => {
    const lines = [
      { time: 1300, line: '::group::Install Go' },
      { time: 1320, line: 'Resolved 1.19.8' },
      { time: 1330, line: '::endgroup::' },
      {
        time: 1500,
        line: '::group::Attempt 1: go mod download 50 module(s) in up to 8 processes (GOPROXY=x)'
      },
      { time: 1900, line: '::endgroup::' },
      { time: 2500, line: '::group::post-step group after main ended' }
    ]
    expect(segments(lines, 1000, 2000)).toEqual([
      { name: '(start)', ms: 300 },
      { name: 'Install Go', ms: 30 },
      { name: '(after Install Go)', ms: 170 },
      { name: 'Attempt 1', ms: 400 },
      { name: '(after Attempt 1)', ms: 100 }
    ])
    expect(groupKey('Attempt 12: go mod download 3 module(s)')).toBe('Attempt 12')
  })

  test('growth is linear when the per-module cost does not rise with size; a fixed cost is fine', () => {
    const fixedPlusLinear = [10, 100, 500].map((x) => ({ x, y: 400 + 20 * x }))
    expect(growsLinearly(fixedPlusLinear).linear).toBe(true)
    expect(linearFit(fixedPlusLinear).slope).toBeCloseTo(20)
    expect(linearFit(fixedPlusLinear).intercept).toBeCloseTo(400)
    const quadratic = [10, 100, 500].map((x) => ({ x, y: x * x }))
    expect(growsLinearly(quadratic).linear).toBe(false)
  })

  test('tables: markdown escapes pipes, text aligns columns and wraps the last one (at least 20 wide)', () => {
    expect(markdownTable(['a', 'b'], [['x|y', 2]])).toBe('| a | b |\n|---|---|\n| x\\|y | 2 |\n')
    const text = textTable(['name', 'value'], [['k', 'one two three four five six']], 22)
    expect(text.split('\n')).toEqual([
      'name  value',
      '----  --------------------',
      'k     one two three four',
      '      five six',
      ''
    ])
  })
})

describe('job summary as terminal text', () => {
  let file: string
  beforeAll(() => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'summary-')), 'summary.md')
    fs.writeFileSync(file, '')
    process.env.GITHUB_STEP_SUMMARY = file
  })
  afterAll(() => {
    delete process.env.GITHUB_STEP_SUMMARY
    fs.rmSync(path.dirname(file), { recursive: true, force: true })
  })

  test('renders what core.summary writes: heading, table, list and code block, without tags', async () => {
    await core.summary
      .addHeading('setup-go-deps', 2)
      .addTable([
        [
          { data: 'Step', header: true },
          { data: 'Result', header: true }
        ],
        ['Go', '1.19.8 — runner tool cache'],
        ['Module cache', 'exact hit: `setup-go-deps-linux-x64-go1.19.8-abc` (2.4 MiB in 310 ms)']
      ])
      .addList(['github.com/acme/x@v1.0.0: authentication failed &amp; more'])
      .addCodeBlock('exit status 128')
      .write()
    const text = summaryToText(fs.readFileSync(file, 'utf8'))
    expect(text).not.toMatch(/<[a-z/]/)
    expect(text).toContain('setup-go-deps\n=============')
    expect(text).toContain('Step          Result')
    expect(text).toContain(
      'Module cache  exact hit: setup-go-deps-linux-x64-go1.19.8-abc (2.4 MiB in 310 ms)'
    )
    expect(text).toContain('- github.com/acme/x@v1.0.0: authentication failed & more')
    expect(text).toContain('    exit status 128')
  })
})

describe('npm run bench, 5 modules, one run', () => {
  let world: World
  let report: Report
  const scripts = actionScripts()
  const haveDist = fs.existsSync(scripts.main) && fs.existsSync(scripts.post)

  beforeAll(async () => {
    if (!haveDist) return
    world = await startWorld({ latencyMs: 40, sizes: [5] })
    report = await runBench(
      world,
      {
        runs: 1,
        seeds: 1,
        size: 5,
        flakySize: 5,
        scaleSizes: [5],
        faultRate: 0.2,
        latencyMs: 40,
        only: ['cold', 'warm']
      },
      () => {}
    )
  }, 90_000)

  afterAll(async () => {
    await world?.close()
  })

  test('dist/ exists (npm run bundle) so the action can be measured', () => {
    expect(haveDist).toBe(true)
  })

  test('cold: the action and plain go mod download both ran, and the ratio is a sane positive number', () => {
    const cold = report.rows.find((r) => r.scenario === 'cold' && r.goal !== undefined)
    expect(cold).toBeDefined()
    expect(report.notes.filter((n) => /failed/.test(n))).toEqual([])
    expect(cold?.value).toBeGreaterThan(0.05)
    expect(cold?.value).toBeLessThan(10)
    const samples = report.samples.cold as { bPlainDownload: number[]; aOk: boolean[] }
    expect(samples.aOk).toEqual([true])
    expect(samples.bPlainDownload[0]).toBeGreaterThan(40) // at least one 40 ms upstream request
  })

  test('warm: the action restored the exact key and its restore is compared with a real tar extraction', () => {
    const warm = report.rows.find((r) => r.scenario === 'warm' && r.goal !== undefined)
    const samples = report.samples.warm as { rawTar: number[]; aRestore: number[] }
    expect(report.notes.filter((n) => /exact key/.test(n))).toEqual([])
    expect(samples.rawTar[0]).toBeGreaterThan(0)
    expect(samples.aRestore[0]).toBeGreaterThan(0)
    expect(warm?.value).toBeGreaterThan(0.2)
    expect(warm?.value).toBeLessThan(50)
  })

  test("peak RSS of the action's node is measured and plausible (20 MB to 1 GB)", () => {
    const mem = report.memory.find((m) => m.label.startsWith('cold'))
    const mib = Number(/([\d.]+) MiB/.exec(mem?.a ?? '')?.[1])
    expect(mib).toBeGreaterThan(20)
    expect(mib).toBeLessThan(1024)
  })

  test('the markdown report has the table, and no process is left running', () => {
    const md = renderMarkdown(report, {
      date: 'd',
      cpus: 2,
      cpuModel: 'cpu',
      node: '24',
      go: 'go1.19.8',
      cacheService: 'x'
    })
    expect(md).toMatch(/\| cold, 5 modules \| A \(main, Go install excluded\) \/ plain `go mod download` \|/)
    expect(liveProcessGroups()).toEqual([])
  })
})
