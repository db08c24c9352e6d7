import { createRoute } from '@hono/zod-openapi'
import { ActivityIdParamSchema } from '../../contracts/favorites'
import { problemResponses } from '../../contracts/problem'
import type { App } from '../../lib/app'
import { requireEndUser } from '../../middleware/auth'
import { deleteFavorite } from '../../queries/favorites'

export const deleteFavoriteRoute = createRoute({
  method: 'delete',
  path: '/favorites/{activityId}',
  operationId: 'deleteFavorite',
  tags: ['favorites'],
  summary: 'Un-favourite an activity',
  description:
    'Idempotent: answers 204 whether or not the activity was a favourite. Only ever removes your own.',
  security: [{ bearerAuth: [] }],
  middleware: [requireEndUser] as const,
  request: { params: ActivityIdParamSchema },
  responses: {
    204: { description: 'The activity is not a favourite (any more).' },
    ...problemResponses(
      {
        instance: '/favorites/0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
        details: {
          400: {
            detail: 'param.activityId: Invalid UUID',
            issues: [{ path: 'param.activityId', message: 'Invalid UUID', code: 'invalid_format' }],
          },
          403: { detail: 'A company staff token cannot use the client API' },
        },
      },
      400,
      401,
      403,
      503,
    ),
  },
})

export const registerDeleteFavorite = (app: App) =>
  app.openapi(deleteFavoriteRoute, async (c) => {
    const { activityId } = c.req.valid('param')
    await deleteFavorite(c.get('db'), { userId: c.get('userId'), activityId })
    return c.body(null, 204)
  })
