import type { App } from '../../app/types'
import {
  FAVORITE_BATCH_REQUEST_EXAMPLE,
  FAVORITE_BATCH_RESPONSE_EXAMPLE,
  FavoriteBatchRequestDtoSchema,
  FavoriteBatchResponseDtoSchema,
  MAX_BATCH_CHANGES,
} from '../../contracts/favorites'
import { limitBatchBodySize, MAX_BATCH_BODY_BYTES } from '../../middleware/body-limit'
import { unknownUser } from '../../problems/problem-error'
import { applyFavoriteChanges } from '../../queries/favorite-sync'
import { clientRoute } from '../surface-route'

export const applyFavoriteBatchRoute = clientRoute(
  {
    method: 'post',
    path: '/batch',
    operationId: 'applyFavoriteBatch',
    summary: 'Apply an offline queue of favourite changes',
    description:
      `1 to ${MAX_BATCH_CHANGES} changes in one request and one database statement, each applied as its own ` +
      'tap would be (the last tap wins, by `tappedAt`; of several changes to one activity, the latest is ' +
      'applied and the others are `superseded`). An unknown activity is reported, not an error: the rest ' +
      'is applied.',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: FavoriteBatchRequestDtoSchema,
            example: FAVORITE_BATCH_REQUEST_EXAMPLE,
          },
        },
      },
    },
    responses: {
      200: {
        description: 'One result per change, in order.',
        content: {
          'application/json': {
            schema: FavoriteBatchResponseDtoSchema,
            example: FAVORITE_BATCH_RESPONSE_EXAMPLE,
          },
        },
      },
    },
  },
  {
    instance: '/favorites/batch',
    statuses: [400, 413, 415],
    details: {
      400: {
        detail: 'json.changes: Too big: expected array to have <=100 items',
        issues: [
          { path: 'json.changes', message: 'Too big: expected array to have <=100 items', code: 'too_big' },
        ],
      },
      413: { detail: `The request body must be at most ${MAX_BATCH_BODY_BYTES} bytes` },
    },
  },
  [limitBatchBodySize],
)

export const registerApplyFavoriteBatch = (router: App) =>
  router.openapi(applyFavoriteBatchRoute, async (c) => {
    const { changes } = c.req.valid('json')
    const applied = await applyFavoriteChanges(c.get('db'), { userId: c.get('userId'), changes })
    if (!applied) throw unknownUser()
    return c.json(
      {
        results: applied.map(({ activityId, outcome, favorited }) => ({
          activityId,
          result: outcome,
          favorited,
        })),
      },
      200,
    )
  })
