/** The client surface, mounted at `/favorites`: the mobile app's routes, each behind an end user's token. */
import { createApp } from '../../app/create-app'
import { database } from '../../middleware/database'
import { privateConditionalGet } from '../../middleware/http-caching'
import { registerApplyFavoriteBatch } from './apply-favorite-batch'
import { registerCreateFavorite } from './create-favorite'
import { registerDeleteFavorite } from './delete-favorite'
import { registerFavoriteStatuses } from './favorite-statuses'
import { registerGetFavorite } from './get-favorite'
import { registerListFavoriteChanges } from './list-favorite-changes'
import { registerListFavorites } from './list-favorites'

export function favoritesRouter() {
  const router = createApp()
  // The app reads its own writes: always the primary.
  // Stryker disable next-line StringLiteral: equivalent, every role but 'analytics' is the primary (middleware/database.ts)
  router.use(database('primary'))
  // Every answer is per user: `private`, and an ETag on GETs for the app's list screens.
  router.use(privateConditionalGet)
  // `/status` and `/changes` before `/{activityId}`: the first matching route wins.
  registerFavoriteStatuses(router)
  registerListFavoriteChanges(router)
  registerListFavorites(router)
  registerCreateFavorite(router)
  registerApplyFavoriteBatch(router)
  registerGetFavorite(router)
  registerDeleteFavorite(router)
  return router
}
