/**
 * For the whole `contract` project: a migrated throwaway database behind the local Neon-protocol server
 * (tools/db/test-database.ts, PGlite or TEST_DATABASE_URL), and the real Worker under `wrangler dev` bound to it.
 */
import { readFileSync } from 'node:fs'
import type { TestProject } from 'vitest/node'
import { LOCAL_DATABASE_URL } from '../../tools/db/connect'
import { startTestDatabase, type TestDatabase } from '../../tools/db/test-database'
import { parseWranglerVars, WRANGLER_TOML_PATH } from '../../tools/dev/settings'
import { startWranglerDev, type WranglerDev } from './support/wrangler-dev'

/** HS256 secret of this run's Worker (tests mint tokens with it); like TEST_JWT_SECRET in vitest.config.ts. */
const CONTRACT_JWT_SECRET = 'contract-test-only-hs256-secret-0123456789abcdef'

export interface ContractWorker {
  baseUrl: string
  neonEndpoint: string
  databaseUrl: string
  jwt: { secret: string; issuer: string; audience: string }
}

declare module 'vitest' {
  export interface ProvidedContext {
    contractWorker: ContractWorker
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Swagger UI's files are static assets copied from swagger-ui-dist (`npm run assets`, also a `pretest` step);
  // copied here too so that `vitest run --project contract` works alone.
  await import('../../tools/assets/copy-swagger-ui')
  const vars = parseWranglerVars(readFileSync(WRANGLER_TOML_PATH, 'utf8'))
  const issuer = vars.JWT_ISSUER
  const audience = vars.JWT_AUDIENCE
  if (!issuer || !audience) throw new Error('wrangler.toml [vars] must set JWT_ISSUER and JWT_AUDIENCE')

  let database: TestDatabase | undefined
  let worker: WranglerDev | undefined
  try {
    database = await startTestDatabase()
    worker = await startWranglerDev({
      DATABASE_URL: LOCAL_DATABASE_URL,
      NEON_HTTP_ENDPOINT: database.server.url,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
      JWT_SECRET: CONTRACT_JWT_SECRET,
      // Empty = unset: a JWKS URL or cursor secret in a developer's .dev.vars must not leak into the run.
      JWKS_URL: '',
      CURSOR_SECRET: '',
      CORS_ORIGINS: '',
      DB_TIMEOUT_MS: '5000',
    })
  } catch (error) {
    await database?.close()
    throw error
  }
  project.provide('contractWorker', {
    baseUrl: worker.baseUrl,
    neonEndpoint: database.server.url,
    databaseUrl: LOCAL_DATABASE_URL,
    jwt: { secret: CONTRACT_JWT_SECRET, issuer, audience },
  })
  const started = { database, worker }
  return async () => {
    await started.worker.stop()
    await started.database.close()
  }
}
