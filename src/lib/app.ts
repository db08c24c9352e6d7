import { OpenAPIHono } from '@hono/zod-openapi'
import type { Db } from '../db/client'
import type { DatabaseMetrics } from '../db/metrics'
import type { Config, Env } from '../env'
import { validationHook } from '../middleware/problem-handler'

export type AppEnv = {
  Bindings: Env
  Variables: {
    requestId: string
    config: Config
    db: Db
    dbMetrics: DatabaseMetrics
    userId: string
    companyId: string
  }
}

export type App = OpenAPIHono<AppEnv>

/** Every router shares the validation hook, so every invalid request answers the same problem+json. */
export const createApp = (): App => new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
