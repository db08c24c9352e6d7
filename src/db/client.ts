import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import type { Config } from '../env'
import { type DatabaseMetrics, type MeteredInit, recordDatabaseFetch } from './metrics'

export type Db = ReturnType<typeof createDb>

/**
 * A drizzle client for one request, on `url` (DATABASE_URL or ANALYTICS_DATABASE_URL). The HTTP driver keeps no
 * connection, so creating one is cheap; doing it per request lets each request carry its own database deadline
 * (`signal`) and count its own round trips (`metrics`).
 */
export function createDb(config: Config, url: string, signal: AbortSignal, metrics?: DatabaseMetrics) {
  // The driver's endpoint is global; bindings are fixed per isolate, so setting it here is idempotent.
  // Stryker disable next-line ConditionalExpression: equivalent in the tests, whose bindings always set it
  if (config.NEON_HTTP_ENDPOINT) neonConfig.fetchEndpoint = config.NEON_HTTP_ENDPOINT
  neonConfig.fetchFunction = recordDatabaseFetch
  const fetchOptions: MeteredInit = { signal, ...(metrics ? { dbMetrics: metrics } : {}) }
  const client = neon(url, { fetchOptions })
  // No `schema`: the routes use the query builder, not relational queries, and drizzle would otherwise walk the
  // whole schema (every table, column and index) to build its relational config on each request.
  return drizzle({ client })
}
