/**
 * What main hands to post through GITHUB_STATE: the key names and every payload's type, with typed save
 * and load (as actions/cache's StateProvider and actions/checkout's state-helper do), so the two entry
 * points cannot drift. Values are JSON strings (core.saveState); a payload that is missing or does not
 * parse loads as undefined, and each loader checks the fields post relies on.
 */
import * as core from '@actions/core'
import type { CacheSaveMode } from './inputs.js'
import type { CacheRestore } from './types.js'

export const State = {
  /** CacheState: what the cache restore found, for the post step's save decision. */
  cache: 'cache',
  /** DownloadState: the post step saves only a good cache. */
  download: 'download',
  /** What the credential setup wrote (files, env names), for removal in post (payload owned there). */
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
  /** fingerprintModuleCache() right after the restore (and purge). */
  fingerprint: string
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
}

export const downloadState = stateSlot<DownloadState>(State.download, (v) =>
  isObject(v) ? { ok: v.ok === true, cacheCorrupt: v.cacheCorrupt === true } : undefined
)

/**
 * The credentials directory main created, read from State.auth's `dir` (the one field of that payload the
 * cache needs: post refuses to save a cache path that contains it). Read-only: the payload is written by
 * the credentials code.
 */
export function loadCredentialsDir(): string | undefined {
  return stateSlot<string>(State.auth, (v) =>
    isObject(v) && typeof v.dir === 'string' && v.dir !== '' ? v.dir : undefined
  ).load()
}
