import { describe, expect, it } from '@jest/globals'

describe('test runtime', () => {
  it('runs on Node 24, the runtime GitHub uses for `runs.using: node24`', () => {
    expect(process.versions.node.split('.')[0]).toBe('24')
  })
})
