import { z } from '@hono/zod-openapi'
import type { App } from '../../app/types'
import { ActivityIdParamSchema, INVALID_ACTIVITY_ID_PARAM, TappedAtSchema } from '../../contracts/favorites'
import { unknownUser } from '../../problems/problem-error'
import { applyFavoriteChanges } from '../../queries/favorite-sync'
import { clientRoute } from '../surface-route'

const DeleteFavoriteQuerySchema = z.object({
  tappedAt: TappedAtSchema.optional().openapi({
    param: { description: 'When the user tapped (RFC 3339); absent = now.' },
  }),
})

export const deleteFavoriteRoute = clientRoute(
  {
    method: 'delete',
    path: '/{activityId}',
    operationId: 'deleteFavorite',
    summary: 'Un-favourite an activity',
    description:
      'Idempotent: answers 204 whether or not the activity was a favourite. Only ever removes your own. The last ' +
      'tap wins: with `tappedAt` older than an add already applied, the favourite stays (still 204; read it back ' +
      'with `GET /favorites/{activityId}` or follow `GET /favorites/changes`).',
    request: { params: ActivityIdParamSchema, query: DeleteFavoriteQuerySchema },
    responses: { 204: { description: 'The change is applied, or a later one already was.' } },
  },
  {
    instance: '/favorites/0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
    statuses: [400],
    details: { 400: INVALID_ACTIVITY_ID_PARAM },
  },
)

export const registerDeleteFavorite = (router: App) =>
  router.openapi(deleteFavoriteRoute, async (c) => {
    const { activityId } = c.req.valid('param')
    const { tappedAt } = c.req.valid('query')
    const applied = await applyFavoriteChanges(c.get('db'), {
      userId: c.get('userId'),
      changes: [{ activityId, favorited: false, tappedAt }],
    })
    if (!applied) throw unknownUser()
    return c.body(null, 204)
  })
