// Shared setup for the conformance tests: which backends to run against (their servers are started
// once by global-setup.ts), with the real driver pointed at the right one.
import { randomBytes } from 'node:crypto'
import { NeonDbError, neonConfig } from '@neondatabase/serverless'
import { afterAll, beforeAll, beforeEach, describe, expect, inject } from 'vitest'

export { CONNECTION_STRING } from './test-connection.js'

export interface BackendUnderTest {
  kind: 'pglite' | 'postgres'
  title: string
  /** The server's /sql endpoint, or null when this backend is not available in this run. */
  url: string | null
  /** Whether a wrong password is refused (PostgreSQL with password auth; PGlite and trust clusters accept any). */
  checksPasswords: boolean
}

/** A running server as a test file sees it (over HTTP: it lives in the main vitest process). */
export interface ServerUnderTest {
  url: string
  /** GET /stats. */
  requests(): Promise<number>
}

function backends(): BackendUnderTest[] {
  const urls = inject('neonLocalUrls')
  return [
    { kind: 'pglite', title: 'PGlite (in memory)', url: urls.pglite, checksPasswords: false },
    {
      kind: 'postgres',
      title: urls.postgres
        ? 'PostgreSQL (TEST_DATABASE_URL)'
        : 'PostgreSQL (skipped: set TEST_DATABASE_URL to a superuser URL)',
      url: urls.postgres,
      checksPasswords: urls.postgresChecksPasswords,
    },
  ]
}

/** Runs `fn` and returns the NeonDbError it threw (failing the test if it did not throw one). */
export async function caught(fn: () => Promise<unknown>): Promise<NeonDbError> {
  try {
    await fn()
  } catch (err) {
    expect(err).toBeInstanceOf(NeonDbError)
    return err as NeonDbError
  }
  throw new Error('expected an error')
}

/** A name no other run uses, for tables and constraints (kept well under 63 characters). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
}

/**
 * Declares one describe block per backend (skipped when unavailable); `neonConfig.fetchEndpoint`
 * points at that backend's server for the block's hooks and tests.
 */
export function describeEachBackend(
  name: string,
  body: (backend: BackendUnderTest, server: ServerUnderTest) => void,
): void {
  for (const backend of backends()) {
    const url = backend.url ?? 'http://127.0.0.1:9/sql' // never called: the block is skipped
    const server: ServerUnderTest = {
      url,
      requests: async () => {
        const res = await fetch(url.replace(/\/sql$/, '/stats'))
        return ((await res.json()) as { requests: number }).requests
      },
    }
    describe.skipIf(backend.url === null)(`${name} [${backend.title}]`, () => {
      // Global in the driver: set before the block's own beforeAll hooks and again before each test,
      // because each backend block talks to a different server.
      beforeAll(() => {
        neonConfig.fetchEndpoint = url
      })
      beforeEach(() => {
        neonConfig.fetchEndpoint = url
      })
      afterAll(() => {
        neonConfig.fetchFunction = undefined
      })
      body(backend, server)
    })
  }
}
