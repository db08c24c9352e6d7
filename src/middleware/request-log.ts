import { createMiddleware } from 'hono/factory'
import { setMetric } from 'hono/timing'
import type { AppEnv } from '../app/types'
import { logLine } from '../lib/log'

/** One structured log line per request, and the database time in `Server-Timing`. */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now()
  const metrics = { roundTrips: 0, ms: 0 }
  c.set('dbMetrics', metrics)
  await next()
  setMetric(c, 'db', metrics.ms, `database (${metrics.roundTrips} round trips)`)
  logLine('info', 'request', {
    requestId: c.get('requestId'),
    method: c.req.method,
    route: c.req.routePath,
    status: c.res.status,
    durationMs: Math.round(performance.now() - started),
    dbRoundTrips: metrics.roundTrips,
    dbMs: Math.round(metrics.ms),
  })
})
