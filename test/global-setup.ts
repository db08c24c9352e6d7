import type { TestProject } from 'vitest/node'
import { startTestDatabase } from '../tools/db/test-database'
import { startJwksServer } from './jwks-server'

declare module 'vitest' {
  export interface ProvidedContext {
    neonEndpoint: string
    databaseBackend: 'pglite' | 'postgres'
    jwks: { url: string; statsUrl: string; privateJwk: string }
  }
}

/**
 * One database and local Neon-protocol server for the Worker test run (tests isolate by fresh UUIDs), and a
 * stand-in identity provider's JWKS endpoint.
 */
export default async function setup(project: TestProject) {
  const database = await startTestDatabase()
  const jwks = await startJwksServer()
  project.provide('neonEndpoint', database.server.url)
  project.provide('databaseBackend', database.backend)
  project.provide('jwks', { url: jwks.url, statsUrl: jwks.statsUrl, privateJwk: jwks.privateJwk })
  return async () => {
    await jwks.close()
    await database.close()
  }
}
