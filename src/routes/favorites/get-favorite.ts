import { createRoute } from '@hono/zod-openapi'
import {
  ActivityIdParamSchema,
  FAVORITE_RECORD_EXAMPLE,
  FavoriteRecordDtoSchema,
} from '../../contracts/favorites'
import { problemResponses } from '../../contracts/problem'
import type { App } from '../../lib/app'
import { notFound } from '../../lib/problem'
import { requireEndUser } from '../../middleware/auth'
import { findFavorite } from '../../queries/favorites'

export const getFavoriteRoute = createRoute({
  method: 'get',
  path: '/favorites/{activityId}',
  operationId: 'getFavorite',
  tags: ['favorites'],
  summary: 'Get one favourite',
  description: 'Answers 404 when the activity is not one of your favourites (or does not exist).',
  security: [{ bearerAuth: [] }],
  middleware: [requireEndUser] as const,
  request: { params: ActivityIdParamSchema },
  responses: {
    200: {
      description: 'The favourite.',
      content: { 'application/json': { schema: FavoriteRecordDtoSchema, example: FAVORITE_RECORD_EXAMPLE } },
    },
    304: { description: 'Not modified since the `ETag` sent in `If-None-Match`.' },
    ...problemResponses(
      {
        instance: '/favorites/0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
        details: {
          400: {
            detail: 'param.activityId: Invalid UUID',
            issues: [{ path: 'param.activityId', message: 'Invalid UUID', code: 'invalid_format' }],
          },
          403: { detail: 'A company staff token cannot use the client API' },
          404: {
            detail: 'Activity 0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e is not one of your favourites',
          },
        },
      },
      400,
      401,
      403,
      404,
      503,
    ),
  },
})

export const registerGetFavorite = (app: App) =>
  app.openapi(getFavoriteRoute, async (c) => {
    const { activityId } = c.req.valid('param')
    const record = await findFavorite(c.get('db'), { userId: c.get('userId'), activityId })
    if (!record) throw notFound(`Activity ${activityId} is not one of your favourites`)
    return c.json(record, 200)
  })
