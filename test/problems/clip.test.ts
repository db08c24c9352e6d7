/** How a problem's texts are bounded: cut to a length with an ellipsis, never inside a surrogate pair. */
import { describe, expect, it } from 'vitest'
import { clip } from '../../src/problems/problem-error'

describe('clip', () => {
  it('keeps a text of exactly the bound whole', () => {
    expect(clip('abcde', 5)).toBe('abcde')
  })

  it('cuts a longer text to the bound, ellipsis included', () => {
    const clipped = clip('abcdef', 5)
    expect(clipped).toBe('abcd…')
    expect(clipped).toHaveLength(5)
  })

  it('drops a high surrogate the cut would leave alone, so the text stays valid UTF-16', () => {
    // '😀' is two code units: the cut after 'abc' would keep only its first.
    const clipped = clip('abc😀def', 5)
    expect(clipped).toBe('abc…')
    expect(clipped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
  })

  it('keeps a whole pair that fits before the cut', () => {
    expect(clip('ab😀cdef', 5)).toBe('ab😀…')
  })
})
