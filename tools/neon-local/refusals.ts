// Statements Neon's proxy cannot send to Postgres, refused here before they reach the backend. Each message is
// the proxy's own (its Postgres client's), so code written against the local server sees what it will see on Neon.
import type { SqlQuery } from './backend.js'
import { HttpError } from './errors.js'

/** The proxy writes the parameter count of Bind as an i16: one more and encoding the message fails. */
export const MAX_PARAMS = 32_767

/** Skips whitespace and SQL comments (`--` to the end of the line, nested `/* *\/`) from `i`. */
function skipBlank(sql: string, i: number): number {
  let pos = i
  for (;;) {
    while (pos < sql.length && /\s/.test(sql[pos] ?? '')) pos++
    if (sql.startsWith('--', pos)) {
      const eol = sql.indexOf('\n', pos)
      pos = eol === -1 ? sql.length : eol + 1
    } else if (sql.startsWith('/*', pos)) {
      let depth = 0
      do {
        if (sql.startsWith('/*', pos)) {
          depth++
          pos += 2
        } else if (sql.startsWith('*/', pos)) {
          depth--
          pos += 2
        } else pos++
      } while (depth > 0 && pos < sql.length)
    } else return pos
  }
}

/** Whether the statement's first keyword is COPY (what precedes it can only be blanks and comments). */
export function isCopyStatement(sql: string): boolean {
  const start = skipBlank(sql, 0)
  return /^copy(?![\w$])/i.test(sql.slice(start, start + 5))
}

/**
 * Throws HttpError(400, code "") for what the proxy cannot run:
 * - more than 32,767 parameters (its Bind encoder: "value too large to transmit");
 * - a NUL character in the query text (its Parse encoder writes a C string);
 * - COPY. `FROM STDIN`/`TO STDOUT` get a CopyIn/CopyOut response the proxy does not expect ("unexpected message
 *   from server"), and on PGlite `FROM STDIN` would wait for data forever. The file and program forms need server
 *   file privileges no Neon role has, so they are refused the same way rather than touch this machine's files.
 */
export function refuseUnsupported(q: SqlQuery): void {
  if (q.params.length > MAX_PARAMS) {
    throw new HttpError(400, 'error encoding message to server: value too large to transmit')
  }
  if (q.query.includes('\0')) {
    throw new HttpError(400, 'error encoding message to server: string contains embedded null')
  }
  if (isCopyStatement(q.query)) throw new HttpError(400, 'unexpected message from server')
}
