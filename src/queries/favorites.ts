/**
 * Favourite queries. Each function is exactly one database round trip (one statement), which is what keeps the
 * client API fast when the edge is far from the database.
 */
import { and, type Column, desc, eq, lt, lte, or, sql } from 'drizzle-orm'
import type { FavoriteRecordDto, FavoriteStatusDto } from '../contracts/favorites'
import type { Db } from '../db/client'
import { postgresErrorOf } from '../db/errors'
import { type ActivityTypeValue, activities, userActivityFavorites as favorites, users } from '../db/schema'
import { fromMicros, isoOf, microsOf } from './timestamps'

/** The columns of a `FavoriteRecordDto`, in its shape: drizzle builds the nested object. */
const recordColumns = {
  id: favorites.id,
  activityId: favorites.activityId,
  createdAt: isoOf(favorites.createdAt),
  activity: {
    id: activities.id,
    name: activities.name,
    type: activities.type,
    companyId: activities.companyId,
    imageUrl: activities.imageUrl,
  },
}

const ownFavorite = (params: { userId: string; activityId: string }) =>
  and(eq(favorites.userId, params.userId), eq(favorites.activityId, params.activityId))

const USER_FOREIGN_KEY = 'user_activity_favorites_user_id_users_id_fk'
const VANISHED_USER = { rows: [{ user_exists: false, activity_exists: false, created: null }] }
const VANISHED_ACTIVITY = { rows: [{ user_exists: true, activity_exists: false, created: null }] }

/** The upsert's record columns: all set when the activity exists (the statement's LEFT JOINs say so). */
type UpsertedRecord = {
  id: string
  activity_id: string
  created_at: string
  name: string
  type: ActivityTypeValue
  company_id: string
  image_url: string | null
}
type UpsertRow = {
  user_exists: boolean
  activity_exists: boolean
  created: boolean | null
} & Partial<UpsertedRecord>

export type UpsertFavoriteResult =
  | { outcome: 'unknown-user' }
  | { outcome: 'unknown-activity' }
  | { outcome: 'created' | 'existing'; record: FavoriteRecordDto }

/**
 * Favourite an activity, idempotently, in one statement. The no-op `DO UPDATE` makes `RETURNING` yield the row
 * even when a concurrent request inserted it first (`DO NOTHING` would return nothing), so a double tap never
 * needs a second round trip; `xmax = 0` tells a fresh insert from an existing row. Raw SQL: the builder has no
 * CTE-around-an-upsert or `xmax`.
 */
export async function upsertFavorite(
  db: Db,
  params: { userId: string; activityId: string },
): Promise<UpsertFavoriteResult> {
  const column = (c: Column) => sql.identifier(c.name)
  const result = await db
    .execute<UpsertRow>(sql`
    WITH activity AS (
      SELECT ${activities.id}, ${activities.name}, ${activities.type}, ${activities.companyId}, ${activities.imageUrl}
      FROM ${activities} WHERE ${activities.id} = ${params.activityId}
    ), account AS (
      SELECT ${users.id} FROM ${users} WHERE ${users.id} = ${params.userId}
    ), upserted AS (
      INSERT INTO ${favorites} (${column(favorites.userId)}, ${column(favorites.activityId)})
      SELECT account.id, activity.id FROM account CROSS JOIN activity
      ON CONFLICT ON CONSTRAINT user_activity_favorites_user_activity_unique
      DO UPDATE SET ${column(favorites.userId)} = EXCLUDED.${column(favorites.userId)}
      RETURNING ${favorites.id}, ${favorites.createdAt}, (xmax = 0) AS created
    )
    SELECT EXISTS (SELECT 1 FROM account) AS user_exists,
           a.id IS NOT NULL AS activity_exists,
           u.id, a.id AS activity_id, ${isoOf(sql`u.created_at`)} AS created_at, u.created,
           a.name, a.type, a.company_id, a.image_url
    FROM (SELECT 1) AS one
    LEFT JOIN activity a ON true
    LEFT JOIN upserted u ON true
  `)
    .catch((error: unknown) => {
      // The user or the activity was deleted between this statement's snapshot and its insert: the same answer as
      // if it had not existed when the statement started.
      const pg = postgresErrorOf(error)
      if (pg?.code !== '23503') throw error
      return pg.constraint === USER_FOREIGN_KEY ? VANISHED_USER : VANISHED_ACTIVITY
    })
  const row: UpsertRow | undefined = result.rows[0]
  if (!row?.user_exists) return { outcome: 'unknown-user' }
  if (!row.activity_exists) return { outcome: 'unknown-activity' }
  const record = row as UpsertRow & UpsertedRecord
  return {
    outcome: record.created ? 'created' : 'existing',
    record: {
      id: record.id,
      activityId: record.activity_id,
      createdAt: record.created_at,
      activity: {
        id: record.activity_id,
        name: record.name,
        type: record.type,
        companyId: record.company_id,
        imageUrl: record.image_url,
      },
    },
  }
}

/** Remove the caller's favourite, if any. Scoped by `user_id`, so it can never touch another user's row. */
export async function deleteFavorite(db: Db, params: { userId: string; activityId: string }): Promise<void> {
  await db.delete(favorites).where(ownFavorite(params))
}

export async function findFavorite(
  db: Db,
  params: { userId: string; activityId: string },
): Promise<FavoriteRecordDto | undefined> {
  const [record] = await db
    .select(recordColumns)
    .from(favorites)
    .innerJoin(activities, eq(activities.id, favorites.activityId))
    .where(ownFavorite(params))
  return record
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
): Promise<{ records: FavoriteRecordDto[]; last?: FavoritePosition; hasMore: boolean }> {
  const { after } = params
  const rows = await db
    .select({ ...recordColumns, createdAtMicros: microsOf(favorites.createdAt) })
    .from(favorites)
    .innerJoin(activities, eq(activities.id, favorites.activityId))
    .where(
      and(
        eq(favorites.userId, params.userId),
        params.type ? eq(activities.type, params.type) : undefined,
        after
          ? and(
              lte(favorites.createdAt, fromMicros(after.createdAtMicros)),
              or(lt(favorites.createdAt, fromMicros(after.createdAtMicros)), lt(favorites.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(favorites.createdAt), desc(favorites.id))
    .limit(params.limit + 1)
  const page = rows.slice(0, params.limit)
  const lastRow = page.at(-1)
  return {
    records: page.map(({ createdAtMicros: _, ...record }) => record),
    last: lastRow ? { createdAtMicros: lastRow.createdAtMicros, id: lastRow.id } : undefined,
    hasMore: rows.length > params.limit,
  }
}

/** Heart state for a list screen: one entry per asked id, in the asked order, in one statement. */
export async function favoriteStatuses(
  db: Db,
  params: { userId: string; activityIds: string[] },
): Promise<FavoriteStatusDto[]> {
  // Ids are validated UUIDs, so the array literal cannot be broken out of; it is still sent as a parameter.
  const idArray = `{${params.activityIds.join(',')}}`
  const result = await db.execute<{ activity_id: string; favorited_at: string | null }>(sql`
    SELECT asked.activity_id, ${isoOf(favorites.createdAt)} AS favorited_at
    FROM unnest(${idArray}::uuid[]) WITH ORDINALITY AS asked(activity_id, position)
    LEFT JOIN ${favorites}
      ON ${favorites.userId} = ${params.userId} AND ${favorites.activityId} = asked.activity_id
    ORDER BY asked.position
  `)
  return result.rows.map((row) => ({
    activityId: row.activity_id,
    favorited: row.favorited_at !== null,
    favoritedAt: row.favorited_at,
  }))
}
