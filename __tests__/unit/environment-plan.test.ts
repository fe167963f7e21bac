import { describe, expect, it } from '@jest/globals'
import { parseGoEnvFile } from '../../src/go/envfile.js'
import {
  GO_VARIABLES,
  planGoEnvironment,
  withCredentialExports,
  type GoEnvironmentInput,
  type GoVariableName,
  type RunnerValue
} from '../../src/environment/plan.js'
import { logLines, summaryMarkdown } from '../../src/environment/report.js'
import { inputErrorOf as errorOf } from '../helpers/input-error.ts'

const FILE = '/home/runner/.config/go/env'
const NO_INPUTS = { goproxy: '', gosumdb: '', gonoproxy: '', gonosumdb: '', goflags: '' }

function input(
  runner: Partial<Record<GoVariableName, RunnerValue>>,
  extra: Partial<GoEnvironmentInput> = {}
): GoEnvironmentInput {
  const values = Object.fromEntries(
    GO_VARIABLES.map((n) => [n, runner[n] ?? { value: '', origin: 'default' }])
  ) as Record<GoVariableName, RunnerValue>
  return {
    goEnv: NO_INPUTS,
    privateModules: [],
    runner: { values, goenvFile: FILE },
    toolchainNow: 'local',
    ...extra
  }
}

const variable = (plan: ReturnType<typeof planGoEnvironment>, name: GoVariableName) =>
  plan.variables.find((v) => v.name === name)!

describe("the runner's Go environment", () => {
  it('keeps runner values where inputs are empty, exporting nothing, and names each origin', () => {
    const plan = planGoEnvironment(
      input({
        GOPROXY: { value: 'https://proxy.corp.example', origin: 'goenv' },
        GOFLAGS: { value: '-mod=readonly', origin: 'environment' },
        GOSUMDB: { value: 'sum.golang.org', origin: 'default' }
      })
    )
    expect(plan.exports).toEqual({})
    expect(variable(plan, 'GOPROXY')).toMatchObject({
      value: 'https://proxy.corp.example',
      source: `go env -w (GOENV file ${FILE})`,
      exported: false
    })
    expect(variable(plan, 'GOFLAGS').source).toBe("the runner's environment")
    expect(variable(plan, 'GOSUMDB').source).toBe("go's default")
  })

  it('an input overrides the runner value and says so', () => {
    const plan = planGoEnvironment(
      input(
        { GOPROXY: { value: 'https://proxy.corp.example', origin: 'environment' } },
        { goEnv: { ...NO_INPUTS, goproxy: 'https://other.example' } }
      )
    )
    expect(plan.exports.GOPROXY).toBe('https://other.example')
    expect(variable(plan, 'GOPROXY').note).toBe(
      "input 'goproxy' overrides 'https://proxy.corp.example' from the runner's environment"
    )
  })

  it("merges private-modules into the runner's GOPRIVATE and GONOSUMDB from the GOENV file (an export hides the file)", () => {
    const plan = planGoEnvironment(
      input(
        {
          GOPRIVATE: { value: 'corp.example/*', origin: 'goenv' },
          GONOSUMDB: { value: 'corp.example/*', origin: 'goenv' },
          GONOPROXY: { value: 'corp.example/*', origin: 'default' }
        },
        { privateModules: ['github.com/acme/*'] }
      )
    )
    expect(plan.exports).toEqual({
      GOPRIVATE: 'corp.example/*,github.com/acme/*',
      GONOSUMDB: 'corp.example/*,github.com/acme/*'
    })
    // GONOPROXY was go's default (derived from GOPRIVATE): go derives it again from the new GOPRIVATE.
    expect(variable(plan, 'GONOPROXY')).toMatchObject({
      value: 'corp.example/*,github.com/acme/*',
      source: "go's default (GOPRIVATE)",
      exported: false
    })
  })

  it('refuses a broken runner GOPROXY, naming the variable and where it was set', () => {
    const e = errorOf(() => planGoEnvironment(input({ GOPROXY: { value: 'proxy corp', origin: 'goenv' } })))
    expect(e.input).toBe('GOPROXY')
    expect(e.message).toContain(`GOPROXY (set by go env -w (GOENV file ${FILE})) is 'proxy corp'`)
    expect(e.message).toContain('go env -w GOPROXY=<value>')
    expect(e.message).toContain("set input 'goproxy' to override it")
  })

  it('does not check a runner value an input overrides', () => {
    const plan = planGoEnvironment(
      input(
        { GOFLAGS: { value: '-insecure', origin: 'environment' } },
        { goEnv: { ...NO_INPUTS, goflags: '-mod=mod' } }
      )
    )
    expect(plan.exports.GOFLAGS).toBe('-mod=mod')
    expect(
      errorOf(() => planGoEnvironment(input({ GOFLAGS: { value: '-insecure', origin: 'environment' } })))
        .input
    ).toBe('GOFLAGS')
  })

  it('reports the GOTOOLCHAIN the runner had and what the action did', () => {
    const pinned = variable(
      planGoEnvironment(input({ GOTOOLCHAIN: { value: 'auto', origin: 'goenv' } })),
      'GOTOOLCHAIN'
    )
    expect(pinned.value).toBe('local')
    expect(pinned.note).toContain(
      `the runner had 'auto' from go env -w (GOENV file ${FILE}); this action set GOTOOLCHAIN=local`
    )
    const left = variable(
      planGoEnvironment(
        input({ GOTOOLCHAIN: { value: 'go1.27.3', origin: 'environment' } }, { toolchainNow: 'go1.27.3' })
      ),
      'GOTOOLCHAIN'
    )
    expect(left).toMatchObject({ value: 'go1.27.3', source: "the runner's environment", exported: false })
    expect(left.note).toContain('left as the runner set it')
  })

  it("shows the runner's GOAUTH as it is, and the credential step's GOAUTH once it exported one", () => {
    const plan = planGoEnvironment(input({ GOAUTH: { value: 'git /usr/bin', origin: 'environment' } }))
    expect(variable(plan, 'GOAUTH')).toEqual({
      name: 'GOAUTH',
      value: 'git /usr/bin',
      source: "the runner's environment",
      exported: false
    })
    expect(withCredentialExports(plan, {})).toBe(plan)
    const ours = '"/usr/bin/node" "/tmp/setup-go-deps-auth-x/goauth.mjs";git /usr/bin'
    const after = variable(
      withCredentialExports(plan, { GOAUTH: ours, GIT_CONFIG_PARAMETERS: 'x' }),
      'GOAUTH'
    )
    expect(after).toMatchObject({
      value: ours,
      source: 'this action (the private-module credentials)',
      exported: true
    })
    expect(after.note).toContain("then the runner's git /usr/bin (the runner's environment)")
    // the other rows are left alone
    expect(variable(withCredentialExports(plan, { GOAUTH: ours }), 'GOPROXY')).toEqual(
      variable(plan, 'GOPROXY')
    )
  })
})

describe('settings that switch a protection off are warned about', () => {
  it('gosumdb: off warns naming the input', () => {
    const plan = planGoEnvironment(input({}, { goEnv: { ...NO_INPUTS, gosumdb: 'off' } }))
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^GOSUMDB=off \(input 'gosumdb'\) switches off checksum verification/)
    ])
  })

  it('gonosumdb: * warns, and so does a runner GONOSUMDB=* (naming where it was set)', () => {
    expect(planGoEnvironment(input({}, { goEnv: { ...NO_INPUTS, gonosumdb: '*' } })).warnings[0]).toMatch(
      /^GONOSUMDB \(input 'gonosumdb'\) has '\*', which matches every module/
    )
    expect(
      planGoEnvironment(input({ GONOSUMDB: { value: 'x.example,*', origin: 'environment' } })).warnings[0]
    ).toMatch(/^GONOSUMDB \(the runner's environment\) has '\*'/)
  })

  it('an explicit gonoproxy that misses a private-modules pattern warns naming both inputs', () => {
    const plan = planGoEnvironment(
      input(
        {},
        {
          privateModules: ['github.com/acme/*', 'gitlab.com/acme'],
          goEnv: { ...NO_INPUTS, gonoproxy: 'github.com/acme' }
        }
      )
    )
    expect(plan.warnings).toEqual([
      "Input 'gonoproxy' ('github.com/acme') does not cover input 'private-modules' pattern 'gitlab.com/acme': go sends those private module paths to the module proxy. Add them to 'gonoproxy', or leave 'gonoproxy' empty (go then uses GOPRIVATE)."
    ])
  })

  it('no warning when gonoproxy covers every private pattern, or for safe defaults', () => {
    expect(
      planGoEnvironment(
        input(
          {},
          { privateModules: ['github.com/acme/lib'], goEnv: { ...NO_INPUTS, gonoproxy: 'github.com/*' } }
        )
      ).warnings
    ).toEqual([])
    expect(
      planGoEnvironment(input({ GOSUMDB: { value: 'sum.golang.org', origin: 'default' } })).warnings
    ).toEqual([])
  })
})

describe('report', () => {
  it('lists every variable with its source in the log and the summary, without a proxy login', () => {
    const plan = planGoEnvironment(
      input(
        { GOPROXY: { value: 'https://bob:s3cr3t@proxy.corp.example', origin: 'environment' } },
        { privateModules: ['github.com/acme/*'] }
      )
    )
    const log = logLines(plan).join('\n')
    expect(log).toContain("GOPROXY=https://***@proxy.corp.example (the runner's environment)")
    expect(log).toContain("GOPRIVATE=github.com/acme/* (input 'private-modules'; exported)")
    const md = summaryMarkdown(plan)
    expect(md).toContain("| GOPROXY | `https://***@proxy.corp.example` | the runner's environment |")
    expect(`${log}${md}`).not.toContain('s3cr3t')
    expect(md.split('\n').filter((l) => l.startsWith('| GO'))).toHaveLength(GO_VARIABLES.length)
  })

  it('shows a | or & in a value as it is: entities are not decoded inside a code span', () => {
    const plan = planGoEnvironment(
      input({ GOPROXY: { value: 'https://a.example/?x=1&y=2|direct', origin: 'environment' } })
    )
    expect(summaryMarkdown(plan)).toContain('| GOPROXY | `https://a.example/?x=1&y=2\\|direct` |')
  })
})

describe('GOENV file grammar (cmd/go readEnvFile)', () => {
  it('reads NAME=value lines verbatim, skips others, and the later line wins', () => {
    expect(
      parseGoEnvFile('GOPROXY=https://a\n# c\nbad line\nlower=x\nGOFLAGS=-x "y"\nGOPROXY=https://b')
    ).toEqual({
      GOPROXY: 'https://b',
      GOFLAGS: '-x "y"'
    })
  })
})
