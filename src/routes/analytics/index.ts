/** The business surface, mounted at `/analytics`: a company's dashboard, behind a staff token with the role. */
import { createApp } from '../../app/create-app'
import { registerFavoriteAnalytics } from './favorite-analytics'
import { registerFavoriteTimeseries } from './favorite-timeseries'

export function analyticsRouter() {
  const router = createApp()
  registerFavoriteAnalytics(router)
  registerFavoriteTimeseries(router)
  return router
}
