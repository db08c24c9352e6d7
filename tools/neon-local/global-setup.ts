// Starts one local server per backend for the whole run, in the main vitest process: PGlite's
// initdb takes seconds, so every test file shares these instead of starting its own.
import type { TestProject } from 'vitest/node'
import {
  checksPasswords,
  createOwnedDatabase,
  ensureOwnerRole,
  type OwnedDatabase,
  roleOf,
} from './provision.js'
import { type NeonLocalServer, startNeonLocalServer } from './server.js'
import { CONNECTION_STRING } from './test-connection.js'

export interface NeonLocalUrls {
  pglite: string
  /** null when TEST_DATABASE_URL is not set. */
  postgres: string | null
  /** Whether that PostgreSQL server refuses a wrong password (false when it trusts any, as initdb's default). */
  postgresChecksPasswords: boolean
}

declare module 'vitest' {
  export interface ProvidedContext {
    neonLocalUrls: NeonLocalUrls
  }
}

/**
 * On PostgreSQL the tests run as a Neon project would: a database of their own, owned by the connection string's
 * role (created if missing: not a superuser), which every request logs in as.
 */
async function startPostgres(
  adminUrl: string,
): Promise<{ server: NeonLocalServer; database: OwnedDatabase; checksPasswords: boolean }> {
  const owner = roleOf(CONNECTION_STRING)
  await ensureOwnerRole(adminUrl, owner)
  const database = await createOwnedDatabase(adminUrl, 'neon_local_test', owner)
  try {
    const server = await startNeonLocalServer({
      backend: { kind: 'postgres', url: database.url, runAs: 'connection-string' },
    })
    return { server, database, checksPasswords: await checksPasswords(database.url, owner) }
  } catch (err) {
    await database.drop()
    throw err
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: NeonLocalServer[] = []
  let database: OwnedDatabase | undefined
  const stop = async () => {
    await Promise.all(started.map((s) => s.close()))
    await database?.drop()
  }
  try {
    const pglite = await startNeonLocalServer({ backend: { kind: 'pglite' } })
    started.push(pglite)
    const url = process.env.TEST_DATABASE_URL
    const postgres = url ? await startPostgres(url) : undefined
    if (postgres) {
      started.push(postgres.server)
      database = postgres.database
    }
    project.provide('neonLocalUrls', {
      pglite: pglite.url,
      postgres: postgres?.server.url ?? null,
      postgresChecksPasswords: postgres?.checksPasswords ?? false,
    })
  } catch (err) {
    await stop()
    throw err
  }
  return stop
}
