import { describe, expect, it } from '@jest/globals'
import {
  BUILD_CACHE_LIMIT_BYTES,
  buildRestoreKeys,
  buildSaveBlocker,
  buildSizeBlocker,
  classifySave,
  credentialsInside,
  decideSave,
  displayPath,
  moduleCachePaths,
  saveRetryDelay,
  saveTarOptions,
  untrustedEvent,
  ziphashesLeftOut,
  type SaveInput
} from '../../src/cache/policy.js'

const missOk: SaveInput = {
  mode: 'auto',
  outcome: 'miss',
  download: { ok: true, cacheCorrupt: false },
  changed: true,
  hasContent: true
}

describe('decideSave', () => {
  it('auto saves after a miss when the download succeeded and added modules', () => {
    expect(decideSave(missOk).save).toBe(true)
    expect(decideSave({ ...missOk, outcome: 'partial' }).save).toBe(true)
  })

  it('auto does not save when nothing was downloaded', () => {
    const d = decideSave({ ...missOk, changed: false })
    expect(d.save).toBe(false)
    expect(d.reason).toMatch(/unchanged/)
  })

  it('auto does not save after a failed download, always does', () => {
    const failed = { ...missOk, download: { ok: false, cacheCorrupt: false } }
    expect(decideSave(failed).save).toBe(false)
    expect(decideSave({ ...failed, mode: 'always' }).save).toBe(true)
  })

  it('auto does not save when main never finished the download', () => {
    expect(decideSave({ ...missOk, download: undefined }).save).toBe(false)
  })

  it('always saves an unchanged cache after a miss (e.g. a restore-key match that was complete)', () => {
    expect(decideSave({ ...missOk, mode: 'always', outcome: 'partial', changed: false }).save).toBe(true)
  })

  it('always does not save a restore that a failed download added nothing to (it would never be completed)', () => {
    const failed = {
      ...missOk,
      mode: 'always' as const,
      outcome: 'partial' as const,
      download: { ok: false, cacheCorrupt: false }
    }
    expect(decideSave({ ...failed, changed: false })).toEqual({
      save: false,
      reason:
        'the download did not complete and added nothing to the restored module cache (saved under this key, it would be an exact hit that later runs never complete)'
    })
    expect(decideSave({ ...failed, changed: true }).save).toBe(true)
    expect(decideSave({ ...failed, download: undefined, changed: false }).save).toBe(false)
  })

  it('always does not save when the main step stopped before its download finished (restored zips left unchecked)', () => {
    expect(decideSave({ ...missOk, mode: 'always', download: undefined, changed: true })).toEqual({
      save: false,
      reason:
        'the main step stopped before the download finished, so the restored content was not all checked'
    })
  })

  it('never saves with never, after an exact hit, or when disabled or unavailable', () => {
    expect(decideSave({ ...missOk, mode: 'never' }).save).toBe(false)
    for (const outcome of ['exact', 'disabled', 'unavailable'] as const) {
      expect(decideSave({ ...missOk, mode: 'always', outcome }).save).toBe(false)
    }
  })

  it('never saves a corrupt cache, whatever the mode', () => {
    for (const mode of ['auto', 'always'] as const) {
      expect(decideSave({ ...missOk, mode, outcome: 'corrupt' }).save).toBe(false)
      const d = decideSave({ ...missOk, mode, download: { ok: true, cacheCorrupt: true } })
      expect(d.save).toBe(false)
      expect(d.reason).toMatch(/corrupt/)
    }
  })

  it('does not save an empty module cache', () => {
    expect(decideSave({ ...missOk, mode: 'always', hasContent: false }).save).toBe(false)
  })
})

describe('moduleCachePaths', () => {
  it('archives cache/download only: not the extracted trees, not cache/vcs', () => {
    expect(moduleCachePaths('/home/r/go/pkg/mod/')).toEqual(['/home/r/go/pkg/mod/cache/download'])
  })
})

describe('the .ziphash files the archive leaves out', () => {
  it('every module version but the toolchains', () => {
    const names = [
      'example.com/!acme/lib/@v/list',
      'example.com/!acme/lib/@v/v1.0.0.info',
      'example.com/!acme/lib/@v/v1.0.0.mod',
      'example.com/!acme/lib/@v/v1.0.0.zip',
      'example.com/!acme/lib/@v/v1.0.0.ziphash',
      'golang.org/toolchain/@v/v0.0.1-go1.27.3.linux-amd64.zip',
      'golang.org/toolchain/@v/v0.0.1-go1.27.3.linux-amd64.ziphash',
      'golang.org/x/mod/@v/v0.20.0+incompatible.ziphash'
    ]
    expect(ziphashesLeftOut(names)).toEqual([
      'example.com/!acme/lib/@v/v1.0.0.ziphash',
      'golang.org/x/mod/@v/v0.20.0+incompatible.ziphash'
    ])
  })

  it('passes the list to GNU tar after the options the job set, literally; none for a path tar would split', () => {
    expect(saveTarOptions('/home/runner/work/_temp/setup-go-deps-tar-x/exclude', undefined)).toBe(
      '--no-wildcards --exclude-from=/home/runner/work/_temp/setup-go-deps-tar-x/exclude'
    )
    expect(saveTarOptions('/t/exclude', '--warning=no-unknown-keyword')).toBe(
      '--warning=no-unknown-keyword --no-wildcards --exclude-from=/t/exclude'
    )
    expect(saveTarOptions('/my temp/exclude', undefined)).toBeUndefined()
    expect(saveTarOptions('D:\\a\\_temp\\exclude', undefined)).toBeUndefined()
  })
})

describe('untrusted events', () => {
  it.each(['pull_request_target', 'workflow_run', 'issue_comment'])(
    '%s: auto does not save and says why; always does',
    (event) => {
      const d = decideSave({ ...missOk, event })
      expect(d.save).toBe(false)
      expect(d.reason).toContain(`this is a ${event} run`)
      expect(decideSave({ ...missOk, event, mode: 'always' }).save).toBe(true)
    }
  )

  it('ordinary events save as before', () => {
    for (const event of ['push', 'pull_request', 'schedule', undefined]) {
      expect(untrustedEvent(event)).toBeUndefined()
      expect(decideSave({ ...missOk, event }).save).toBe(true)
    }
  })

  it('the build cache is restored from its exact key only, and not saved on such events, not even by always', () => {
    const key = 'setup-go-deps-build-linux-x64-go1.22.3-abc'
    expect(buildRestoreKeys(key, 'push')).toEqual(['setup-go-deps-build-linux-x64-go1.22.3-'])
    expect(buildRestoreKeys(key, 'pull_request_target')).toEqual([])
    const build = {
      mode: 'auto' as const,
      key,
      matchedKey: '',
      outcome: 'partial' as const,
      download: { ok: true, cacheCorrupt: false }
    }
    expect(buildSaveBlocker({ ...build, event: 'push' })).toBeUndefined()
    expect(buildSaveBlocker({ ...build, event: 'workflow_run' })).toMatch(/workflow_run run/)
    for (const event of ['pull_request_target', 'workflow_run', 'issue_comment'])
      expect(buildSaveBlocker({ ...build, mode: 'always', event })).toMatch(
        /cannot be verified, so not even with cache-save: always/
      )
    expect(buildSaveBlocker({ ...build, mode: 'always', event: 'push' })).toBeUndefined()
  })
})

describe('build cache save rules', () => {
  const base = {
    mode: 'auto' as const,
    key: 'k',
    matchedKey: 'k-old',
    outcome: 'partial' as const,
    download: { ok: true, cacheCorrupt: false }
  }
  it('saves when its own key missed and the download went well', () => {
    expect(buildSaveBlocker(base)).toBeUndefined()
    expect(buildSaveBlocker({ ...base, matchedKey: 'k' })).toMatch(/exact key hit/)
    expect(buildSaveBlocker({ ...base, mode: 'never' })).toMatch(/never/)
    expect(buildSaveBlocker({ ...base, download: { ok: true, cacheCorrupt: true } })).toMatch(/corrupt/)
    // A module restore found altered (or unreadable): what was built from it must not be kept either.
    expect(buildSaveBlocker({ ...base, mode: 'always', outcome: 'corrupt' })).toMatch(/corrupt/)
    expect(buildSaveBlocker({ ...base, download: { ok: false, cacheCorrupt: false } })).toMatch(
      /download failed/
    )
    expect(
      buildSaveBlocker({ ...base, mode: 'always', download: { ok: false, cacheCorrupt: false } })
    ).toBeUndefined()
    // main stopped before its download: nothing was built with this cache, whatever the mode
    for (const mode of ['auto', 'always'] as const)
      expect(buildSaveBlocker({ ...base, mode, download: undefined })).toMatch(/stopped before its download/)
  })
  it('is bounded at 2 GiB', () => {
    expect(buildSizeBlocker(BUILD_CACHE_LIMIT_BYTES, '/c')).toBeUndefined()
    expect(buildSizeBlocker(BUILD_CACHE_LIMIT_BYTES + 1, '/c')?.line).toMatch(/over the 2 GiB bound/)
  })
})

describe('credentialsInside', () => {
  it('refuses a path that contains the credentials directory or RUNNER_TEMP', () => {
    const creds = ['/tmp/r/_temp/setup-go-deps-auth-x1', '/tmp/r/_temp']
    expect(credentialsInside(['/tmp/r/_temp/cache/download'], creds)).toBeUndefined()
    expect(credentialsInside(['/home/r/go/pkg/mod/cache/download'], creds)).toBeUndefined()
    expect(credentialsInside(['/tmp/r/_temp'], creds)).toMatch(
      /contains \/tmp\/r\/_temp\/setup-go-deps-auth-x1/
    )
    expect(credentialsInside(['/tmp/r/*', '!/tmp/r/cache'], creds)).toMatch(/^\/tmp\/r contains/)
    expect(credentialsInside(['/tmp/r/_tempo'], creds)).toBeUndefined()
  })
})

describe('saving under the service limits', () => {
  const failed = { value: -1, lastStatus: 0 }
  it('tells a 429, a 409 and a 5xx apart although the client logs the same line for all three', () => {
    const line = 'Unable to reserve cache with key k, another job may be creating this cache.'
    expect(classifySave({ ...failed, collision: line, lastStatus: 409 })).toEqual({
      kind: 'exists',
      message: line
    })
    expect(classifySave({ ...failed, collision: line, lastStatus: 429, retryAfterSeconds: 3 })).toEqual({
      kind: 'rate-limited',
      message: line,
      retryAfterMs: 3000
    })
    expect(classifySave({ ...failed, collision: line, lastStatus: 503 })).toMatchObject({
      kind: 'unavailable'
    })
    expect(classifySave({ ...failed, failure: 'RestError: Service Unavailable' })).toMatchObject({
      kind: 'unavailable'
    })
    expect(classifySave({ ...failed, failure: 'tar failed with exit code 2' })).toMatchObject({
      kind: 'failed'
    })
    expect(classifySave({ value: 42, lastStatus: 200 })).toEqual({ kind: 'saved' })
  })

  it('a write the service denied by policy is its own outcome, never retried', () => {
    const denied =
      'Unable to reserve cache with key k. More details: cache write denied: the token for this run is read-only'
    const o = classifySave({ ...failed, failure: denied })
    expect(o).toEqual({ kind: 'denied', message: denied })
    expect(saveRetryDelay(o)).toBeUndefined()
  })

  it('retries once after a 429 (its Retry-After, bounded) or a 5xx that said when; never after a 409', () => {
    expect(saveRetryDelay({ kind: 'rate-limited', message: '', retryAfterMs: 2000 })).toBe(2000)
    expect(saveRetryDelay({ kind: 'rate-limited', message: '' })).toBe(10_000)
    expect(saveRetryDelay({ kind: 'rate-limited', message: '', retryAfterMs: 600_000 })).toBeUndefined()
    expect(saveRetryDelay({ kind: 'unavailable', message: '', retryAfterMs: 1000 })).toBe(1000)
    expect(saveRetryDelay({ kind: 'unavailable', message: '' })).toBeUndefined()
    expect(saveRetryDelay({ kind: 'exists', message: '' })).toBeUndefined()
    expect(saveRetryDelay({ kind: 'failed', message: '' })).toBeUndefined()
  })
})

describe('displayPath', () => {
  it('shows key files relative to the working directory when inside it', () => {
    expect(displayPath('/w/a/go.sum', '/w')).toBe('a/go.sum')
    expect(displayPath('/x/go.sum', '/w')).toBe('/x/go.sum')
  })
})
