/**
 * A throwaway database for one test run: PGlite in memory by default, or a fresh database created on the
 * PostgreSQL server named by `TEST_DATABASE_URL` (dropped afterwards), behind a local Neon-protocol server,
 * migrated through the Neon HTTP path.
 *
 * On PostgreSQL the run is set up as a Neon project is: the role of the connection string the Worker and tools send
 * (`LOCAL_DATABASE_URL`, `app`) is a non-superuser owner (LOGIN CREATEDB CREATEROLE), created if missing, it owns the
 * database, and every request (migrations included) logs in as it. `TEST_DATABASE_URL` itself is only used to create
 * and drop the database (and the role): a superuser, or that owner role.
 *
 * `TEST_REPLICA_DATABASE_URL` (optional, PostgreSQL only): a streaming replica of that server. The local server then
 * routes the endpoint `replica` (`LOCAL_ANALYTICS_DATABASE_URL`'s host, which the Worker's business surface reads
 * from in tests) to the same database on the replica. Without it, `replica` is served by the primary.
 */

import { createOwnedDatabase, ensureOwnerRole, roleOf } from '../neon-local/provision'
import { type NeonLocalServer, startNeonLocalServer } from '../neon-local/server'
import { LOCAL_ANALYTICS_ENDPOINT, LOCAL_DATABASE_URL, onServerOf } from './connect'
import { migrateDatabase } from './migrate'

export type TestDatabase = {
  server: NeonLocalServer
  backend: 'pglite' | 'postgres'
  /** Whether the analytics endpoint is a real streaming replica (else the primary serves it). */
  replica: boolean
  close(): Promise<void>
}

export async function startTestDatabase(
  postgresUrl = process.env.TEST_DATABASE_URL,
  replicaUrl = process.env.TEST_REPLICA_DATABASE_URL,
): Promise<TestDatabase> {
  if (!postgresUrl) {
    const server = await startNeonLocalServer({ backend: { kind: 'pglite' } })
    await migrateOrClose(server)
    if (replicaUrl)
      throw new Error('TEST_REPLICA_DATABASE_URL needs TEST_DATABASE_URL (a replica of that server)')
    return { server, backend: 'pglite', replica: false, close: () => server.close() }
  }
  const owner = roleOf(LOCAL_DATABASE_URL)
  await ensureOwnerRole(postgresUrl, owner)
  const database = await createOwnedDatabase(postgresUrl, 'favorites_test', owner)
  let server: NeonLocalServer
  try {
    server = await startNeonLocalServer({
      backend: { kind: 'postgres', url: database.url, max: 20, runAs: 'connection-string' },
      endpoints: replicaUrl
        ? {
            [LOCAL_ANALYTICS_ENDPOINT]: {
              kind: 'postgres',
              url: onServerOf(database.url, replicaUrl),
              max: 20,
              runAs: 'connection-string',
            },
          }
        : {},
    })
  } catch (error) {
    await database.drop()
    throw error
  }
  await migrateOrClose(server, database.drop)
  return {
    server,
    backend: 'postgres',
    replica: replicaUrl !== undefined,
    async close() {
      await server.close()
      await database.drop()
    },
  }
}

/** A failed migration must not leave the server (or the database) behind: vitest would hang waiting for it. */
async function migrateOrClose(server: NeonLocalServer, drop?: () => Promise<void>): Promise<void> {
  try {
    await migrateDatabase(LOCAL_DATABASE_URL, server.url)
  } catch (error) {
    await server.close()
    await drop?.()
    throw error
  }
}
