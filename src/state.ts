/**
 * The keys main hands to post through GITHUB_STATE. One list so the two entry points cannot drift.
 * Values are strings (core.saveState); structured values are JSON.
 */
export const State = {
  /** JSON: what the cache restore found (CacheRestore), for the post step's save decision. */
  cache: 'cache',
  /** JSON: DownloadResult summary: {ok, cacheCorrupt} — the post step saves only a good cache. */
  download: 'download',
  /** JSON: what the credential setup wrote (files, env names), for removal in post. */
  auth: 'auth'
} as const
