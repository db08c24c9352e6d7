/**
 * A throwaway database for one test run: PGlite in memory by default, or a fresh database created on the
 * PostgreSQL server named by `TEST_DATABASE_URL` (dropped afterwards), behind a local Neon-protocol server,
 * migrated through the Neon HTTP path.
 *
 * On PostgreSQL the run is set up as a Neon project is: the role of the connection string the Worker and tools send
 * (`LOCAL_DATABASE_URL`, `app`) is a non-superuser owner (LOGIN CREATEDB CREATEROLE), created if missing, it owns the
 * database, and every request (migrations included) logs in as it. `TEST_DATABASE_URL` itself is only used to create
 * and drop the database (and the role): a superuser, or that owner role.
 */

import { createOwnedDatabase, ensureOwnerRole, roleOf } from '../neon-local/provision'
import { type NeonLocalServer, startNeonLocalServer } from '../neon-local/server'
import { LOCAL_DATABASE_URL } from './connect'
import { migrateDatabase } from './migrate'

export type TestDatabase = { server: NeonLocalServer; backend: 'pglite' | 'postgres'; close(): Promise<void> }

export async function startTestDatabase(postgresUrl = process.env.TEST_DATABASE_URL): Promise<TestDatabase> {
  if (!postgresUrl) {
    const server = await startNeonLocalServer({ backend: { kind: 'pglite' } })
    await migrateOrClose(server)
    return { server, backend: 'pglite', close: () => server.close() }
  }
  const owner = roleOf(LOCAL_DATABASE_URL)
  await ensureOwnerRole(postgresUrl, owner)
  const database = await createOwnedDatabase(postgresUrl, 'favorites_test', owner)
  let server: NeonLocalServer
  try {
    server = await startNeonLocalServer({
      backend: { kind: 'postgres', url: database.url, max: 20, runAs: 'connection-string' },
    })
  } catch (error) {
    await database.drop()
    throw error
  }
  await migrateOrClose(server, database.drop)
  return {
    server,
    backend: 'postgres',
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
