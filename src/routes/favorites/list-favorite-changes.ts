import { z } from '@hono/zod-openapi'
import type { App } from '../../app/types'
import { signedCursorSchema } from '../../contracts/bounded'
import { FAVORITE_CHANGES_EXAMPLE, FavoriteChangesResponseDtoSchema } from '../../contracts/favorites'
import { pageLimitSchema } from '../../contracts/pagination'
import { ProblemError, unknownUser } from '../../problems/problem-error'
import { FEED_START, listFavoriteChanges } from '../../queries/favorite-sync'
import { clientRoute } from '../surface-route'
import { decodeChangesCursor, encodeChangesCursor } from './changes-cursor'

const FavoriteChangesQuerySchema = z.object({
  since: signedCursorSchema(512)
    .optional()
    .openapi({
      param: {
        description:
          "The list's `changesCursor`, or the previous answer's `nextCursor`. Absent: every change kept.",
      },
    }),
  limit: pageLimitSchema('Changes per answer, 1 to 100. Default: 20.'),
})

export const listFavoriteChangesRoute = clientRoute(
  {
    method: 'get',
    path: '/changes',
    operationId: 'listFavoriteChanges',
    summary: "Follow your favourites' changes (offline sync)",
    description:
      'Your adds and removals after `since`, oldest first, each activity once with its latest state. Poll with ' +
      'the `nextCursor` of each answer; ask again at once while `hasMore`. Removals are kept at least 30 days: ' +
      'an older cursor answers 410, and the app re-reads its list.',
    request: { query: FavoriteChangesQuerySchema },
    responses: {
      200: {
        description: 'The changes after the cursor.',
        content: {
          'application/json': { schema: FavoriteChangesResponseDtoSchema, example: FAVORITE_CHANGES_EXAMPLE },
        },
      },
    },
  },
  { instance: '/favorites/changes', statuses: [400, 410] },
)

export const registerListFavoriteChanges = (router: App) =>
  router.openapi(listFavoriteChangesRoute, async (c) => {
    const { since, limit } = c.req.valid('query')
    const userId = c.get('userId')
    const secret = c.get('config').cursorSecret
    const position = since ? await decodeChangesCursor(since, userId, secret) : FEED_START
    const feed = await listFavoriteChanges(c.get('db'), { userId, since: position, limit })
    if (!feed) throw unknownUser()
    if (since && position.version < feed.purgedThrough) {
      throw new ProblemError(
        'changes-cursor-expired',
        'Changes before this cursor are no longer kept: re-read the list',
      )
    }
    const last = feed.entries.at(-1)?.position ?? position
    return c.json(
      {
        items: feed.entries.map(({ activityId, favorited, tappedAt, favorite }) => ({
          activityId,
          favorited,
          tappedAt,
          favorite,
        })),
        nextCursor: await encodeChangesCursor(last, userId, secret),
        hasMore: feed.hasMore,
      },
      200,
    )
  })
