import { describe, expect, it } from '@jest/globals'
import { decideSave, displayPath, moduleCachePaths, type SaveInput } from '../../src/cache/policy.js'

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
  it('archives the module trees and cache/download but not cache/vcs', () => {
    expect(moduleCachePaths('/home/r/go/pkg/mod/')).toEqual([
      '/home/r/go/pkg/mod/*',
      '!/home/r/go/pkg/mod/cache',
      '/home/r/go/pkg/mod/cache/download'
    ])
  })
})

describe('displayPath', () => {
  it('shows key files relative to the working directory when inside it', () => {
    expect(displayPath('/w/a/go.sum', '/w')).toBe('a/go.sum')
    expect(displayPath('/x/go.sum', '/w')).toBe('/x/go.sum')
  })
})
