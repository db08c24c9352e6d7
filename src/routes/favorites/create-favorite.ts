import { createRoute } from '@hono/zod-openapi'
import {
  CREATE_FAVORITE_EXAMPLE,
  CreateFavoriteDtoSchema,
  FAVORITE_RECORD_EXAMPLE,
  FavoriteRecordDtoSchema,
} from '../../contracts/favorites'
import { problemResponses } from '../../contracts/problem'
import type { App } from '../../lib/app'
import { notFound, ProblemError } from '../../lib/problem'
import { requireEndUser } from '../../middleware/auth'
import { limitBodySize } from '../../middleware/body-limit'
import { upsertFavorite } from '../../queries/favorites'

export const createFavoriteRoute = createRoute({
  method: 'post',
  path: '/favorites',
  operationId: 'createFavorite',
  tags: ['favorites'],
  summary: 'Favourite an activity',
  description:
    'Idempotent: favouriting an activity that is already a favourite answers 200 with the existing record ' +
    '(same `id` and `createdAt`). Safe under concurrent double taps: exactly one favourite is stored.',
  security: [{ bearerAuth: [] }],
  // The size limit runs first: an oversized body is refused before any work is done for it.
  middleware: [limitBodySize, requireEndUser] as const,
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: CreateFavoriteDtoSchema, example: CREATE_FAVORITE_EXAMPLE } },
    },
  },
  responses: {
    201: {
      description: 'The activity is now a favourite.',
      content: { 'application/json': { schema: FavoriteRecordDtoSchema, example: FAVORITE_RECORD_EXAMPLE } },
    },
    200: {
      description: 'The activity already was a favourite: the existing record.',
      content: { 'application/json': { schema: FavoriteRecordDtoSchema, example: FAVORITE_RECORD_EXAMPLE } },
    },
    ...problemResponses(
      {
        instance: '/favorites',
        details: {
          400: {
            detail: 'json.activityId: Invalid UUID',
            issues: [{ path: 'json.activityId', message: 'Invalid UUID', code: 'invalid_format' }],
          },
          403: { detail: 'A company staff token cannot use the client API' },
        },
      },
      400,
      401,
      403,
      404,
      413,
      415,
      503,
    ),
  },
})

export const registerCreateFavorite = (app: App) =>
  app.openapi(createFavoriteRoute, async (c) => {
    const { activityId } = c.req.valid('json')
    const result = await upsertFavorite(c.get('db'), { userId: c.get('userId'), activityId })
    switch (result.outcome) {
      case 'unknown-user':
        throw new ProblemError({
          status: 403,
          type: 'unknown-user',
          title: 'Forbidden',
          detail: 'The token is valid, but its user is not registered on the platform',
        })
      case 'unknown-activity':
        throw notFound(`Activity ${activityId} does not exist`)
      case 'created':
        return c.json(result.record, 201)
      case 'existing':
        return c.json(result.record, 200)
    }
  })
