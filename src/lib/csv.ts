/**
 * RFC 4180 CSV: CRLF line endings, a header row, and fields quoted when they hold `"`, `,`, CR or LF (a `"` inside
 * is doubled). Text cells that a spreadsheet would run as a formula get a leading `'` (OWASP "CSV injection"):
 * those starting with a tab, CR or LF, and those whose first non-whitespace character is `=`, `+`, `-` or `@`,
 * fullwidth forms included (spreadsheets skip leading spaces and fold `＝` to `=`). Numbers are written as they are.
 */
export type CsvCell = string | number | null

const FORMULA_START = /^(?:[\t\r\n]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/u
const NEEDS_QUOTES = /[",\r\n]/

export function csvCell(value: CsvCell): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const safe = FORMULA_START.test(value) ? `'${value}` : value
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(csvCell).join(',')]
  for (const row of rows) lines.push(row.map(csvCell).join(','))
  return `${lines.join('\r\n')}\r\n`
}
