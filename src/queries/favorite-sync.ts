/**
 * The app's writes and its changes feed: every change of a favourite goes through
 * `activities.apply_favorite_changes` (drizzle/0006_favorite_sync.sql), so the last tap wins whatever order taps
 * arrive in, and every change gets a version the feed can follow. Each function is one statement.
 */
import { sql } from 'drizzle-orm'
import type { FavoriteChangeResult, FavoriteRecordDto } from '../contracts/favorites'
import type { Db } from '../db/client'
import {
  type ActivityTypeValue,
  activities,
  activityFavoriteCounts,
  userActivityFavorites as favorites,
  userActivityFavoriteRemovals as removals,
  userFavoriteSync as sync,
  users,
} from '../db/schema'
import { arrayLiteral } from './array-literal'
import { isoOf } from './timestamps'

export type FavoriteChange = {
  activityId: string
  favorited: boolean
  /** When the user tapped (RFC 3339, any offset); absent = now. */
  tappedAt?: string
}

export type AppliedChange = {
  activityId: string
  outcome: FavoriteChangeResult
  /** Whether the activity is the user's favourite once the whole call is applied. */
  favorited: boolean
  /** That favourite, when it is one. */
  record?: FavoriteRecordDto
}

/** A favourite and its activity as both statements here return them: all NULL when it is not one. */
type FavoriteColumns = {
  activity_id: string
  favorite_id: string | null
  created_at: string | null
  activity_name: string | null
  activity_type: ActivityTypeValue | null
  company_id: string | null
  image_url: string | null
  favorite_count: number | null
}

const recordOf = (row: FavoriteColumns): FavoriteRecordDto | undefined =>
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, a favourite's row always has its activity (a foreign key); the guard narrows the LEFT JOIN's types
  row.favorite_id && row.created_at && row.activity_name !== null && row.activity_type && row.company_id
    ? {
        id: row.favorite_id,
        activityId: row.activity_id,
        createdAt: row.created_at,
        activity: {
          id: row.activity_id,
          name: row.activity_name,
          type: row.activity_type,
          companyId: row.company_id,
          imageUrl: row.image_url,
          favoriteCount: Number(row.favorite_count ?? 0),
        },
      }
    : undefined

type AppliedRow = FavoriteColumns & { outcome: FavoriteChangeResult; favorited: boolean }

/**
 * Applies `changes` for the user, last tap winning, and answers one result per change in order; `undefined` when
 * the caller is not a registered user (a user being deleted meanwhile is waited for, then not one).
 */
export async function applyFavoriteChanges(
  db: Db,
  params: { userId: string; changes: readonly FavoriteChange[] },
): Promise<AppliedChange[] | undefined> {
  const { changes } = params
  const result = await db.execute<AppliedRow>(sql`
      SELECT entry, activity_id, outcome, favorited, favorite_id,
             ${isoOf(sql`created_at`)} AS created_at, activity_name, activity_type, company_id, image_url,
             favorite_count
      FROM activities.apply_favorite_changes(
        ${params.userId}::uuid,
        ${arrayLiteral(changes.map((change) => change.activityId))}::uuid[],
        ${arrayLiteral(changes.map((change) => change.favorited))}::boolean[],
        ${arrayLiteral(changes.map((change) => (change.tappedAt ? new Date(change.tappedAt).toISOString() : null)))}::timestamptz[]
      )`)
  if (result.rows.length === 0) return undefined
  return result.rows.map((row) => ({
    activityId: row.activity_id,
    outcome: row.outcome,
    favorited: row.favorited,
    record: recordOf(row),
  }))
}

/** A position in a user's changes: after every change of a lower version, and of this version up to `activityId`. */
export type ChangePosition = { version: number; activityId: string }

/** Before every change kept (favourites made before the feed existed have version 0). */
export const FEED_START: ChangePosition = { version: -1, activityId: 'ffffffff-ffff-ffff-ffff-ffffffffffff' }

/** After every change up to and including `version`. */
export const afterVersion = (version: number): ChangePosition => ({
  version,
  activityId: FEED_START.activityId,
})

export type FavoriteChangeEntry =
  | {
      activityId: string
      favorited: true
      tappedAt: string
      favorite: FavoriteRecordDto
      position: ChangePosition
    }
  | { activityId: string; favorited: false; tappedAt: string; favorite: null; position: ChangePosition }

/** A change of the page, or (on an empty page) the LEFT JOIN's one row of nulls: its columns are null together. */
type PageColumns =
  | { activity_id: string; favorited: boolean; version: number; tapped_at: string }
  | { activity_id: null; favorited: null; version: null; tapped_at: null }
type ChangeRow = Omit<FavoriteColumns, 'activity_id'> & { purged_through: number } & PageColumns

/**
 * The user's changes after `since`, oldest first, at most `limit` (plus one, to say whether there are more):
 * current favourites and kept removal markers with a later version, each read from its own index in change
 * order. `undefined` for an unknown user; `purgedThrough` says whether `since` is older than the kept markers.
 */
export async function listFavoriteChanges(
  db: Db,
  params: { userId: string; since: ChangePosition; limit: number },
): Promise<{ purgedThrough: number; entries: FavoriteChangeEntry[]; hasMore: boolean } | undefined> {
  const { userId, since, limit } = params
  const result = await db.execute<ChangeRow>(sql`
    WITH adds AS (
      SELECT ${favorites.activityId} AS activity_id, true AS favorited, ${favorites.changeVersion} AS version,
             coalesce(${favorites.tappedAt}, ${favorites.createdAt}) AS tapped_at,
             ${favorites.id} AS favorite_id, ${favorites.createdAt} AS created_at
      FROM ${favorites}
      WHERE ${favorites.userId} = ${userId}
        AND (${favorites.changeVersion}, ${favorites.activityId}) > (${since.version}, ${since.activityId}::uuid)
      ORDER BY ${favorites.changeVersion}, ${favorites.activityId}
      LIMIT ${limit + 1}
    ), removes AS (
      SELECT ${removals.activityId} AS activity_id, false AS favorited, ${removals.changeVersion} AS version,
             ${removals.tappedAt} AS tapped_at, NULL::uuid AS favorite_id, NULL::timestamptz AS created_at
      FROM ${removals}
      WHERE ${removals.userId} = ${userId}
        AND (${removals.changeVersion}, ${removals.activityId}) > (${since.version}, ${since.activityId}::uuid)
      ORDER BY ${removals.changeVersion}, ${removals.activityId}
      LIMIT ${limit + 1}
    ), page AS (
      SELECT * FROM adds UNION ALL SELECT * FROM removes ORDER BY version, activity_id LIMIT ${limit + 1}
    )
    SELECT coalesce(s.purged_through, 0) AS purged_through, p.activity_id, p.favorited, p.version,
           ${isoOf(sql`p.tapped_at`)} AS tapped_at, p.favorite_id, ${isoOf(sql`p.created_at`)} AS created_at,
           a.name AS activity_name, a.type AS activity_type, a.company_id, a.image_url,
           c.favorites AS favorite_count
    FROM ${users} u
    LEFT JOIN ${sync} s ON s.user_id = u.id
    LEFT JOIN page p ON true
    LEFT JOIN ${activities} a ON a.id = p.activity_id AND p.favorited
    LEFT JOIN ${activityFavoriteCounts} c ON c.activity_id = p.activity_id AND p.favorited
    WHERE u.id = ${userId}
    ORDER BY p.version, p.activity_id
  `)
  const [first] = result.rows
  if (!first) return undefined
  const entries = result.rows.flatMap((row): FavoriteChangeEntry[] => {
    if (row.activity_id === null) return []
    const { activity_id: activityId, version, tapped_at: tappedAt } = row
    const position = { version: Number(version), activityId }
    const favorite = row.favorited ? recordOf(row) : undefined
    return [
      favorite
        ? { activityId, favorited: true, tappedAt, favorite, position }
        : { activityId, favorited: false, tappedAt, favorite: null, position },
    ]
  })
  return {
    purgedThrough: Number(first.purged_through),
    entries: entries.slice(0, limit),
    hasMore: entries.length > limit,
  }
}

/**
 * Purges removal markers older than `olderThanDays`, at most `limit` of them (oldest first), and raises each
 * affected user's `purged_through`, so a feed cursor from before a purged marker is answered 410. One bounded
 * statement. It locks each user's sync row before their markers, as a change does, and skips (until the next run)
 * users whose change is running: so it never waits for a change, nor a change for it beyond this statement.
 */
export async function purgeRemovalMarkers(
  db: Db,
  params: { olderThanDays: number; limit: number },
): Promise<number> {
  const result = await db.execute<{ purged: number }>(sql`
    WITH doomed AS (
      SELECT r.user_id, r.activity_id
      FROM ${removals} r JOIN ${sync} s ON s.user_id = r.user_id
      WHERE r.removed_at < now() - make_interval(days => ${params.olderThanDays})
      ORDER BY r.removed_at
      LIMIT ${params.limit}
      FOR UPDATE OF s, r SKIP LOCKED
    ), purged AS (
      DELETE FROM ${removals} r USING doomed d
      WHERE r.user_id = d.user_id AND r.activity_id = d.activity_id
      RETURNING r.user_id, r.change_version
    ), raised AS (
      UPDATE ${sync} s SET purged_through = greatest(s.purged_through, p.version)
      FROM (SELECT user_id, max(change_version) AS version FROM purged GROUP BY user_id) p
      WHERE s.user_id = p.user_id
    )
    SELECT count(*)::int AS purged FROM purged
  `)
  // Stryker disable next-line LogicalOperator,OptionalChaining: equivalent, count(*) always answers one row
  return Number(result.rows[0]?.purged ?? 0)
}
