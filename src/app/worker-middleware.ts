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
  app.use(requestId({ limitLength: MAX_REQUEST_ID_LENGTH }))
  app.use(secureHeaders())
  app.use(timing({ total: true, crossOrigin: false }))
  app.use(requestLog)
  app.use(corsForConfiguredOrigins)
  app.use(settings)
}
