import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app/types'
import { loadConfig } from '../env'

/** The validated bindings, for every route (invalid ones answer 500 through the error handler). */
export const settings = createMiddleware<AppEnv>(async (c, next) => {
  c.set('config', loadConfig(c.env))
  await next()
})
