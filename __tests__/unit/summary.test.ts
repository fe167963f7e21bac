import { describe, expect, it } from '@jest/globals'
import { describeCache, failureMessage, html } from '../../src/summary.js'
import type { CacheRestore } from '../../src/types.js'
import { ClassifiedError } from '../../src/classified-error.js'
import { errorClassOf } from '../../src/failure.js'
import { GoChecksumError } from '../../src/go/install.js'
import { InputError } from '../../src/input-error.js'

describe('job summary text', () => {
  it('turns `code` into <code> and escapes HTML, since GitHub renders no markdown inside summary tables', () => {
    expect(html('exact hit: `setup-go-deps-linux-x64-go1.22.3-abc` (1.2 MiB)')).toBe(
      'exact hit: <code>setup-go-deps-linux-x64-go1.22.3-abc</code> (1.2 MiB)'
    )
    expect(html('GOPROXY=https://a.example/?x=1&y=<2>')).toBe(
      'GOPROXY=https://a.example/?x=1&amp;y=&lt;2&gt;'
    )
  })

  const restore: CacheRestore = {
    outcome: 'partial',
    key: 'k-new',
    restoreKeys: ['k-'],
    matchedKey: 'k-old',
    paths: [],
    sizeBytes: 3 * 1024 * 1024,
    durationMs: 1200,
    detail: ''
  }

  it('says which entry a partial restore came from, with size and time', () => {
    expect(describeCache(restore)).toBe(
      'partial: restored `k-old` (3.0 MiB in 1.2 s); only the difference is downloaded'
    )
  })

  it('says why a miss missed', () => {
    expect(
      describeCache({ ...restore, outcome: 'miss', matchedKey: '', sizeBytes: 0, detail: 'no entry yet' })
    ).toBe('miss: `k-new` (no entry yet)')
  })

  it("builds one failure message: what, go's own line, the fix, the class", () => {
    expect(
      failureMessage({
        errorClass: 'auth',
        retryable: false,
        module: 'github.com/acme/private@v1.4.0',
        cause: 'github.com/acme/private@v1.4.0: authentication failed (git: terminal prompts disabled).',
        evidence: "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
        hint: "Set 'private-modules' and a 'token'."
      })
    ).toBe(
      "github.com/acme/private@v1.4.0: authentication failed (git: terminal prompts disabled). go printed: fatal: could not read Username for 'https://github.com': terminal prompts disabled. Set 'private-modules' and a 'token'. (error-class: auth)"
    )
  })
})

describe('errorClassOf (the error-class output of a failure outside the download)', () => {
  it('is config for a bad input, the class a step threw with, and unknown otherwise (never empty)', () => {
    expect(errorClassOf(new InputError('goproxy', 'bad'))).toBe('config')
    expect(errorClassOf(new GoChecksumError('sha256 differs'))).toBe('checksum')
    expect(errorClassOf(new ClassifiedError('unreachable', 'network'))).toBe('network')
    expect(errorClassOf(new Error('anything else'))).toBe('unknown')
  })
})
