/**
 * Install the Go the user asked for, and put it on PATH for this and later steps:
 *
 *   version input / version file / nothing  ->  spec          (version.ts, pure)
 *   spec + runner tool cache                ->  found?        (no network at all for a cached exact/range)
 *   spec + release list                     ->  one release   (mirror listing | versions manifest -> go.dev)
 *   release                                 ->  download, sha256 check BEFORE extraction, tool cache
 *   tool cache dir                          ->  PATH, GOTOOLCHAIN=local, `go version`
 *
 * Decisions are in version.ts / platform.ts; this file is the story and the effects.
 */
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import path from 'node:path'
import { sha256File } from '../sha256.js'
import type { GoConfig } from '../config.js'
import { InputError } from '../input-error.js'
import type { GoInstallation, GoSource } from '../types.js'
import { pinnedToolchainEnv, queryGoEnv } from './env.js'
import { type ToolCacheInstall, extractIntoToolCache } from './toolcache.js'
import {
  type Platform,
  archiveExtension,
  detectPlatform,
  goExecutable,
  platformLabel,
  toolCacheArch
} from './platform.js'
import {
  GO_DEV_BASE_URL,
  fetchListing,
  fetchManifest,
  listingUrl,
  manifestToken,
  plainHttpMirrorWarning
} from './releases.js'
import {
  type GoFile,
  type GoRelease,
  type VersionSpec,
  archiveFor,
  describeRequest,
  notFoundMessage,
  parseSpec,
  resolveVersion,
  selectCached,
  semverToGo
} from './version.js'
import { ClassifiedError } from '../classified-error.js'

/** A release source: where the list comes from and where its archives are downloaded. */
interface ReleaseSource {
  source: GoSource
  /** For logs and errors. */
  where: string
  load(): Promise<GoRelease[]>
  /** Base URL for archives without an absolute URL of their own. */
  baseUrl: string
  /**
   * Whether the search goes on to the next source when this one fails (go.dev, then the manifest) or
   * ends with its error (a mirror, and the manifest: the last).
   */
  optional: boolean
}

/** The archive could not be fetched: the one install failure after which the next source is tried. */
class GoFetchError extends ClassifiedError {}

/** A checksum that does not match the listing: never retried, never cached. */
export class GoChecksumError extends ClassifiedError {
  constructor(message: string) {
    super(message, 'checksum')
    this.name = 'GoChecksumError'
  }
}

export async function installGo(cfg: GoConfig): Promise<GoInstallation> {
  if (cfg.token !== '') core.setSecret(cfg.token)
  return core.group('Install Go', async () => {
    if (cfg.requestWarning) core.warning(cfg.requestWarning)
    const request = cfg.request
    if (!request) return useGoOnPath()
    const spec = parseSpec(request)
    const platform = detectPlatform(process.platform, process.arch, cfg.architecture)
    const started = Date.now()
    const token = manifestToken(cfg.token, process.env.GITHUB_SERVER_URL)
    if (cfg.token !== '' && token === '')
      core.info(
        `GITHUB_SERVER_URL is ${process.env.GITHUB_SERVER_URL}, not github.com: input 'token' is not sent with the Go versions manifest or its downloads.`
      )
    const found = await findOrDownload(spec, platform, { ...cfg, token })
    const installation = await activate(found.root, platform, {
      source: found.source,
      requested: `${request.spec} (${request.origin})`,
      durationMs: found.source === 'tool-cache' ? 0 : Date.now() - started
    })
    const expected = semverToGo(found.semver)
    if (installation.version !== expected) {
      core.warning(
        `Installed Go ${expected} for ${describeRequest(request)}, but its 'go version' reports go${installation.version}. The archive at ${found.where} is not the release it is listed as.`
      )
    }
    core.info(
      `Resolved ${describeRequest(request)} to ${expected}; ${found.how}. GOROOT=${installation.root}`
    )
    return installation
  })
}

async function useGoOnPath(): Promise<GoInstallation> {
  const go = await io.which('go', false)
  if (go === '') {
    throw new InputError(
      'go-version',
      "Neither input 'go-version' nor 'go-version-file' is set, and there is no go on PATH. Set 'go-version: stable' (or a version like 1.22), or 'go-version-file: go.mod'."
    )
  }
  const root = (await queryGoEnv(go, ['GOROOT'])).GOROOT ?? ''
  core.info(`Neither 'go-version' nor 'go-version-file' is set: using the Go on PATH (${go}).`)
  return activate(root, undefined, { source: 'path', requested: 'the Go on PATH', durationMs: 0 }, go)
}

interface Found {
  root: string
  semver: string
  source: GoSource
  /** "found in the tool cache", "downloaded from ... in 2.1 s, sha256 verified". */
  how: string
  where: string
}

async function findOrDownload(spec: VersionSpec, platform: Platform, cfg: GoConfig): Promise<Found> {
  const arch = toolCacheArch(platform.arch)
  const cachedVersion = selectCached(spec, tc.findAllVersions('go', arch), cfg.checkLatest)
  if (cachedVersion) {
    const root = tc.find('go', cachedVersion, arch)
    return { root, semver: cachedVersion, source: 'tool-cache', how: 'found in the tool cache', where: root }
  }
  if (cfg.checkLatest && spec.kind === 'range')
    core.info('check-latest is set: resolving against the newest releases.')

  const failures: string[] = []
  // The first listing that lacked the release: go.dev's is the complete one, so "not found" names it.
  let lacking: { releases: GoRelease[]; where: string } | undefined
  for (const source of releaseSources(cfg)) {
    let releases: GoRelease[]
    try {
      releases = await source.load()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (source.optional) {
        core.info(`The ${source.where} is not available (${message}); trying the next source.`)
        failures.push(`${source.where}: ${message}`)
        continue
      }
      const before = failures.length > 0 ? ` (and before it, ${failures.join('; ')})` : ''
      throw new ClassifiedError(
        `Could not read the list of Go releases from ${source.where}: ${message}${before}. ${
          cfg.downloadBaseUrl
            ? "Check that input 'go-download-base-url' (or GO_DOWNLOAD_BASE_URL) points at a reachable mirror that serves ?mode=json&include=all."
            : "If this runner cannot reach go.dev, set input 'go-download-base-url' to a Go download mirror."
        }`,
        'network'
      )
    }
    const release = resolveVersion(spec, releases, platform)
    if (!release) {
      lacking ??= { releases, where: source.where }
      if (source.optional) {
        core.info(
          `The ${source.where} has no release for ${describe(spec)} on ${platformLabel(platform)}; trying the next source.`
        )
        continue
      }
      throw new InputError(
        spec.request.input,
        notFoundMessage(spec, lacking.releases, platform, lacking.where)
      )
    }
    const root = tc.find('go', release.semver, arch)
    if (root)
      return {
        root,
        semver: release.semver,
        source: 'tool-cache',
        how: 'found in the tool cache',
        where: root
      }
    const file = archiveFor(release, platform) as GoFile
    if (!source.optional) return download(release, file, platform, source, cfg.token)
    try {
      return await download(release, file, platform, source, cfg.token)
    } catch (error) {
      // Only an archive that could not be fetched sends the install to the next source. One that does not
      // match go.dev's own checksum is corrupted or tampered with, and one that was verified but could not
      // be extracted or cached fails the same way from any source: installing the manifest's build
      // instead, which nothing can check, would defeat the check.
      if (!(error instanceof GoFetchError)) throw error
      // A go.dev archive that cannot be fetched is not the end: the manifest may have a build.
      const message = error instanceof Error ? error.message : String(error)
      core.info(`Installing from the ${source.where} failed (${message}); trying the next source.`)
      failures.push(`${source.where}: ${message}`)
    }
  }
  throw new ClassifiedError(`No source of Go releases could be read: ${failures.join('; ')}.`, 'network')
}

function describe(spec: VersionSpec): string {
  return `'${spec.request.spec}'`
}

function releaseSources(cfg: GoConfig): ReleaseSource[] {
  if (cfg.downloadBaseUrl) {
    // A mirror is all-or-nothing: a user who set one (often because go.dev is unreachable) wants neither
    // the manifest nor go.dev to be tried behind their back.
    return [
      {
        source: 'mirror',
        where: `the mirror's listing ${listingUrl(cfg.downloadBaseUrl)}`,
        load: () => {
          const warning = plainHttpMirrorWarning(cfg.downloadBaseUrl)
          if (warning) core.warning(warning)
          return fetchListing(cfg.downloadBaseUrl)
        },
        baseUrl: cfg.downloadBaseUrl,
        optional: false
      }
    ]
  }
  // go.dev first: its listing has each archive's sha256, verified before extraction. The versions
  // manifest (actions/go-versions, setup-go's first source) publishes none, so its builds can only be
  // trusted to HTTPS: it is the fallback where go.dev cannot be reached or lacks the release.
  return [
    {
      source: 'go.dev',
      where: `go.dev listing ${listingUrl(GO_DEV_BASE_URL)}`,
      load: () => fetchListing(GO_DEV_BASE_URL),
      baseUrl: GO_DEV_BASE_URL,
      optional: true
    },
    {
      source: 'manifest',
      where: 'Go versions manifest (actions/go-versions)',
      load: () => fetchManifest(cfg.token),
      baseUrl: GO_DEV_BASE_URL,
      optional: false
    }
  ]
}

/** Download, verify, extract, cache. Whatever fails, the archive and the extraction are removed. */
async function download(
  release: GoRelease,
  file: GoFile,
  platform: Platform,
  source: ReleaseSource,
  token: string
): Promise<Found> {
  const url = file.url ?? `${source.baseUrl}/${file.filename}`
  // go.dev's listing (and a mirror serving its format) gives every archive's sha256; the manifest gives
  // none. A listing entry without a usable one is refused before anything is downloaded: installing it
  // unchecked would make the checksum optional for whoever can change the listing.
  if (source.source !== 'manifest' && !/^[0-9a-f]{64}$/i.test(file.sha256))
    throw new GoChecksumError(
      `The ${source.where} lists ${file.filename} without a usable sha256 (${JSON.stringify(file.sha256)}), so its download cannot be verified. Nothing was downloaded. A mirror in input 'go-download-base-url' must serve go.dev's listing with each archive's sha256.`
    )
  const started = Date.now()
  core.info(`Downloading Go ${release.version} for ${platformLabel(platform)} from ${url}`)
  // The versions manifest points at GitHub release assets; the token lifts the anonymous rate limit.
  // Nothing else gets it.
  const auth =
    file.url && token !== '' && new URL(url).hostname === 'github.com' ? `token ${token}` : undefined
  let archive: string
  try {
    // downloadTool retries 5xx, 408, 429 and dropped connections itself (3 attempts, 10-20 s apart).
    archive = await tc.downloadTool(url, undefined, auth)
  } catch (error) {
    const status = error instanceof tc.HTTPError ? error.httpStatusCode : undefined
    const why = error instanceof Error ? error.message : String(error)
    throw new GoFetchError(
      `Downloading Go ${release.version} from ${url} failed: ${status === 404 ? `the server answered 404, although ${source.where} lists it` : why}. ${
        source.source === 'mirror'
          ? "Check the mirror (input 'go-download-base-url')."
          : "If this runner cannot reach it, set input 'go-download-base-url' to a Go download mirror."
      }`,
      status === 404 ? 'not-found' : 'network'
    )
  }
  try {
    if (file.sha256 !== '') {
      const actual = await sha256File(archive)
      if (actual !== file.sha256) {
        throw new GoChecksumError(
          `The Go archive ${url} has sha256 ${actual}, but ${source.where} lists ${file.sha256}. Nothing was extracted or cached. The download was corrupted or the server serves a different file than it lists: run the job again, and if it persists, check the mirror (input 'go-download-base-url').`
        )
      }
      core.info(`sha256 ${actual} matches the listing.`)
    } else {
      core.info(
        `The ${source.where} publishes no checksum: ${url} is trusted to HTTPS alone (go.dev, whose listing has checksums, was not available; a mirror in 'go-download-base-url' that serves go.dev's listing is verified).`
      )
    }
    const format = archiveExtension(platform.os) === 'zip' || file.filename.endsWith('.zip') ? 'zip' : 'tar'
    const { root, placed } = await extractIntoToolCache(
      archive,
      format,
      release.semver,
      toolCacheArch(platform.arch)
    ).catch((error: unknown) => {
      if (error instanceof ClassifiedError) throw error
      const why = error instanceof Error ? error.message : String(error)
      throw new ClassifiedError(
        `Could not install the Go archive ${url} into the tool cache (${path.join(process.env.RUNNER_TOOL_CACHE ?? '', 'go')}): ${why} (the extractor's own output is above). ${
          file.sha256 !== ''
            ? `Its sha256 matched the ${source.where}, so the server lists a file that is not a Go ${format} archive, or`
            : 'The download may be damaged, or'
        } the runner's disk is full or its tool cache not writable. Nothing was cached; ${
          source.source === 'mirror' ? "check the mirror (input 'go-download-base-url')" : 'run the job again'
        }.`,
        'unknown'
      )
    })
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const verified = file.sha256 !== '' ? ', sha256 verified' : ''
    return {
      root,
      semver: release.semver,
      source: source.source,
      how: `downloaded from ${source.source === 'mirror' ? 'the mirror' : source.source} in ${seconds} s${verified}, ${PLACED[placed]}`,
      where: url
    }
  } finally {
    // A download that cannot be removed (a scanner holding it on Windows) must not replace the install's
    // own error, a checksum failure above all.
    await io.rmRF(archive).catch((error: unknown) => {
      core.warning(
        `Could not remove the downloaded Go archive ${archive}: ${error instanceof Error ? error.message : String(error)}`
      )
    })
  }
}

const PLACED: Record<ToolCacheInstall['placed'], string> = {
  renamed: 'cached in the tool cache',
  copied: 'copied into the tool cache',
  concurrent: 'but another job on this runner cached the same version meanwhile: using that one'
}

/**
 * Put the Go at `root` on PATH for this and later steps, pin it, and ask it its version.
 * GOTOOLCHAIN=local: from Go 1.21, a go.mod `toolchain` (or newer `go`) line makes go download and run
 * another toolchain (golang/go#57001), so the Go this step reports would not be the Go later steps run.
 * Older Go ignores the variable. A GOTOOLCHAIN the workflow set itself is left alone.
 */
async function activate(
  root: string,
  platform: Platform | undefined,
  meta: { source: GoSource; requested: string; durationMs: number },
  goBinary?: string
): Promise<GoInstallation> {
  const go = goBinary ?? path.join(root, 'bin', goExecutable(platform?.os ?? 'linux'))
  if (meta.source !== 'path') {
    core.addPath(path.join(root, 'bin'))
    // A GOROOT left in the environment (containers, self-hosted runners) would make the new go use the
    // old standard library; go finds its own root from its executable when GOROOT is unset or right.
    if (process.env.GOROOT && path.resolve(process.env.GOROOT) !== path.resolve(root)) {
      core.info(`GOROOT was ${process.env.GOROOT}; setting it to the installed Go's root.`)
      core.exportVariable('GOROOT', root)
    }
  }
  if (process.env.GOTOOLCHAIN && process.env.GOTOOLCHAIN !== 'local') {
    core.info(`GOTOOLCHAIN is set to '${process.env.GOTOOLCHAIN}' by the workflow; leaving it as it is.`)
  } else {
    core.exportVariable('GOTOOLCHAIN', 'local')
  }
  const { stdout } = await exec.getExecOutput(go, ['version'], {
    silent: true,
    env: pinnedToolchainEnv(),
    cwd: root
  })
  const m = /\bgo version (?:devel )?go(\S+)/.exec(stdout)
  if (!m)
    throw new ClassifiedError(
      `'${go} version' printed '${stdout.trim()}', which is not a Go version line. That go is not a working Go toolchain: set 'go-version' (or 'go-version-file') so that this action installs one, or fix the go on PATH.`,
      'config'
    )
  const version = m[1] as string
  return { version, root, source: meta.source, requested: meta.requested, durationMs: meta.durationMs }
}
