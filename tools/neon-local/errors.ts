// Errors that do not come from Postgres, and the body the proxy gives them. A module of its own so that every
// part of the server can throw them without importing the protocol module (and making a cycle).
import type { PgErrorFields } from './backend.js'

export type RequestHeaders = Record<string, string | string[] | undefined>

/** An error that is not Postgres's: answered with the given status and `code` (empty unless said otherwise). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = '',
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/**
 * The HTTP client went away before its request finished: its statement was cancelled, or its batch rolled back.
 * Nobody reads the answer; the status and text are what the proxy would send (`SqlOverHttpError::Cancelled`).
 */
export class ClientGoneError extends HttpError {
  constructor() {
    super(400, 'Query cancelled, connection was terminated', '08P01')
    this.name = 'ClientGoneError'
  }
}

const NO_PG_FIELDS: Omit<PgErrorFields, 'message' | 'code'> = {
  detail: null,
  hint: null,
  position: null,
  internalPosition: null,
  internalQuery: null,
  severity: null,
  where: null,
  table: null,
  column: null,
  schema: null,
  dataType: null,
  constraint: null,
  file: null,
  line: null,
  routine: null,
}

/** Error body for anything that is not a Postgres error: every key present, `code` empty unless given. */
export function plainErrorBody(message: string, code = ''): PgErrorFields {
  return { message, code, ...NO_PG_FIELDS }
}
