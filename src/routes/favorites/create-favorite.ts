import type { App } from '../../app/types'
import {
  CREATE_FAVORITE_EXAMPLE,
  CreateFavoriteDtoSchema,
  FAVORITE_RECORD_EXAMPLE,
  FavoriteRecordDtoSchema,
} from '../../contracts/favorites'
import { limitBodySize } from '../../middleware/body-limit'
import { ProblemError, unknownUser } from '../../problems/problem-error'
import { applyFavoriteChanges } from '../../queries/favorite-sync'
import { clientRoute } from '../surface-route'

export const createFavoriteRoute = clientRoute(
  {
    method: 'post',
    // Stryker disable next-line StringLiteral: equivalent, '' and '/' are the same path under the /favorites mount
    path: '/',
    operationId: 'createFavorite',
    summary: 'Favourite an activity',
    description:
      'Idempotent: favouriting an activity that is already a favourite answers 200 with the existing record ' +
      '(same `id` and `createdAt`). Safe under concurrent double taps: exactly one favourite is stored. The last ' +
      'tap wins: send `tappedAt`, and a tap older than a removal already applied answers 409 `superseded` ' +
      '(one older than an add already applied answers 200 with that favourite).',
    request: {
      body: {
        required: true,
        content: {
          'application/json': { schema: CreateFavoriteDtoSchema, example: CREATE_FAVORITE_EXAMPLE },
        },
      },
    },
    responses: {
      201: {
        description: 'The activity is now a favourite.',
        content: {
          'application/json': { schema: FavoriteRecordDtoSchema, example: FAVORITE_RECORD_EXAMPLE },
        },
      },
      200: {
        description: 'The activity already was a favourite: the existing record.',
        content: {
          'application/json': { schema: FavoriteRecordDtoSchema, example: FAVORITE_RECORD_EXAMPLE },
        },
      },
    },
  },
  {
    instance: '/favorites',
    statuses: [400, 404, 409, 413, 415],
    details: {
      400: {
        detail: 'json.activityId: Invalid UUID',
        issues: [{ path: 'json.activityId', message: 'Invalid UUID', code: 'invalid_format' }],
      },
    },
  },
  // The size limit runs first: an oversized body is refused before any work is done for it.
  [limitBodySize],
)

export const registerCreateFavorite = (router: App) =>
  router.openapi(createFavoriteRoute, async (c) => {
    const { activityId, tappedAt } = c.req.valid('json')
    const [applied] =
      (await applyFavoriteChanges(c.get('db'), {
        userId: c.get('userId'),
        changes: [{ activityId, favorited: true, tappedAt }],
      })) ?? []
    if (!applied) throw unknownUser()
    if (applied.outcome === 'unknown-activity') {
      throw new ProblemError('not-found', `Activity ${activityId} does not exist`)
    }
    // Not a favourite after the call: the tap was older than a removal already applied.
    if (!applied.record) {
      throw new ProblemError('superseded', `A later removal of activity ${activityId} was already applied`)
    }
    if (applied.outcome === 'created') return c.json(applied.record, 201)
    return c.json(applied.record, 200)
  })
