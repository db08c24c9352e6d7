import { z } from '@hono/zod-openapi'
import type { App } from '../../app/types'
import { UuidSchema } from '../../contracts/bounded'
import {
  FAVORITE_STATUS_EXAMPLE,
  FavoriteStatusResponseDtoSchema,
  MAX_STATUS_IDS,
} from '../../contracts/favorites'
import { unknownUser } from '../../problems/problem-error'
import { favoriteStatuses } from '../../queries/favorites'
import { clientRoute } from '../surface-route'

const FavoriteStatusQuerySchema = z.object({
  // Form style, not exploded: `activityIds=a,b,c` (repeating the parameter works too).
  activityIds: z
    .preprocess(
      (value) =>
        typeof value === 'string' || Array.isArray(value) ? [value].flat().join(',').split(',') : value,
      z.array(UuidSchema).min(1).max(MAX_STATUS_IDS),
    )
    .openapi({
      param: {
        style: 'form',
        explode: false,
        description: `Comma-separated activity ids, 1 to ${MAX_STATUS_IDS}.`,
      },
      example: ['0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e', '5f0c4b1e-8a3d-4c2b-9e1f-2a3b4c5d6e7f'],
    }),
})

export const favoriteStatusesRoute = clientRoute(
  {
    method: 'get',
    path: '/status',
    operationId: 'getFavoriteStatuses',
    summary: 'Heart state of many activities at once',
    description:
      'One entry per asked id, in the asked order. An id that is not a favourite (or not an activity) answers ' +
      '`favorited: false`.',
    request: { query: FavoriteStatusQuerySchema },
    responses: {
      200: {
        description: 'The heart state of each asked activity.',
        content: {
          'application/json': { schema: FavoriteStatusResponseDtoSchema, example: FAVORITE_STATUS_EXAMPLE },
        },
      },
    },
  },
  {
    instance: '/favorites/status',
    statuses: [400],
    details: {
      400: {
        detail: 'query.activityIds.1: Invalid UUID',
        issues: [{ path: 'query.activityIds.1', message: 'Invalid UUID', code: 'invalid_format' }],
      },
    },
  },
)

export const registerFavoriteStatuses = (router: App) =>
  router.openapi(favoriteStatusesRoute, async (c) => {
    const { activityIds } = c.req.valid('query')
    const items = await favoriteStatuses(c.get('db'), { userId: c.get('userId'), activityIds })
    if (!items) throw unknownUser()
    return c.json({ items }, 200)
  })
