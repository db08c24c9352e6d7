import { cors } from 'hono/cors'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app/types'
import { loadConfig } from '../env'

const corsHeaders = cors({
  // Only reached for a configured origin (below), so echoing it is the allow-list's answer.
  origin: (origin) => origin,
  allowHeaders: ['Authorization', 'Content-Type', 'If-None-Match'],
  exposeHeaders: ['ETag', 'Retry-After', 'X-Request-Id', 'Server-Timing'],
  maxAge: 600,
})

/**
 * CORS for the browser origins in `CORS_ORIGINS`, and for nothing else: a request without `Origin`, from another
 * origin, or with no origins configured gets no CORS header at all (not even `Access-Control-Expose-Headers`), so
 * a browser refuses it.
 */
export const corsForConfiguredOrigins = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header('Origin')
  // Stryker disable next-line ConditionalExpression: equivalent, no configured origin is undefined
  if (origin === undefined || !loadConfig(c.env).CORS_ORIGINS.includes(origin)) return next()
  return corsHeaders(c, next)
})
