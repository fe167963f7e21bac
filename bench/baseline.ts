/**
 * The "setup-go style" baseline (B) of `npm run bench`: what an actions/setup-go user gets, run on the
 * same bench with the same toolkit clients as the action under test, as a JavaScript action step
 * (`node bench/baseline.ts`) under the runner emulation (testbed/runner.ts). The user's plain
 * `go mod download` is a separate later step, run by bench/scenarios/world.ts.
 *
 * Faithful to actions/setup-go (v5/v6, src/installer.ts, src/cache-restore.ts, src/cache-save.ts):
 *   main: tc.find('go', version, arch) -> else the dist listing (`<base>/?mode=json&include=all`),
 *         tc.downloadTool + tc.extractTar + tc.cacheDir (no checksum check, as setup-go) -> add
 *         GOROOT/bin and GOPATH/bin to PATH -> cache restore of [GOMODCACHE, GOCACHE] under the exact key
 *         `setup-go-<RUNNER_OS>-<arch>-<ImageOS>-go-<version>-<hashFiles(go.sum)>` with NO restore-keys
 *         -> `go version`, `go env` in a group;
 *   post (setup-go's `post-if: success()`): save under the primary key unless it was an exact hit.
 * One file with a saved `isPost` state tells main from post (as actions/checkout did).
 *
 * Inputs: go-version (exact, e.g. 1.19.8), go-download-base-url (the bench mirror), cache (true),
 * cache-dependency-path (default: go.sum at the workspace root, as setup-go).
 * Outputs (for the bench's timing, not part of setup-go): install-ms, restore-ms, cache-hit, save-ms.
 */
import * as cache from '@actions/cache'
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as glob from '@actions/glob'
import * as httpm from '@actions/http-client'
import * as tc from '@actions/tool-cache'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

interface DistFile {
  filename: string
  os: string
  arch: string
  kind: string
}
interface DistRelease {
  version: string
  files: DistFile[]
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'armv6l' }

async function installGo(versionSpec: string, baseUrl: string): Promise<string> {
  const arch = os.arch()
  const cached = tc.find('go', versionSpec, arch)
  if (cached) {
    core.info(`Found in cache @ ${cached}`)
    return cached
  }
  const http = new httpm.HttpClient('setup-go-baseline')
  const listing = (await http.getJson<DistRelease[]>(`${baseUrl}/?mode=json&include=all`)).result ?? []
  const goos = process.platform === 'win32' ? 'windows' : process.platform
  const release = listing.find((r) => r.version === `go${versionSpec}`)
  const file = release?.files.find((f) => f.os === goos && f.arch === GO_ARCH[arch] && f.kind === 'archive')
  if (!release || !file)
    throw new Error(
      `Unable to find Go version '${versionSpec}' for platform ${goos} and architecture ${arch}.`
    )
  core.info(`Acquiring ${release.version} from ${baseUrl}/${file.filename}`)
  const archive = await tc.downloadTool(`${baseUrl}/${file.filename}`)
  const extracted = await tc.extractTar(archive)
  return tc.cacheDir(path.join(extracted, 'go'), 'go', versionSpec, arch)
}

async function goEnv(name: string): Promise<string> {
  const { stdout } = await exec.getExecOutput('go', ['env', name], { silent: true })
  return stdout.trim()
}

async function cacheState(versionSpec: string): Promise<{ paths: string[]; key: string }> {
  const paths = [await goEnv('GOMODCACHE'), await goEnv('GOCACHE')]
  const dependencyPath =
    core.getInput('cache-dependency-path') ||
    path.join(process.env.GITHUB_WORKSPACE ?? process.cwd(), 'go.sum')
  const hash = await glob.hashFiles(dependencyPath)
  if (!hash) throw new Error('Some specified paths were not resolved, unable to cache dependencies.')
  const linuxVersion = process.env.RUNNER_OS === 'Linux' ? `${process.env.ImageOS}-` : ''
  return {
    paths,
    key: `setup-go-${process.env.RUNNER_OS}-${os.arch()}-${linuxVersion}go-${versionSpec}-${hash}`
  }
}

async function main(): Promise<void> {
  const versionSpec = core.getInput('go-version', { required: true })
  const baseUrl = (core.getInput('go-download-base-url') || 'https://go.dev/dl').replace(/\/+$/, '')
  let t = Date.now()
  const root = await installGo(versionSpec, baseUrl)
  core.addPath(path.join(root, 'bin'))
  core.addPath(path.join(await goEnv('GOPATH'), 'bin'))
  core.setOutput('install-ms', String(Date.now() - t))

  if (core.getBooleanInput('cache')) {
    t = Date.now()
    const { paths, key } = await cacheState(versionSpec)
    core.saveState('CACHE_KEY', key)
    const matched = await cache.restoreCache(paths, key)
    core.setOutput('cache-hit', String(Boolean(matched)))
    if (matched) {
      core.saveState('CACHE_RESULT', matched)
      core.info(`Cache restored from key: ${matched}`)
    } else core.info('Cache is not found')
    core.setOutput('restore-ms', String(Date.now() - t))
  }
  const { stdout } = await exec.getExecOutput('go', ['version'], { silent: true })
  core.info(stdout.trim())
  core.startGroup('go env')
  await exec.exec('go', ['env'])
  core.endGroup()
}

async function post(): Promise<void> {
  if (!core.getBooleanInput('cache')) return
  const t = Date.now()
  const key = core.getState('CACHE_KEY')
  const matched = core.getState('CACHE_RESULT')
  const paths = [await goEnv('GOMODCACHE'), await goEnv('GOCACHE')]
  if (paths.every((p) => !fs.existsSync(p))) {
    core.warning('There are no cache folders on the disk')
    return
  }
  if (!key) return
  if (key === matched) {
    core.info(`Cache hit occurred on the primary key ${key}, not saving cache.`)
    return
  }
  // All paths, existing or not, as setup-go: they are part of the cache version the restore looked up.
  const id = await cache.saveCache(paths, key)
  if (id !== -1) core.info(`Cache saved with the key: ${key}`)
  core.setOutput('save-ms', String(Date.now() - t))
}

try {
  if (core.getState('isPost') === 'true') await post()
  else {
    core.saveState('isPost', 'true')
    await main()
  }
} catch (error) {
  core.setFailed(error instanceof Error ? error.message : String(error))
}
