/** The Worker: middleware, then routes, then the docs. Each piece lives in its own module. */
import { contextStorage } from 'hono/context-storage'
import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { timing } from 'hono/timing'
import { loadConfig } from './env'
import { createApp } from './lib/app'
import { database } from './middleware/database'
import { privateConditionalGet } from './middleware/http-caching'
import { errorHandler, notFoundHandler } from './middleware/problem-handler'
import { requestLog } from './middleware/request-log'
import { registerFavoriteAnalytics } from './routes/analytics/favorite-analytics'
import { registerFavoriteTimeseries } from './routes/analytics/favorite-timeseries'
import { registerDocs } from './routes/docs'
import { registerCreateFavorite } from './routes/favorites/create-favorite'
import { registerDeleteFavorite } from './routes/favorites/delete-favorite'
import { registerFavoriteStatuses } from './routes/favorites/favorite-statuses'
import { registerGetFavorite } from './routes/favorites/get-favorite'
import { registerListFavorites } from './routes/favorites/list-favorites'
import { registerHealth } from './routes/health'

const app = createApp()

app.use(contextStorage())
app.use(requestId())
app.use(secureHeaders())
app.use(timing({ total: true, crossOrigin: false }))
app.use(requestLog)
app.use(
  cors({
    origin: (origin, c) => (loadConfig(c.env).CORS_ORIGINS.includes(origin) ? origin : null),
    allowHeaders: ['Authorization', 'Content-Type', 'If-None-Match'],
    exposeHeaders: ['ETag', 'Retry-After', 'X-Request-Id', 'Server-Timing'],
    maxAge: 600,
  }),
)
app.use(database)
app.use('/favorites', privateConditionalGet)
app.use('/favorites/*', privateConditionalGet)

registerHealth(app)
// `/favorites/status` before `/favorites/{activityId}`: the first matching route wins.
registerFavoriteStatuses(app)
registerListFavorites(app)
registerCreateFavorite(app)
registerGetFavorite(app)
registerDeleteFavorite(app)
registerFavoriteAnalytics(app)
registerFavoriteTimeseries(app)
registerDocs(app)

app.notFound(notFoundHandler)
app.onError(errorHandler)

export default app
