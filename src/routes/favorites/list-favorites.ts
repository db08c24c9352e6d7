import { createRoute, z } from '@hono/zod-openapi'
import { ActivityTypeSchema } from '../../contracts/activity-type'
import { FAVORITE_LIST_EXAMPLE, FavoriteListResponseDtoSchema } from '../../contracts/favorites'
import { pageLimitSchema } from '../../contracts/pagination'
import { problemResponses } from '../../contracts/problem'
import type { App } from '../../lib/app'
import { decodeCursor, encodeCursor } from '../../lib/cursor'
import { badRequest } from '../../lib/problem'
import { requireEndUser } from '../../middleware/auth'
import { type FavoritePosition, listFavorites } from '../../queries/favorites'

const ListFavoritesQuerySchema = z.object({
  limit: pageLimitSchema('Page size, 1 to 100. Default: 20.'),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({
      param: { name: 'cursor', in: 'query', description: 'The `nextCursor` of the previous page.' },
    }),
  type: ActivityTypeSchema.optional().openapi({
    param: { name: 'type', in: 'query', description: 'Only favourites of activities of this type.' },
  }),
})

export const listFavoritesRoute = createRoute({
  method: 'get',
  path: '/favorites',
  operationId: 'listFavorites',
  tags: ['favorites'],
  summary: 'List your favourites, newest first',
  description:
    'Keyset pagination over `(createdAt DESC, id DESC)`: follow `nextCursor` until it is `null`. A cursor is ' +
    'only valid for the user and `type` filter it was issued for.',
  security: [{ bearerAuth: [] }],
  middleware: [requireEndUser] as const,
  request: { query: ListFavoritesQuerySchema },
  responses: {
    200: {
      description: 'One page of favourites.',
      content: {
        'application/json': { schema: FavoriteListResponseDtoSchema, example: FAVORITE_LIST_EXAMPLE },
      },
    },
    304: { description: 'Not modified since the `ETag` sent in `If-None-Match`.' },
    ...problemResponses(
      {
        instance: '/favorites',
        details: { 403: { detail: 'A company staff token cannot use the client API' } },
      },
      400,
      401,
      403,
      503,
    ),
  },
})

const MICROS = /^\d{1,17}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function toPosition(payload: unknown): FavoritePosition {
  if (Array.isArray(payload) && payload.length === 2) {
    const [createdAtMicros, id] = payload
    if (
      typeof createdAtMicros === 'string' &&
      MICROS.test(createdAtMicros) &&
      typeof id === 'string' &&
      UUID.test(id)
    )
      return { createdAtMicros, id }
  }
  throw badRequest('The cursor is not valid for this query', 'query.cursor')
}

export const registerListFavorites = (app: App) =>
  app.openapi(listFavoritesRoute, async (c) => {
    const { limit, cursor, type } = c.req.valid('query')
    const userId = c.get('userId')
    const secret = c.get('config').cursorSecret
    const scope = `favorites|${userId}|${type ?? '*'}`
    const after = cursor ? toPosition(await decodeCursor(cursor, scope, secret)) : undefined
    const page = await listFavorites(c.get('db'), { userId, limit, type, after })
    const nextCursor =
      page.hasMore && page.last
        ? await encodeCursor([page.last.createdAtMicros, page.last.id], scope, secret)
        : null
    return c.json({ items: page.records, nextCursor }, 200)
  })
