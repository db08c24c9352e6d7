import type { App } from '../../app/types'
import { ActivityIdParamSchema, INVALID_ACTIVITY_ID_PARAM } from '../../contracts/favorites'
import { unknownUser } from '../../problems/problem-error'
import { deleteFavorite } from '../../queries/favorites'
import { clientRoute } from '../surface-route'

export const deleteFavoriteRoute = clientRoute(
  {
    method: 'delete',
    path: '/{activityId}',
    operationId: 'deleteFavorite',
    summary: 'Un-favourite an activity',
    description:
      'Idempotent: answers 204 whether or not the activity was a favourite. Only ever removes your own.',
    request: { params: ActivityIdParamSchema },
    responses: { 204: { description: 'The activity is not a favourite (any more).' } },
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
    const { userExists } = await deleteFavorite(c.get('db'), { userId: c.get('userId'), activityId })
    if (!userExists) throw unknownUser()
    return c.body(null, 204)
  })
