/**
 * A throwaway database for one test run: PGlite in memory by default, or a fresh database created on the
 * PostgreSQL server named by `TEST_DATABASE_URL` (dropped afterwards), behind a local Neon-protocol server,
 * migrated through the Neon HTTP path.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
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
  const name = `favorites_test_${Date.now()}_${randomBytes(3).toString('hex')}`
  await withAdmin(postgresUrl, (admin) => admin.query(`CREATE DATABASE ${name}`))
  const url = new URL(postgresUrl)
  url.pathname = `/${name}`
  const server = await startNeonLocalServer({ backend: { kind: 'postgres', url: url.toString(), max: 20 } })
  await migrateOrClose(server)
  return {
    server,
    backend: 'postgres',
    async close() {
      await server.close()
      await withAdmin(postgresUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
}

/** A failed migration must not leave the server running (vitest would hang waiting for it). */
async function migrateOrClose(server: NeonLocalServer): Promise<void> {
  try {
    await migrateDatabase(LOCAL_DATABASE_URL, server.url)
  } catch (error) {
    await server.close()
    throw error
  }
}

async function withAdmin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}
