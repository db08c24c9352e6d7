import { etag } from 'hono/etag'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../lib/app'

const etagMiddleware = etag()

/**
 * Per-user responses: `private` so shared caches never store them, and an `ETag` on GETs so the app can
 * revalidate a list screen with `If-None-Match` and get a 304 without the body.
 */
export const privateConditionalGet = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next()
  await etagMiddleware(c, next)
  if (c.res.status === 200 || c.res.status === 304) c.header('Cache-Control', 'private, no-cache')
})
