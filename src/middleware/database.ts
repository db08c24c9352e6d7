import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app/types'
import { createDb } from '../db/client'
import { loadConfig } from '../env'

/** Validated bindings and a per-request drizzle client whose queries share one deadline. */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  const config = loadConfig(c.env)
  c.set('config', config)
  c.set('db', createDb(config, AbortSignal.timeout(config.DB_TIMEOUT_MS)))
  await next()
})
