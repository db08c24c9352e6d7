// Neon's proxy parses the body with serde_json, which refuses a \uXXXX escape of a UTF-16 surrogate that is not
// half of a pair (Rust strings must be valid Unicode); JSON.parse accepts it and yields a broken string. So a body
// JSON.parse took is scanned once more, and refused with serde_json's wording and position.
import { HttpError } from './errors.js'

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff
const hexAt = (text: string, i: number) => Number.parseInt(text.slice(i, i + 4), 16)

/** serde_json's " at line L column C": the line from 1, the column counted in bytes before `index`. */
function position(text: string, index: number): string {
  const before = text.slice(0, index)
  const lineStart = before.lastIndexOf('\n') + 1
  const line = before.split('\n').length
  return `at line ${line} column ${Buffer.byteLength(text.slice(lineStart, index))}`
}

/**
 * Throws HttpError(400) if `text` (already valid JSON) holds an unpaired surrogate escape. In valid JSON a backslash
 * only occurs inside a string and always starts an escape, so a linear scan from one backslash to the next is exact.
 */
export function assertNoLoneSurrogates(text: string): void {
  const fail = (message: string, index: number): never => {
    throw new HttpError(400, `could not parse the HTTP request body: ${message} ${position(text, index)}`)
  }
  let i = text.indexOf('\\')
  while (i !== -1) {
    if (text[i + 1] !== 'u') {
      i = text.indexOf('\\', i + 2)
      continue
    }
    const unit = hexAt(text, i + 2)
    let end = i + 6
    if (isLow(unit)) fail('lone leading surrogate in hex escape', end)
    if (isHigh(unit)) {
      if (text[end] !== '\\') fail('unexpected end of hex escape', end + 1)
      if (text[end + 1] !== 'u') fail('unexpected end of hex escape', end + 2)
      const low = hexAt(text, end + 2)
      end += 6
      if (!isLow(low)) fail('lone leading surrogate in hex escape', end)
    }
    i = text.indexOf('\\', end)
  }
}
