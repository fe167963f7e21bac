/**
 * `go env -json`: the one place the action asks go for its effective environment (GOMODCACHE, GOCACHE,
 * GOPROXY, ...), after the action's own variables are exported, so every later decision uses what go will
 * really use (never a hard-coded ~/go/pkg/mod). Always pinned to the installed Go (GOTOOLCHAIN=local for
 * the question only): with a workflow's GOTOOLCHAIN=auto and a go.mod toolchain line, a plain `go env`
 * would first download that toolchain into GOMODCACHE, before the module cache is restored over it (the
 * "Cannot open: File exists" of actions/setup-go#424).
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
  return Object.freeze(await queryGoEnv('go', GO_ENV_NAMES, { cwd }))
}

/**
 * This process's environment with GOTOOLCHAIN=local, for asking a go binary about itself: from Go 1.21 a
 * go.mod `toolchain` (or newer `go`) line, or a workflow's GOTOOLCHAIN=auto, makes any go command download
 * and run another toolchain first (golang/go#57001), so the answer would be another Go's.
 */
export function pinnedToolchainEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v
  env.GOTOOLCHAIN = 'local'
  return env
}

/** `go env -json <names>` of a given go binary, pinned to that binary (pinnedToolchainEnv). */
export async function queryGoEnv(
  go: string,
  names: readonly string[],
  opts: { cwd?: string } = {}
): Promise<Record<string, string>> {
  const { stdout } = await exec.getExecOutput(go, ['env', '-json', ...names], {
    cwd: opts.cwd,
    silent: true,
    env: pinnedToolchainEnv()
  })
  return JSON.parse(stdout) as Record<string, string>
}
