import { z } from '@hono/zod-openapi'
import type { App } from '../../app/types'
import { ActivityTypeSchema } from '../../contracts/activity-type'
import { signedCursorSchema } from '../../contracts/bounded'
import { FAVORITE_LIST_EXAMPLE, FavoriteListResponseDtoSchema } from '../../contracts/favorites'
import { pageLimitSchema } from '../../contracts/pagination'
import { decodeCursor, encodeCursor } from '../../lib/cursor'
import { unknownUser } from '../../problems/problem-error'
import { afterVersion } from '../../queries/favorite-sync'
import { listFavorites } from '../../queries/favorites'
import { clientRoute } from '../surface-route'
import { encodeChangesCursor } from './changes-cursor'

const ListFavoritesQuerySchema = z.object({
  limit: pageLimitSchema('Page size, 1 to 100. Default: 20.'),
  cursor: signedCursorSchema(512)
    .optional()
    .openapi({
      param: { description: 'The `nextCursor` of the previous page.' },
    }),
  type: ActivityTypeSchema.optional().openapi({
    param: { description: 'Only favourites of activities of this type.' },
  }),
})

/** A page's last position: `created_at` in microseconds since the epoch (as text: exact), and the id. */
// Stryker disable next-line Regex: equivalent, the cursor is signed: only this API writes the values it checks
const FavoritesCursorSchema = z.tuple([z.string().regex(/^\d{1,17}$/), z.uuid()])

export const listFavoritesRoute = clientRoute(
  {
    method: 'get',
    // Stryker disable next-line StringLiteral: equivalent, '' and '/' are the same path under the /favorites mount
    path: '/',
    operationId: 'listFavorites',
    summary: 'List your favourites, newest first',
    description:
      'Keyset pagination over `(createdAt DESC, id DESC)`: follow `nextCursor` until it is `null`. A cursor is ' +
      'only valid for the user and `type` filter it was issued for. The first page also hands out `changesCursor`, ' +
      'where `GET /favorites/changes` continues from it.',
    request: { query: ListFavoritesQuerySchema },
    responses: {
      200: {
        description: 'One page of favourites.',
        content: {
          'application/json': { schema: FavoriteListResponseDtoSchema, example: FAVORITE_LIST_EXAMPLE },
        },
      },
    },
  },
  { instance: '/favorites', statuses: [400] },
)

export const registerListFavorites = (router: App) =>
  router.openapi(listFavoritesRoute, async (c) => {
    const { limit, cursor, type } = c.req.valid('query')
    const userId = c.get('userId')
    const secret = c.get('config').cursorSecret
    // Stryker disable next-line StringLiteral: any placeholder that is not a type name scopes "no filter" as well
    const scope = `favorites|${userId}|${type ?? '*'}`
    const after = cursor ? await decodeCursor(cursor, FavoritesCursorSchema, scope, secret) : undefined
    const page = await listFavorites(c.get('db'), {
      userId,
      limit,
      type,
      after: after && { createdAtMicros: after[0], id: after[1] },
    })
    if (!page.userExists) throw unknownUser()
    const nextCursor =
      page.hasMore && page.last
        ? await encodeCursor([page.last.createdAtMicros, page.last.id], scope, secret)
        : null
    const changesCursor = cursor
      ? null
      : await encodeChangesCursor(afterVersion(page.lastVersion), userId, secret)
    return c.json({ items: page.records, nextCursor, changesCursor }, 200)
  })
