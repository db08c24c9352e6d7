// Starts one local server per backend for the whole run, in the main vitest process: PGlite's
// initdb takes seconds, so every test file shares these instead of starting its own.
import type { TestProject } from 'vitest/node'
import { type NeonLocalServer, startNeonLocalServer } from './server.js'

export interface NeonLocalUrls {
  pglite: string
  /** null when TEST_DATABASE_URL is not set. */
  postgres: string | null
}

declare module 'vitest' {
  export interface ProvidedContext {
    neonLocalUrls: NeonLocalUrls
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: NeonLocalServer[] = []
  try {
    const pglite = await startNeonLocalServer({ backend: { kind: 'pglite' } })
    started.push(pglite)
    const url = process.env.TEST_DATABASE_URL
    const postgres = url ? await startNeonLocalServer({ backend: { kind: 'postgres', url } }) : undefined
    if (postgres) started.push(postgres)
    project.provide('neonLocalUrls', { pglite: pglite.url, postgres: postgres?.url ?? null })
  } catch (err) {
    await Promise.all(started.map((s) => s.close()))
    throw err
  }
  return async () => {
    await Promise.all(started.map((s) => s.close()))
  }
}
