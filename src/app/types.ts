import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Db } from '../db/client'
import type { DatabaseMetrics } from '../db/metrics'
import type { Config, Env } from '../env'

/**
 * What every request carries, set by the Worker-wide middleware. Who is calling (`userId`, `companyId`) is not
 * here: the auth middleware declares it, so only the routes behind it can read it.
 */
export type AppEnv = {
  Bindings: Env
  Variables: {
    requestId: string
    config: Config
    db: Db
    dbMetrics: DatabaseMetrics
  }
}

export type App = OpenAPIHono<AppEnv>
