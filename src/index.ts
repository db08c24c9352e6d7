/**
 * The Worker: Worker-wide middleware, the two surfaces, health and docs, and the scheduled purge. Each piece lives in
 * its own module.
 */
import { createApp } from './app/create-app'
import { useWorkerMiddleware } from './app/worker-middleware'
import type { Env } from './env'
import { errorHandler, routeNotFound } from './problems/handlers'
import { analyticsRouter } from './routes/analytics'
import { registerDocs } from './routes/docs'
import { favoritesRouter } from './routes/favorites'
import { registerHealth } from './routes/health'
import { purgeExpiredRemovalMarkers } from './scheduled/purge-removal-markers'

export const app = createApp()

useWorkerMiddleware(app)

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
