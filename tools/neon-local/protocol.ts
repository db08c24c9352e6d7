// Neon's SQL-over-HTTP wire format: request headers and bodies in, JSON bodies out. Pure functions
// (no I/O) so the exact shapes are easy to check against the driver and Neon's proxy.
import type { Credentials, FieldInfo, QueryResult, SqlParam, SqlQuery } from './backend.js'
import { parseConnectionString } from './connection-string.js'
import { HttpError, plainErrorBody, type RequestHeaders } from './errors.js'
import type { BatchOptions, IsolationLevel } from './execute.js'
import { textToJson } from './json-output.js'
import { assertNoLoneSurrogates } from './strict-json.js'

// Re-exported: they were defined here first, and other tools import them from this module.
export { HttpError, plainErrorBody }

/** Request and response bodies are capped like the proxy's defaults (10 MiB each). */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024

export type Headers = RequestHeaders

export interface OutputOptions {
  rawText: boolean
  arrayMode: boolean
}

export type SqlRequest =
  | { kind: 'single'; query: SqlQuery; output: OutputOptions; credentials: Credentials }
  | {
      kind: 'batch'
      queries: SqlQuery[]
      options: BatchOptions
      output: OutputOptions
      credentials: Credentials
    }

const ISOLATION_LEVELS: readonly IsolationLevel[] = [
  'ReadUncommitted',
  'ReadCommitted',
  'RepeatableRead',
  'Serializable',
]

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

function isIsolationLevel(v: string): v is IsolationLevel {
  return (ISOLATION_LEVELS as readonly string[]).includes(v)
}

/** Neon-Batch-* headers: only the exact string `true` means true. */
export function parseBatchOptions(headers: Headers): BatchOptions {
  const level = header(headers, 'Neon-Batch-Isolation-Level')
  if (level !== undefined && !isIsolationLevel(level)) throw new HttpError(400, 'invalid isolation level')
  return {
    isolationLevel: level,
    readOnly: header(headers, 'Neon-Batch-Read-Only') === 'true',
    deferrable: header(headers, 'Neon-Batch-Deferrable') === 'true',
  }
}

/** The headers a batch response echoes (the proxy sends read-only/deferrable only when true). */
export function batchEchoHeaders(opts: BatchOptions): Record<string, string> {
  const h: Record<string, string> = {}
  if (opts.isolationLevel) h['Neon-Batch-Isolation-Level'] = opts.isolationLevel
  if (opts.readOnly) h['Neon-Batch-Read-Only'] = 'true'
  if (opts.deferrable) h['Neon-Batch-Deferrable'] = 'true'
  return h
}

/** JSON parameter -> Postgres text, the way the proxy's json_to_pg_text does it. */
export function paramToText(v: unknown): SqlParam {
  if (v === null || v === undefined) return null
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return arrayLiteral(v)
  return JSON.stringify(v)
}

function arrayLiteral(items: unknown[]): string {
  const parts = items.map((item) => {
    if (Array.isArray(item)) return arrayLiteral(item)
    const text = paramToText(item)
    return text === null ? 'NULL' : `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
  })
  return `{${parts.join(',')}}`
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function toQuery(v: unknown): SqlQuery {
  if (!isRecord(v) || typeof v.query !== 'string') {
    throw new HttpError(400, 'request body must have a "query" string (or a "queries" array)')
  }
  if (v.params !== undefined && v.params !== null && !Array.isArray(v.params)) {
    throw new HttpError(400, '"params" must be an array')
  }
  const params = Array.isArray(v.params) ? v.params.map(paramToText) : []
  return { query: v.query, params }
}

/**
 * Validates headers and body of a `POST /sql` in the proxy's order (connection string, batch headers, body).
 * Throws HttpError (400) on anything malformed.
 */
export function parseSqlRequest(headers: Headers, body: string): SqlRequest {
  const credentials = parseConnectionString(headers)
  const options = parseBatchOptions(headers)
  const output: OutputOptions = {
    rawText: header(headers, 'Neon-Raw-Text-Output') === 'true',
    arrayMode: header(headers, 'Neon-Array-Mode') === 'true',
  }
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch (err) {
    throw new HttpError(400, `could not parse the HTTP request body: ${(err as Error).message}`)
  }
  assertNoLoneSurrogates(body)
  if (isRecord(json) && Array.isArray(json.queries)) {
    return { kind: 'batch', queries: json.queries.map(toQuery), options, output, credentials }
  }
  return { kind: 'single', query: toQuery(json), output, credentials }
}

export interface ResultJson {
  fields: FieldInfo[]
  command: string
  rowCount: number | null
  rows: unknown[]
  rowAsArray: boolean
}

export function resultToJson(r: QueryResult, out: OutputOptions): ResultJson {
  const values = out.rawText
    ? r.rows
    : r.rows.map((row) => row.map((v, i) => textToJson(v, r.fields[i]?.dataTypeID ?? 0)))
  const rows = out.arrayMode
    ? values
    : values.map((row) => Object.fromEntries(row.map((v, i) => [r.fields[i]?.name ?? String(i), v])))
  return { fields: r.fields, command: r.command, rowCount: r.rowCount, rows, rowAsArray: out.arrayMode }
}
