/**
 * `go env -json`: the one place the action asks go for its effective environment (GOMODCACHE, GOCACHE,
 * GOPROXY, ...), after the action's own variables are exported, so every later decision uses what go will
 * really use (never a hard-coded ~/go/pkg/mod). Always pinned to the installed Go (GOTOOLCHAIN=local for
 * the question only): with a workflow's GOTOOLCHAIN=auto and a go.mod toolchain line, a plain `go env`
 * would first download that toolchain into GOMODCACHE, before the module cache is restored over it (the
 * "Cannot open: File exists" of actions/setup-go#424).
 */
import * as exec from '@actions/exec'
import path from 'node:path'
import { childEnvironment } from '../child-env.js'
import type { GoInstallation } from '../types.js'
import { parseGoflags } from './flags.js'
import { goExecutable, goOS } from './platform.js'
import { ClassifiedError } from '../classified-error.js'

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
  'GOMOD',
  'GOENV',
  'GOAUTH'
] as const

/** Whether go runs in a go.work workspace: GOWORK names a file (`off` or empty: module mode). */
export function workspaceInUse(goEnv: GoEnv): boolean {
  const goWork = goEnv.GOWORK ?? ''
  return goWork !== '' && goWork !== 'off'
}

/**
 * Whether go reads another go.mod and go.sum than the module's own: a go.work workspace, or `-modfile` in
 * GOFLAGS (go mod download honours it, and then compares zips with the alternate go.sum).
 */
export function otherGoFilesInUse(goEnv: GoEnv): boolean {
  const flags = parseGoflags(goEnv.GOFLAGS ?? '')
  return workspaceInUse(goEnv) || ('flags' in flags && flags.flags.some((f) => f.name === 'modfile'))
}

export async function readGoEnv(cwd: string): Promise<GoEnv> {
  return Object.freeze(await queryGoEnv('go', GO_ENV_NAMES, { cwd }))
}

/**
 * This process's environment with GOTOOLCHAIN=local, for asking a go binary about itself: from Go 1.21 a
 * go.mod `toolchain` (or newer `go`) line, or a workflow's GOTOOLCHAIN=auto, makes any go command download
 * and run another toolchain first (golang/go#57001), so the answer would be another Go's. Without the
 * runner's INPUT_* variables, like every child (child-env.ts).
 */
export function pinnedToolchainEnv(): Record<string, string> {
  return childEnvironment({ GOTOOLCHAIN: 'local' })
}

/** `go env -json <names>` of a given go binary, pinned to that binary (pinnedToolchainEnv). */
export async function queryGoEnv(
  go: string,
  names: readonly string[],
  opts: { cwd?: string } = {}
): Promise<Record<string, string>> {
  const { exitCode, stdout, stderr } = await exec.getExecOutput(go, ['env', '-json', ...names], {
    cwd: opts.cwd,
    silent: true,
    ignoreReturnCode: true,
    env: pinnedToolchainEnv()
  })
  // go's own line says what it could not read (e.g. "go: parsing $GOFLAGS: non-flag ..."); the exec
  // library's "failed with exit code 1" would not.
  if (exitCode !== 0) {
    throw new ClassifiedError(
      `\`${go} env\` failed (exit code ${exitCode}): ${stderr.trim() || stdout.trim() || 'no output'}. Fix what go names there: the runner's GOFLAGS or other Go variables, its \`go env -w\` file (go env GOENV), or the go.mod/go.work in ${opts.cwd ?? process.cwd()}.`,
      'config'
    )
  }
  try {
    return JSON.parse(stdout) as Record<string, string>
  } catch {
    throw new ClassifiedError(
      `\`${go} env -json\` printed '${stdout.trim().slice(0, 200)}', which is not go's JSON: that go is not a working Go toolchain. Set 'go-version' (or 'go-version-file') so that this action installs one, or fix the go on PATH.`,
      'config'
    )
  }
}

/**
 * `go env -json <names>` of the installed Go (the go in its GOROOT; the go on PATH when the installation
 * has no root), pinned to it like every question here.
 */
export async function queryInstalledGoEnv(
  go: Pick<GoInstallation, 'root'>,
  names: readonly string[],
  cwd?: string
): Promise<Record<string, string>> {
  const goBin = go.root ? path.join(go.root, 'bin', goExecutable(goOS(process.platform))) : 'go'
  return queryGoEnv(goBin, names, { cwd })
}
