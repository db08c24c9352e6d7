import type { TestProject } from 'vitest/node'
import { startTestDatabase } from '../tools/db/test-database'

declare module 'vitest' {
  export interface ProvidedContext {
    neonEndpoint: string
    databaseBackend: 'pglite' | 'postgres'
  }
}

/** One database and local Neon-protocol server for the Worker test run; tests isolate by fresh UUIDs. */
export default async function setup(project: TestProject) {
  const database = await startTestDatabase()
  project.provide('neonEndpoint', database.server.url)
  project.provide('databaseBackend', database.backend)
  return () => database.close()
}
