/** Per-request database figures, for `Server-Timing` and the request log. */
export type DatabaseMetrics = { roundTrips: number; ms: number }

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError'
}

/**
 * The request's figures ride in the driver's `fetchOptions`, which it spreads into each fetch's init: the driver
 * only lets us replace `fetch` globally, and this way each query finds its own request's figures without
 * AsyncLocalStorage (which costs every request's promises, database or not).
 */
export type MeteredInit = RequestInit & { dbMetrics?: DatabaseMetrics }

/** The Neon driver's fetch: counts round trips and their time, and tells an unavailable database from a query error. */
export async function recordDatabaseFetch(
  input: string | URL | Request,
  init?: MeteredInit,
): Promise<Response> {
  const { dbMetrics, ...fetchInit } = init ?? {}
  const started = performance.now()
  try {
    const response = await fetch(input, fetchInit)
    // 400 carries a Postgres error (a bug or a constraint: the caller decides); any other failure means the
    // database or its proxy is not serving us.
    if (!response.ok && response.status !== 400) {
      throw new DatabaseUnavailableError(`database endpoint answered HTTP ${response.status}`)
    }
    return response
  } finally {
    if (dbMetrics) {
      dbMetrics.roundTrips += 1
      dbMetrics.ms += performance.now() - started
    }
  }
}
