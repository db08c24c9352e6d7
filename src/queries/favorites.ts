/**
 * Favourite queries. Each function is exactly one database round trip (one statement), which is what keeps the
 * client API fast when the edge is far from the database.
 */
import { and, type Column, desc, eq, lt, lte, or, type SQL, sql } from 'drizzle-orm'
import type { FavoriteActivityDto, FavoriteRecordDto, FavoriteStatusDto } from '../contracts/favorites'
import type { Db } from '../db/client'
import {
  type ActivityTypeValue,
  activities,
  activityFavoriteCounts,
  userActivityFavorites as favorites,
  userFavoriteSync,
  users,
} from '../db/schema'
import { arrayLiteral } from './array-literal'
import { fromMicros, isoOf, microsOf } from './timestamps'

/**
 * How many users favourited an activity, from the per-activity counts the write statements keep in step (one row
 * on its primary key): never a count over the favourites at read time.
 */
const favoriteCountOf = (activityId: Column | SQL) =>
  sql<number>`coalesce((SELECT ${activityFavoriteCounts.favorites} FROM ${activityFavoriteCounts}
    WHERE ${activityFavoriteCounts.activityId} = ${activityId}), 0)`

/**
 * A favourite and its activity, flat (a subquery's columns must be): `toRecord` nests them as the DTO does. The
 * computed columns get names no joined table has: drizzle refers to them unqualified outside the subquery.
 */
const recordFields = {
  id: favorites.id,
  activityId: favorites.activityId,
  createdAt: isoOf(favorites.createdAt).as('record_created_at'),
  createdAtMicros: microsOf(favorites.createdAt).as('record_created_at_micros'),
  name: activities.name,
  type: activities.type,
  companyId: activities.companyId,
  imageUrl: activities.imageUrl,
  favoriteCount: favoriteCountOf(activities.id).as('record_favorite_count'),
}

/** A row of `recordFields`: the record's own fields, its activity's (but its id, which is `activityId`) and the position. */
type RecordFields = Omit<FavoriteRecordDto, 'activity'> &
  Omit<FavoriteActivityDto, 'id'> & { createdAtMicros: string }

const toRecord = (row: Omit<RecordFields, 'createdAtMicros'>): FavoriteRecordDto => ({
  id: row.id,
  activityId: row.activityId,
  createdAt: row.createdAt,
  activity: {
    id: row.activityId,
    name: row.name,
    type: row.type,
    companyId: row.companyId,
    imageUrl: row.imageUrl,
    favoriteCount: row.favoriteCount,
  },
})

/**
 * The caller's favourites that `where` selects, in one statement that also says whether the caller is a user: the
 * selection is a derived table LEFT JOINed to the caller's `users` row, so an unknown user gets no row at all and a
 * known one at least one (all-NULL when nothing matched). The derived table keeps its own ORDER BY and LIMIT, so it
 * is planned exactly as it would be alone.
 */
async function callerFavorites(
  db: Db,
  userId: string,
  where: SQL | undefined,
  limit: number,
): Promise<{ userExists: false } | { userExists: true; rows: RecordFields[]; lastVersion: number }> {
  const selected = db
    .select(recordFields)
    .from(favorites)
    .innerJoin(activities, eq(activities.id, favorites.activityId))
    .where(and(eq(favorites.userId, userId), where))
    .orderBy(desc(favorites.createdAt), desc(favorites.id))
    .limit(limit)
    .as('selected')
  const rows = await db
    .select({
      id: selected.id,
      activityId: selected.activityId,
      createdAt: selected.createdAt,
      createdAtMicros: selected.createdAtMicros,
      name: selected.name,
      type: selected.type,
      companyId: selected.companyId,
      imageUrl: selected.imageUrl,
      favoriteCount: selected.favoriteCount,
      lastVersion: sql<number>`coalesce(${userFavoriteSync.lastVersion}, 0)`,
    })
    .from(users)
    .leftJoin(userFavoriteSync, eq(userFavoriteSync.userId, users.id))
    .leftJoin(selected, sql`true`)
    .where(eq(users.id, userId))
    .orderBy(sql`${selected.createdAtMicros}::bigint DESC`, desc(selected.id))
  const [first] = rows
  // Stryker disable next-line ObjectLiteral: equivalent, callers test `userExists`, which is as false when absent
  if (!first) return { userExists: false }
  // The LEFT JOIN gives all of `selected`'s columns or none: a row with an id is a whole record.
  return {
    userExists: true,
    rows: rows.flatMap((row) => (row.id === null ? [] : [row as RecordFields])),
    // The user's latest change as of this statement's snapshot: the list reflects exactly the changes up to it.
    lastVersion: Number(first.lastVersion),
  }
}

/** The caller's favourite of one activity; `userExists: false` when the caller is not a registered user. */
export async function findFavorite(
  db: Db,
  params: { userId: string; activityId: string },
): Promise<{ userExists: false } | { userExists: true; record?: FavoriteRecordDto }> {
  const found = await callerFavorites(db, params.userId, eq(favorites.activityId, params.activityId), 1)
  if (!found.userExists) return found
  const [row] = found.rows
  return { userExists: true, record: row && toRecord(row) }
}

export type FavoritePosition = { createdAtMicros: string; id: string }

/**
 * One page of the caller's favourites, newest first, by keyset over `(created_at DESC, id DESC)`.
 * `created_at <= cursor` is an index condition on `user_activity_favorites_user_id_created_at_idx`, so a deep
 * page starts where the last one ended instead of re-reading everything before it (no `OFFSET`).
 * Fetches `limit + 1` rows: the extra one says whether there is a next page.
 */
export async function listFavorites(
  db: Db,
  params: { userId: string; limit: number; type?: ActivityTypeValue; after?: FavoritePosition },
): Promise<
  | { userExists: false }
  | {
      userExists: true
      records: FavoriteRecordDto[]
      last?: FavoritePosition
      hasMore: boolean
      /** The user's latest change this page reflects (see `userFavoriteSync`). */
      lastVersion: number
    }
> {
  const { after } = params
  const found = await callerFavorites(
    db,
    params.userId,
    and(
      params.type ? eq(activities.type, params.type) : undefined,
      after
        ? and(
            lte(favorites.createdAt, fromMicros(after.createdAtMicros)),
            or(lt(favorites.createdAt, fromMicros(after.createdAtMicros)), lt(favorites.id, after.id)),
          )
        : undefined,
    ),
    params.limit + 1,
  )
  if (!found.userExists) return found
  const page = found.rows.slice(0, params.limit)
  const lastRow = page.at(-1)
  return {
    userExists: true,
    records: page.map(toRecord),
    last: lastRow ? { createdAtMicros: lastRow.createdAtMicros, id: lastRow.id } : undefined,
    hasMore: found.rows.length > params.limit,
    lastVersion: found.lastVersion,
  }
}

/**
 * Heart state for a list screen: one entry per asked id, in the asked order, in one statement. The caller's `users`
 * row is joined in, so an unknown user gets no row (`undefined`); a known one always gets one per asked id.
 */
export async function favoriteStatuses(
  db: Db,
  params: { userId: string; activityIds: string[] },
): Promise<FavoriteStatusDto[] | undefined> {
  // Ids are validated UUIDs, so the array literal cannot be broken out of; it is still sent as a parameter.
  const result = await db.execute<{
    activity_id: string
    favorited_at: string | null
    favorite_count: number
  }>(sql`
    SELECT asked.activity_id, ${isoOf(favorites.createdAt)} AS favorited_at,
           ${favoriteCountOf(sql`asked.activity_id`)} AS favorite_count
    FROM ${users}
    CROSS JOIN unnest(${arrayLiteral(params.activityIds)}::uuid[]) WITH ORDINALITY AS asked(activity_id, position)
    LEFT JOIN ${favorites}
      ON ${favorites.userId} = ${params.userId} AND ${favorites.activityId} = asked.activity_id
    WHERE ${users.id} = ${params.userId}
    ORDER BY asked.position
  `)
  if (result.rows.length === 0) return undefined
  return result.rows.map((row) => ({
    activityId: row.activity_id,
    favorited: row.favorited_at !== null,
    favoritedAt: row.favorited_at,
    favoriteCount: Number(row.favorite_count),
  }))
}
