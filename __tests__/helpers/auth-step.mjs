// One action step that runs only the credential part of the action, from its TypeScript sources:
// AUTH_STEP=main -> parseInputs + configureEnvironment + configureGoEnvironment (as src/main.ts calls
// them; the Go variables GOPRIVATE/GONOPROXY/GONOSUMDB come from the second), AUTH_STEP=post ->
// removeCredentials (as src/post.ts does). Run by testbed/runner.ts runStep like dist/main/index.js would be,
// so @actions/core writes the real GITHUB_ENV / GITHUB_STATE files and child argv is recorded.
import * as core from '@actions/core'
import { execFileSync } from 'node:child_process'
import { register } from 'node:module'

register('./auth-loader.mjs', import.meta.url)
const { parseInputs, secretInputValues } = await import('../../src/inputs.ts')
const { childEnvironment } = await import('../../src/child-env.ts')
const { configureEnvironment } = await import('../../src/credentials/configure.ts')
const { configureGoEnvironment, snapshotGoVariables } = await import('../../src/environment/apply.ts')
const { removeCredentials } = await import('../../src/credentials/private-dir.ts')

try {
  if (process.env.AUTH_STEP === 'post') {
    await removeCredentials()
  } else {
    for (const secret of secretInputValues((name) => core.getInput(name))) core.setSecret(secret)
    const config = parseInputs((name) => core.getInput(name), process.env)
    const runnerGoVariables = snapshotGoVariables(process.env)
    const [root, goVersion] = execFileSync('go', ['env', 'GOROOT', 'GOVERSION'], {
      encoding: 'utf8',
      env: childEnvironment()
    }).split('\n')
    // AUTH_GO_VERSION: the version the action believes it installed (what Go < 1.24 gets, on this Go)
    const version = process.env.AUTH_GO_VERSION || (goVersion ?? '').replace(/^go/, '')
    const go = { version, root: root ?? '', source: 'path', requested: '', durationMs: 0 }
    const applied = await configureEnvironment(config, go)
    // After the credentials (main.ts runs it before them), so the tests' order of masks and warnings is the
    // credential step's own; the two export disjoint variables.
    await configureGoEnvironment(config, go, runnerGoVariables)
    core.setOutput('applied', JSON.stringify(applied))
  }
} catch (error) {
  core.setFailed(error instanceof Error ? error.message : String(error))
}
