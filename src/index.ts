/**
 * The Worker: Worker-wide middleware, the two surfaces, health and docs, and the scheduled purge. Each piece lives in
 * its own module.
 */
import { contextStorage } from 'hono/context-storage'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { timing } from 'hono/timing'
import { createApp } from './app/create-app'
import type { Env } from './env'
import { corsForConfiguredOrigins } from './middleware/cors'
import { requestLog } from './middleware/request-log'
import { settings } from './middleware/settings'
import { errorHandler, routeNotFound } from './problems/handlers'
import { MAX_REQUEST_ID_LENGTH } from './problems/problem-error'
import { analyticsRouter } from './routes/analytics'
import { registerDocs } from './routes/docs'
import { favoritesRouter } from './routes/favorites'
import { registerHealth } from './routes/health'
import { purgeExpiredRemovalMarkers } from './scheduled/purge-removal-markers'

export const app = createApp()

app.use(contextStorage())
app.use(requestId({ limitLength: MAX_REQUEST_ID_LENGTH }))
app.use(secureHeaders())
app.use(timing({ total: true, crossOrigin: false }))
app.use(requestLog)
app.use(corsForConfiguredOrigins)
app.use(settings)

registerHealth(app)
app.route('/favorites', favoritesRouter())
app.route('/analytics', analyticsRouter())
registerDocs(app)

app.notFound(routeNotFound(() => app.routes))
app.onError(errorHandler)

export default {
  fetch: app.fetch,
  scheduled: async (controller, env) => {
    await purgeExpiredRemovalMarkers(controller, env)
  },
} satisfies ExportedHandler<Env>
