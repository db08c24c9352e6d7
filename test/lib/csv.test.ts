/** The CSV writer on its own: RFC 4180 quoting, and OWASP formula neutralisation, property-tested. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { csvCell } from '../../src/lib/csv'

/** The cell's text as a spreadsheet reads it back (RFC 4180 unquoting). */
function unquote(field: string): string {
  return field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field
}

const WHITESPACE = [' ', '\t', '\r', '\n', '\u00a0', '\u3000']
const FORMULA_CHARS = ['=', '+', '-', '@', '＝', '＋', '－', '＠']
const leadingWhitespace = fc.array(fc.constantFrom(...WHITESPACE), { maxLength: 4 }).map((w) => w.join(''))

describe('csvCell', () => {
  it.each([
    ['\n=1+1', "'\n=1+1"],
    ['   =1+1', "'   =1+1"],
    ['＝1+1', "'＝1+1"],
    ['\u3000＋cmd', "'\u3000＋cmd"],
    ['\t-2', "'\t-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
  ])('neutralises %j', (value, expected) => {
    expect(unquote(csvCell(value))).toBe(expected)
  })

  it('leaves ordinary text, formula characters in the middle, and numbers alone', () => {
    expect(csvCell('Sunset kayak tour')).toBe('Sunset kayak tour')
    expect(csvCell('Mid=dle+of-text@ok')).toBe('Mid=dle+of-text@ok')
    expect(csvCell(' leading space')).toBe(' leading space')
    expect(csvCell(-3)).toBe('-3')
    expect(csvCell(null)).toBe('')
  })

  it('neutralises every cell whose first non-whitespace character is a formula character (property)', () => {
    fc.assert(
      fc.property(leadingWhitespace, fc.constantFrom(...FORMULA_CHARS), fc.string(), (space, start, rest) => {
        const value = `${space}${start}${rest}`
        expect(unquote(csvCell(value))).toBe(`'${value}`)
      }),
      { numRuns: 500 },
    )
  })

  it('round-trips any text exactly, with at most a leading quote added (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        const field = csvCell(value)
        const back = unquote(field)
        expect(back === value || back === `'${value}`).toBe(true)
        // A field with a quote, comma or line break is quoted; an unquoted one contains none of them.
        if (!field.startsWith('"')) expect(field).not.toMatch(/[",\r\n]/)
      }),
      { numRuns: 500 },
    )
  })
})
