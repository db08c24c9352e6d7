import { DatabaseUnavailableError } from './metrics'

type PgErrorFields = { code?: string; constraint?: string }

function* causeChain(error: unknown): Generator<unknown> {
  let current = error
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    yield current
    const next = current as { cause?: unknown; sourceError?: unknown }
    current = next.cause ?? next.sourceError
  }
}

/** The SQLSTATE and constraint of a Postgres error, wherever drizzle or the driver wrapped it. */
export function postgresErrorOf(error: unknown): PgErrorFields | undefined {
  for (const e of causeChain(error)) {
    if (e instanceof Error && e.name === 'NeonDbError') {
      const fields = e as Error & PgErrorFields
      if (fields.code) return { code: fields.code, constraint: fields.constraint }
    }
  }
  return undefined
}

// Connection exceptions, transaction rollbacks (deadlock, serialization failure: the statement was undone and a
// retry can succeed), insufficient resources, operator intervention, system errors: not our request's fault.
const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '40', '53', '57', '58']

/** True when the error means "the database is not serving us right now" (answer 503), not a bug (answer 500). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (!(e instanceof Error) && !(e instanceof DOMException)) continue
    if (e instanceof DatabaseUnavailableError) return true
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true
    // A 200 whose body is not JSON: handlers parse no JSON themselves (validators do), so it came from the driver.
    if (e.name === 'SyntaxError') return true
    if (e.name === 'NeonDbError') {
      const code = (e as Error & PgErrorFields).code
      // No SQLSTATE: the driver could not reach the server, or the proxy failed.
      return !code || UNAVAILABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2))
    }
  }
  return false
}
