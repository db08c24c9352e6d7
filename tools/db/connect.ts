import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import * as schema from '../../src/db/schema'

/**
 * A Node-side drizzle client over the same Neon HTTP path the Worker uses. `endpoint` is the local
 * Neon-protocol server's `/sql` URL; without it the driver talks to Neon itself.
 */
export function connectNeonHttp(databaseUrl: string, endpoint?: string) {
  if (endpoint) neonConfig.fetchEndpoint = endpoint
  return drizzle({ client: neon(databaseUrl), schema })
}

export type NodeDb = ReturnType<typeof connectNeonHttp>

/** The connection string the Worker and tools send to the local server (which logs each request in as its role). */
export const LOCAL_DATABASE_URL = 'postgresql://app:app@db.localtest.me/app'

/**
 * The business surface's connection string in tests (`ANALYTICS_DATABASE_URL`): another endpoint, as a Neon read
 * replica is, which the local server routes to a replica when the test run has one.
 */
export const LOCAL_ANALYTICS_DATABASE_URL = 'postgresql://app:app@replica.localtest.me/app'

/** The endpoint name Neon routes a connection string by: the first label of its host. */
export const endpointOf = (connectionString: string): string =>
  new URL(connectionString).hostname.split('.')[0] ?? ''

/** `LOCAL_ANALYTICS_DATABASE_URL`'s endpoint, which the local server sends to a replica when it has one. */
export const LOCAL_ANALYTICS_ENDPOINT = endpointOf(LOCAL_ANALYTICS_DATABASE_URL)

/** `databaseUrl` (its user, password and database) on the server of `serverUrl`, such as a replica's. */
export function onServerOf(databaseUrl: string, serverUrl: string): string {
  const url = new URL(databaseUrl)
  url.host = new URL(serverUrl).host
  return url.toString()
}
