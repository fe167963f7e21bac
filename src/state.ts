/**
 * What main hands to post through GITHUB_STATE: the key names and every payload's type, with typed save
 * and load (as actions/cache's StateProvider and actions/checkout's state-helper do), so the two entry
 * points cannot drift. Values are JSON strings (core.saveState); a payload that is missing or does not
 * parse loads as undefined, and each loader checks the fields post relies on.
 */
import * as core from '@actions/core'
import type { CacheSaveMode } from './config.js'
import type { CacheRestore } from './types.js'

export const State = {
  /** CacheState: what the cache restore found, for the post step's save decision. */
  cache: 'cache',
  /** DownloadState: the post step saves only a good cache. */
  download: 'download',
  /** AuthState: what the credential setup wrote (files, env names), for removal in post. */
  auth: 'auth'
} as const

export type StateName = (typeof State)[keyof typeof State]

/** A typed GITHUB_STATE slot. */
export interface StateSlot<T> {
  save(value: T): void
  /** undefined when main did not save it or it does not have the expected shape. */
  load(): T | undefined
}

/**
 * A slot for one payload. `check` returns the value when it has the shape post relies on (it may fill
 * defaults), else undefined.
 */
export function stateSlot<T>(name: StateName, check: (value: unknown) => T | undefined): StateSlot<T> {
  return {
    save: (value) => core.saveState(name, JSON.stringify(value)),
    load: () => {
      const raw = core.getState(name)
      if (!raw) return undefined
      try {
        return check(JSON.parse(raw))
      } catch {
        return undefined
      }
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

// ---------------------------------------------------------------------------------------------------------
// Payloads

/** One cache entry (the module cache, or the build cache in its own entry). */
export interface EntryState {
  key: string
  /** Patterns passed to @actions/cache (part of the cache version: identical in main and post). */
  patterns: string[]
  matchedKey: string
  /** Restore-keys main tried (the build cache tries none on an untrusted event). */
  restoreKeys?: string[]
}

/** State.cache as written by main. */
export interface CacheState {
  restore: CacheRestore
  mode: CacheSaveMode
  gomodcache: string
  /** fingerprintModuleCache() right after the restore (and purge): its hash, and its file count. */
  fingerprint: string
  files: number
  modules: EntryState
  build?: EntryState & { dir: string }
}

export const cacheState = stateSlot<CacheState>(State.cache, (v) =>
  isObject(v) && isObject(v.restore) && isObject(v.modules) && typeof v.gomodcache === 'string'
    ? (v as unknown as CacheState)
    : undefined
)

/** State.download: the download's result as far as post needs it. */
export interface DownloadState {
  ok: boolean
  /** go reported a corrupt module cache during the download. */
  cacheCorrupt: boolean
  /** Restored modules go refused as altered, purged and downloaded again: a change no file name shows. */
  repaired: number
}

export const downloadState = stateSlot<DownloadState>(State.download, (v) =>
  isObject(v)
    ? {
        ok: v.ok === true,
        cacheCorrupt: v.cacheCorrupt === true,
        repaired: typeof v.repaired === 'number' ? v.repaired : 0
      }
    : undefined
)

/** State.auth: what the credential step wrote (paths and variable names only: never a secret). */
export interface AuthState {
  dir: string
  files: string[]
  /** Variables exported with their values before this action changed them ('' = unset). */
  previous: Record<string, string>
}

export const authState = stateSlot<AuthState>(State.auth, (v) =>
  isObject(v) && typeof v.dir === 'string' && v.dir !== '' && Array.isArray(v.files)
    ? {
        dir: v.dir,
        files: v.files.map(String),
        previous: isObject(v.previous) ? (v.previous as Record<string, string>) : {}
      }
    : undefined
)

/** The credentials directory main created (post refuses to save a cache path that contains it). */
export function loadCredentialsDir(): string | undefined {
  return authState.load()?.dir
}
