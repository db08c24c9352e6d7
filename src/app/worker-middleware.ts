import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { timing } from 'hono/timing'
import { corsForConfiguredOrigins } from '../middleware/cors'
import { requestLog } from '../middleware/request-log'
import { settings } from '../middleware/settings'
import { MAX_REQUEST_ID_LENGTH } from '../problems/problem-error'
import type { App } from './types'

/** The middleware every request goes through, in order, before its surface's own (auth, database, limits). */
export function useWorkerMiddleware(app: App): void {
  // Stryker disable next-line ObjectLiteral: equivalent, 255 is Hono's default too; named for the problem schema's bound
  app.use(requestId({ limitLength: MAX_REQUEST_ID_LENGTH }))
  app.use(secureHeaders())
  // Timings are not shared with other origins' scripts (no Timing-Allow-Origin).
  // Stryker disable next-line ObjectLiteral: equivalent, these are Hono's defaults, stated for the reader
  app.use(timing({ total: true, crossOrigin: false }))
  app.use(requestLog)
  app.use(corsForConfiguredOrigins)
  app.use(settings)
}
