/**
 * Favourite queries. Each function is exactly one database round trip (one statement), which is what keeps the
 * client API fast when the edge is far from the database.
 */
import { sql } from 'drizzle-orm'
import type { FavoriteActivityDto, FavoriteRecordDto, FavoriteStatusDto } from '../contracts/favorites'
import type { Db } from '../db/client'
import { postgresErrorOf } from '../db/errors'
import type { ActivityTypeValue } from '../db/schema'

/** Timestamps leave Postgres as ISO 8601 UTC with milliseconds, the API's format. */
const isoOf = (column: string) =>
  sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)

/** Exact keyset position: microseconds since the epoch, as text (a JS number would lose precision). */
const microsOf = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000000)::bigint::text`)

type RecordRow = {
  id: string
  activity_id: string
  created_at: string
  name: string
  type: ActivityTypeValue
  company_id: string
  image_url: string | null
}

const recordColumns = sql.raw(`f.id, f.activity_id, a.name, a.type, a.company_id, a.image_url`)

function toRecord(row: RecordRow): FavoriteRecordDto {
  return {
    id: row.id,
    activityId: row.activity_id,
    createdAt: row.created_at,
    activity: toActivity({ ...row, id: row.activity_id }),
  }
}

function toActivity(row: Omit<RecordRow, 'activity_id' | 'created_at'>): FavoriteActivityDto {
  return { id: row.id, name: row.name, type: row.type, companyId: row.company_id, imageUrl: row.image_url }
}

const USER_FOREIGN_KEY = 'user_activity_favorites_user_id_users_id_fk'
const VANISHED_USER = { rows: [{ user_exists: false, activity_exists: false, created: null }] }
const VANISHED_ACTIVITY = { rows: [{ user_exists: true, activity_exists: false, created: null }] }

export type UpsertFavoriteResult =
  | { outcome: 'unknown-user' }
  | { outcome: 'unknown-activity' }
  | { outcome: 'created' | 'existing'; record: FavoriteRecordDto }

/**
 * Favourite an activity, idempotently, in one statement. The no-op `DO UPDATE` makes `RETURNING` yield the row
 * even when a concurrent request inserted it first (`DO NOTHING` would return nothing), so a double tap never
 * needs a second round trip; `xmax = 0` tells a fresh insert from an existing row.
 */
export async function upsertFavorite(
  db: Db,
  params: { userId: string; activityId: string },
): Promise<UpsertFavoriteResult> {
  const result = await db
    .execute<
      Partial<RecordRow> & { user_exists: boolean; activity_exists: boolean; created: boolean | null }
    >(sql`
    WITH activity AS (
      SELECT id, name, type, company_id, image_url FROM activities.activities WHERE id = ${params.activityId}
    ), account AS (
      SELECT id FROM users.users WHERE id = ${params.userId}
    ), upserted AS (
      INSERT INTO activities.user_activity_favorites (user_id, activity_id)
      SELECT account.id, activity.id FROM account CROSS JOIN activity
      ON CONFLICT ON CONSTRAINT user_activity_favorites_user_activity_unique
      DO UPDATE SET user_id = EXCLUDED.user_id
      RETURNING id, created_at, (xmax = 0) AS created
    )
    SELECT EXISTS (SELECT 1 FROM account) AS user_exists,
           a.id IS NOT NULL AS activity_exists,
           u.id, a.id AS activity_id, ${isoOf('u.created_at')} AS created_at, u.created,
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
  const row = result.rows[0]
  if (!row?.user_exists) return { outcome: 'unknown-user' }
  if (!row.activity_exists) return { outcome: 'unknown-activity' }
  return { outcome: row.created ? 'created' : 'existing', record: toRecord(row as RecordRow) }
}

/** Remove the caller's favourite, if any. Scoped by `user_id`, so it can never touch another user's row. */
export async function deleteFavorite(db: Db, params: { userId: string; activityId: string }): Promise<void> {
  await db.execute(sql`
    DELETE FROM activities.user_activity_favorites
    WHERE user_id = ${params.userId} AND activity_id = ${params.activityId}
  `)
}

export async function findFavorite(
  db: Db,
  params: { userId: string; activityId: string },
): Promise<FavoriteRecordDto | undefined> {
  const result = await db.execute<RecordRow>(sql`
    SELECT ${recordColumns}, ${isoOf('f.created_at')} AS created_at
    FROM activities.user_activity_favorites f
    JOIN activities.activities a ON a.id = f.activity_id
    WHERE f.user_id = ${params.userId} AND f.activity_id = ${params.activityId}
  `)
  const row = result.rows[0]
  return row ? toRecord(row) : undefined
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
  const after = params.after
  const position = after
    ? sql`AND f.created_at <= ${cursorTimestamp(after)}
          AND (f.created_at < ${cursorTimestamp(after)} OR f.id < ${after.id})`
    : sql``
  const typeFilter = params.type ? sql`AND a.type = ${params.type}` : sql``
  const result = await db.execute<RecordRow & { created_at_micros: string }>(sql`
    SELECT ${recordColumns}, ${isoOf('f.created_at')} AS created_at, ${microsOf('f.created_at')} AS created_at_micros
    FROM activities.user_activity_favorites f
    JOIN activities.activities a ON a.id = f.activity_id
    WHERE f.user_id = ${params.userId} ${typeFilter} ${position}
    ORDER BY f.created_at DESC, f.id DESC
    LIMIT ${params.limit + 1}
  `)
  const rows = result.rows.slice(0, params.limit)
  const lastRow = rows.at(-1)
  return {
    records: rows.map(toRecord),
    last: lastRow ? { createdAtMicros: lastRow.created_at_micros, id: lastRow.id } : undefined,
    hasMore: result.rows.length > params.limit,
  }
}

// Integer microseconds times an interval is exact, unlike `to_timestamp(double)`.
const cursorTimestamp = (after: FavoritePosition) =>
  sql`(timestamptz 'epoch' + interval '1 microsecond' * ${after.createdAtMicros}::bigint)`

/** Heart state for a list screen: one entry per asked id, in the asked order, in one statement. */
export async function favoriteStatuses(
  db: Db,
  params: { userId: string; activityIds: string[] },
): Promise<FavoriteStatusDto[]> {
  // Ids are validated UUIDs, so the array literal cannot be broken out of; it is still sent as a parameter.
  const idArray = `{${params.activityIds.join(',')}}`
  const result = await db.execute<{ activity_id: string; favorited_at: string | null }>(sql`
    SELECT asked.activity_id, ${isoOf('f.created_at')} AS favorited_at
    FROM unnest(${idArray}::uuid[]) WITH ORDINALITY AS asked(activity_id, position)
    LEFT JOIN activities.user_activity_favorites f
      ON f.user_id = ${params.userId} AND f.activity_id = asked.activity_id
    ORDER BY asked.position
  `)
  return result.rows.map((row) => ({
    activityId: row.activity_id,
    favorited: row.favorited_at !== null,
    favoritedAt: row.favorited_at,
  }))
}
