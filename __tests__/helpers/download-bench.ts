/**
 * Shared setup for the download e2e tests: an isolated go environment, generated modules served by the
 * bench proxy, a consumer project, and `downloadModules` called in-process (no bundle needed) with the
 * go processes' environment passed explicitly (nothing of the developer's environment leaks in).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  generateModules,
  isolatedGoEnv,
  removeTree,
  startModuleProxy,
  writeConsumerProject,
  type ModuleProxy,
  type ModuleSet
} from '../../testbed/index.ts'
import { downloadModules } from '../../src/download/run.js'
import type { DownloadConfig } from '../../src/config.js'
import type { DownloadResult } from '../../src/types.js'

export interface Bench {
  root: string
  workspace: string
  set: ModuleSet
  proxy: ModuleProxy
  env: Record<string, string>
  gomodcache: string
  download: (
    cfg?: Partial<DownloadConfig>,
    extra?: { env?: Record<string, string>; privatePatterns?: string[]; workingDirectory?: string }
  ) => Promise<DownloadResult>
  close: () => Promise<void>
}

export const FAST: DownloadConfig = {
  enabled: true,
  modules: [],
  parallel: 4,
  retries: 5,
  backoffMs: 50,
  timeoutMs: 60_000,
  attemptTimeoutMs: 15_000,
  fallbackProxies: [],
  offlineAfterDownload: false
}

export async function startBench(
  opts: { count?: number; prefix?: string; project?: boolean } = {}
): Promise<Bench> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-e2e-'))
  const workspace = path.join(root, 'ws')
  const set = generateModules({
    dir: path.join(root, 'mods'),
    count: opts.count ?? 6,
    prefix: opts.prefix ?? 'example.com/pub'
  })
  const proxy = await startModuleProxy({ modules: set })
  if (opts.project ?? true) writeConsumerProject(workspace, { requires: set.latest() })
  // GOFLAGS empty: keep go's read-only module cache, as on a runner (the purge must cope with it).
  // Any request that is not to a loopback bench server (a direct fetch of a module's go-get page) goes to
  // a proxy that refuses at once: these tests never reach a real network address, not even DNS.
  const go = isolatedGoEnv({
    root,
    goproxy: proxy.goproxy,
    goflags: '',
    extra: { HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' }
  })
  const bench: Bench = {
    root,
    workspace,
    set,
    proxy,
    env: go.env,
    gomodcache: go.gomodcache,
    download: (cfg = {}, extra = {}) => {
      const env = { ...go.env, ...extra.env }
      return downloadModules(
        { ...FAST, ...cfg },
        {
          workingDirectory: extra.workingDirectory ?? workspace,
          goEnv: {
            GOMODCACHE: go.gomodcache,
            GOPATH: go.gopath,
            GOPROXY: env.GOPROXY ?? '',
            GOFLAGS: env.GOFLAGS ?? '',
            GOPRIVATE: env.GOPRIVATE ?? '',
            GONOPROXY: env.GONOPROXY ?? '',
            GOWORK: env.GOWORK ?? ''
          },
          environment: {
            privatePatterns: extra.privatePatterns ?? [],
            credentialScopes: [],
            exported: {},
            notes: []
          },
          env
        }
      )
    },
    close: async () => {
      await proxy.close()
      removeTree(root)
    }
  }
  return bench
}
