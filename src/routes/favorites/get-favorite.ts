import type { App } from '../../app/types'
import {
  ActivityIdParamSchema,
  FAVORITE_RECORD_EXAMPLE,
  FavoriteRecordDtoSchema,
  INVALID_ACTIVITY_ID_PARAM,
} from '../../contracts/favorites'
import { ProblemError, unknownUser } from '../../problems/problem-error'
import { findFavorite } from '../../queries/favorites'
import { clientRoute } from '../surface-route'

export const getFavoriteRoute = clientRoute(
  {
    method: 'get',
    path: '/{activityId}',
    operationId: 'getFavorite',
    summary: 'Get one favourite',
    description: 'Answers 404 when the activity is not one of your favourites (or does not exist).',
    request: { params: ActivityIdParamSchema },
    responses: {
      200: {
        description: 'The favourite.',
        content: {
          'application/json': { schema: FavoriteRecordDtoSchema, example: FAVORITE_RECORD_EXAMPLE },
        },
      },
    },
  },
  {
    instance: '/favorites/0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
    statuses: [400, 404],
    details: {
      400: INVALID_ACTIVITY_ID_PARAM,
      404: { detail: 'Activity 0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e is not one of your favourites' },
    },
  },
)

export const registerGetFavorite = (router: App) =>
  router.openapi(getFavoriteRoute, async (c) => {
    const { activityId } = c.req.valid('param')
    const found = await findFavorite(c.get('db'), { userId: c.get('userId'), activityId })
    if (!found.userExists) throw unknownUser()
    if (!found.record)
      throw new ProblemError('not-found', `Activity ${activityId} is not one of your favourites`)
    return c.json(found.record, 200)
  })
