/** The business surface, mounted at `/analytics`: a company's dashboard, behind a staff token with the role. */
import { createApp } from '../../app/create-app'
import { database } from '../../middleware/database'
import { registerFavoriteAnalytics } from './favorite-analytics'
import { registerFavoriteTimeseries } from './favorite-timeseries'

export function analyticsRouter() {
  const router = createApp()
  // Dashboards read from the analytics database (a read replica when ANALYTICS_DATABASE_URL is set).
  router.use(database('analytics'))
  registerFavoriteAnalytics(router)
  registerFavoriteTimeseries(router)
  return router
}
