import type { App } from '../../app/types'
import {
  CREATE_FAVORITE_EXAMPLE,
  CreateFavoriteDtoSchema,
  FAVORITE_RECORD_EXAMPLE,
  FavoriteRecordDtoSchema,
} from '../../contracts/favorites'
import { limitBodySize } from '../../middleware/body-limit'
import { ProblemError, unknownUser } from '../../problems/problem-error'
import { upsertFavorite } from '../../queries/favorites'
import { clientRoute } from '../surface-route'

export const createFavoriteRoute = clientRoute(
  {
    method: 'post',
    path: '/',
    operationId: 'createFavorite',
    summary: 'Favourite an activity',
    description:
      'Idempotent: favouriting an activity that is already a favourite answers 200 with the existing record ' +
      '(same `id` and `createdAt`). Safe under concurrent double taps: exactly one favourite is stored.',
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
    statuses: [400, 404, 413, 415],
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
    const { activityId } = c.req.valid('json')
    const result = await upsertFavorite(c.get('db'), { userId: c.get('userId'), activityId })
    switch (result.outcome) {
      case 'unknown-user':
        throw unknownUser()
      case 'unknown-activity':
        throw new ProblemError('not-found', `Activity ${activityId} does not exist`)
      case 'created':
        return c.json(result.record, 201)
      case 'existing':
        return c.json(result.record, 200)
    }
  })
