import { etag, RETAINED_304_HEADERS } from 'hono/etag'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app/types'

/**
 * A 304 keeps only the headers listed here: Hono's default list (ETag, Cache-Control, Vary, ...) plus the ones set
 * by earlier middleware that every response must carry: the request id, and CORS headers (without them a browser
 * rejects a cross-origin 304 revalidation). Security headers and `Server-Timing` are added after this runs.
 */
const etagMiddleware = etag({
  retainedHeaders: [
    ...RETAINED_304_HEADERS,
    'x-request-id',
    'access-control-allow-origin',
    // Stryker disable next-line StringLiteral: equivalent while CORS allows no credentials (cors.ts never sets it)
    'access-control-allow-credentials',
    'access-control-expose-headers',
  ],
})

/**
 * Per-user responses: `private` so shared caches never store them, and an `ETag` on GETs so the app can
 * revalidate a list screen with `If-None-Match` and get a 304 without the body.
 */
export const privateConditionalGet = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next()
  await etagMiddleware(c, next)
  if (c.res.status === 200 || c.res.status === 304) c.header('Cache-Control', 'private, no-cache')
})
