/**
 * `go env -json`: the one place the action asks go for its effective environment (GOMODCACHE, GOCACHE,
 * GOPROXY, ...), after the action's own variables are exported, so every later decision uses what go will
 * really use (never a hard-coded ~/go/pkg/mod).
 */
import * as exec from '@actions/exec'

export type GoEnv = Readonly<Record<string, string>>

export const GO_ENV_NAMES = [
  'GOMODCACHE',
  'GOCACHE',
  'GOPATH',
  'GOPROXY',
  'GOSUMDB',
  'GOPRIVATE',
  'GONOPROXY',
  'GONOSUMDB',
  'GOFLAGS',
  'GOVERSION',
  'GOOS',
  'GOARCH',
  'GOWORK',
  'GOENV',
  'GOAUTH'
] as const

export async function readGoEnv(cwd: string): Promise<GoEnv> {
  const { stdout } = await exec.getExecOutput('go', ['env', '-json', ...GO_ENV_NAMES], {
    cwd,
    silent: true
  })
  return Object.freeze(JSON.parse(stdout) as Record<string, string>)
}
