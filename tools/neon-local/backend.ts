// The contract between the HTTP layer and a database. A backend only knows how to lend out one
// session at a time and run statements on it; transaction and reset semantics live in execute.ts
// so both backends behave identically.

/** A bound parameter: Neon binds every parameter as untyped text (or SQL NULL). */
export type SqlParam = string | null

export interface SqlQuery {
  query: string
  params: SqlParam[]
}

export interface FieldInfo {
  name: string
  dataTypeID: number
  tableID: number
  columnID: number
  dataTypeSize: number
  dataTypeModifier: number
  format: 'text'
}

/** A column description as the proxy sends it, from either backend's own field type (they share these names). */
export const toFieldInfo = (f: Omit<FieldInfo, 'format'>): FieldInfo => ({
  name: f.name,
  dataTypeID: f.dataTypeID,
  tableID: f.tableID,
  columnID: f.columnID,
  dataTypeSize: f.dataTypeSize,
  dataTypeModifier: f.dataTypeModifier,
  format: 'text',
})

export interface QueryResult {
  fields: FieldInfo[]
  /** First word of the command tag (`CREATE TABLE` -> `CREATE`). */
  command: string
  /** The number in the command tag (the second one for INSERT), or null when there is none. */
  rowCount: number | null
  /** Postgres text output of every value; SQL NULL is null. */
  rows: (string | null)[][]
}

/** The fields of an ErrorResponse, as node-postgres and PGlite name them. */
export interface PgErrorFields {
  message: string
  code: string
  detail: string | null
  hint: string | null
  position: string | null
  internalPosition: string | null
  internalQuery: string | null
  severity: string | null
  where: string | null
  table: string | null
  column: string | null
  schema: string | null
  dataType: string | null
  constraint: string | null
  file: string | null
  line: string | null
  routine: string | null
}

/** An error reported by the Postgres server itself (answered as HTTP 400 with all its fields). */
export class PostgresError extends Error {
  readonly fields: PgErrorFields
  constructor(fields: PgErrorFields) {
    super(fields.message)
    this.name = 'PostgresError'
    this.fields = fields
  }
}

/** Shape shared by pg's DatabaseError and PGlite's error messages. */
export interface RawPgError {
  message: string
  code?: string
  detail?: string
  hint?: string
  position?: string
  internalPosition?: string
  internalQuery?: string
  severity?: string
  where?: string
  table?: string
  column?: string
  schema?: string
  dataType?: string
  constraint?: string
  file?: string
  line?: string
  routine?: string
}

export function toPostgresError(e: RawPgError): PostgresError {
  const s = (v: string | undefined): string | null => (v === undefined ? null : String(v))
  return new PostgresError({
    message: e.message,
    code: e.code ?? '',
    detail: s(e.detail),
    hint: s(e.hint),
    position: s(e.position),
    internalPosition: s(e.internalPosition),
    internalQuery: s(e.internalQuery),
    severity: s(e.severity),
    where: s(e.where),
    table: s(e.table),
    column: s(e.column),
    schema: s(e.schema),
    dataType: s(e.dataType),
    constraint: s(e.constraint),
    file: s(e.file),
    line: s(e.line),
    routine: s(e.routine),
  })
}

/** Who a request runs as: the parts of its `Neon-Connection-String` the proxy uses. */
export interface Credentials {
  user: string
  /** Empty when the request authenticates with a Bearer token instead (not verified here). */
  password: string
  /** The connection string's database name (the backend's own database is used; see README). */
  database: string
  /** The first label of the host, which Neon routes by. */
  endpoint: string
}

export interface RequestContext {
  credentials: Credentials
  /** Aborted when the HTTP client goes away: a running statement is cancelled and a batch is not committed. */
  signal: AbortSignal
}

/** One borrowed database session. Not safe for concurrent use. */
export interface Session {
  /** Runs one statement with the extended protocol (Parse/Bind/Execute), like Neon's proxy does. */
  execute(q: SqlQuery): Promise<QueryResult>
  /** Runs a fixed control string (BEGIN/COMMIT/reset) with the simple protocol. */
  simple(sql: string): Promise<void>
}

export interface Backend {
  readonly kind: 'pglite' | 'postgres'
  /**
   * Lends a session exclusively for `fn`, then resets it (RESET_SESSION_SQL) so nothing a request
   * did with SET, temp tables, prepared statements or advisory locks leaks into the next one. The session runs as
   * `ctx.credentials` where the backend can do that (PostgreSQL), and its statements are cancelled when
   * `ctx.signal` aborts where it can (PostgreSQL; PGlite runs a statement to its end).
   */
  withSession<T>(ctx: RequestContext, fn: (session: Session) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Neon's proxy runs this before a pooled connection is reused (conn_pool_lib.rs). */
export const RESET_SESSION_SQL =
  'ROLLBACK; CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DEALLOCATE ALL; UNLISTEN *; ' +
  'SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES;'

/** Splits a command tag the way the proxy reports it: first word, and its last number. */
export function parseCommandTag(tag: string): { command: string; rowCount: number | null } {
  const words = tag.split(' ')
  const last = words.length > 1 ? Number.parseInt(words[words.length - 1] ?? '', 10) : Number.NaN
  return { command: words[0] ?? '', rowCount: Number.isNaN(last) ? null : last }
}
