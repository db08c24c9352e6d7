import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app/types'
import { createDb } from '../db/client'
import type { Config } from '../env'

/**
 * Which database a surface uses. `primary`: DATABASE_URL, for the client surface (the app reads its own writes) and
 * health. `analytics`: ANALYTICS_DATABASE_URL when set (a read replica, so dashboards do not load the primary),
 * DATABASE_URL otherwise.
 */
export type DatabaseRole = 'primary' | 'analytics'

const urlFor = (config: Config, role: DatabaseRole): string =>
  role === 'analytics' ? (config.ANALYTICS_DATABASE_URL ?? config.DATABASE_URL) : config.DATABASE_URL

/** A per-request drizzle client on the role's database, whose queries share one deadline. After `settings`. */
export const database = (role: DatabaseRole) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const config = c.get('config')
    const signal = AbortSignal.timeout(config.DB_TIMEOUT_MS)
    c.set('db', createDb(config, urlFor(config, role), signal, c.get('dbMetrics')))
    await next()
  })
