import { tryGetContext } from 'hono/context-storage'

/** Per-request database figures, for `Server-Timing` and the request log. */
export type DatabaseMetrics = { roundTrips: number; ms: number }

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError'
}

type MetricsEnv = { Variables: { dbMetrics?: DatabaseMetrics } }

/**
 * The Neon driver's fetch. The driver only lets us replace `fetch` globally, so the request whose query this is
 * comes from Hono's context storage (AsyncLocalStorage).
 */
export async function recordDatabaseFetch(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const metrics = tryGetContext<MetricsEnv>()?.get('dbMetrics')
  const started = performance.now()
  try {
    const response = await fetch(input, init)
    // 400 carries a Postgres error (a bug or a constraint: the caller decides); any other failure means the
    // database or its proxy is not serving us.
    if (!response.ok && response.status !== 400) {
      throw new DatabaseUnavailableError(`database endpoint answered HTTP ${response.status}`)
    }
    return response
  } finally {
    if (metrics) {
      metrics.roundTrips += 1
      metrics.ms += performance.now() - started
    }
  }
}
