import type { TestProject } from 'vitest/node'
import { startTestDatabase } from '../tools/db/test-database'
import { startJwksServer } from './jwks-server'

declare module 'vitest' {
  export interface ProvidedContext {
    neonEndpoint: string
    databaseBackend: 'pglite' | 'postgres'
    /** Whether the business surface reads from a real streaming replica (CI's PostgreSQL pass). */
    databaseReplica: boolean
    jwks: {
      url: string
      statsUrl: string
      origin: string
      refusedOrigin: string
      privateJwk: string
      rotatedPrivateJwk: string
      privateJwkByAlgorithm: { ES256: string; EdDSA: string }
    }
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
  project.provide('databaseReplica', database.replica)
  const { url, statsUrl, origin, refusedOrigin, privateJwk, rotatedPrivateJwk, privateJwkByAlgorithm } = jwks
  project.provide('jwks', {
    url,
    statsUrl,
    origin,
    refusedOrigin,
    privateJwk,
    rotatedPrivateJwk,
    privateJwkByAlgorithm,
  })
  return async () => {
    await jwks.close()
    await database.close()
  }
}
