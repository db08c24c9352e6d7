/**
 * Analytics queries for a company's dashboard. Each function is one statement (one database round trip), scoped
 * by `company_id`, and selects aggregates only: no `user_id` ever leaves the database here.
 *
 * They read the rollups kept in step by triggers (drizzle/0002_analytics_rollups.sql, their logic in shared SQL
 * functions since 0003), not the favourites themselves: per-activity totals, per-activity and per-company counts per UTC day, each split over a few shard
 * rows that are summed here. A period `[from, to)` is its whole UTC days from the day rollups plus, when `from` or
 * `to` is not a midnight, the partial first and last days counted exactly from the favourites, probing
 * `(activity_id, created_at)` only for the activities that have favourites on that day. So the cost follows the
 * company's activities and days, not its favourites.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { Interval } from '../analytics/period'
import type {
  AnalyticsSort,
  FavoriteActivityAnalyticsItemDto,
  FavoriteTimeseriesBucketDto,
  SortOrder,
} from '../contracts/analytics'
import type { Db } from '../db/client'
import {
  type ActivityTypeValue,
  activities,
  activityFavoriteDays,
  activityFavoriteTotals,
  companyFavoriteDays,
  userActivityFavorites,
} from '../db/schema'
import { fromMicros, ISO_FORMAT, isoOf, microsOf } from './timestamps'

/** Keyset position after the last row of a page: its sort key and id. */
export type AnalyticsPosition = {
  /** `total`/`inPeriod`: the count; `lastFavorited`: microseconds since the epoch as text, or null; `name`: the name. */
  key: number | string | null
  id: string
}

type ItemRow = {
  id: string
  name: string
  type: ActivityTypeValue
  total: number
  in_period: number
  last_favorited_at: string | null
  last_micros: string | null
}

// Never-favourited activities sort as the oldest (before any real timestamp), so the key is never NULL.
const SORT_KEYS: Record<AnalyticsSort, SQL> = {
  total: sql`t.total`,
  inPeriod: sql`t.in_period`,
  lastFavorited: sql`coalesce(t.last_at, '-infinity'::timestamptz)`,
  name: sql`t.name`,
}

function cursorKey(sort: AnalyticsSort, key: AnalyticsPosition['key']): SQL {
  switch (sort) {
    case 'total':
    case 'inPeriod':
      return sql`${key}::int`
    case 'lastFavorited':
      return key === null ? sql`'-infinity'::timestamptz` : fromMicros(key)
    case 'name':
      return sql`${key}::text`
  }
}

function positionOf(sort: AnalyticsSort, row: ItemRow): AnalyticsPosition {
  const key =
    sort === 'total'
      ? row.total
      : sort === 'inPeriod'
        ? row.in_period
        : sort === 'name'
          ? row.name
          : row.last_micros
  return { key, id: row.id }
}

/**
 * `bounds`: the period's whole UTC days `[first_day, end_day)` and its partial edges `edges(day, lo, hi)`: the
 * part of `from`'s day before the first whole day, and the part of `to`'s day before `to` (none when `from`/`to`
 * is a midnight; a single edge when both fall in one day).
 */
function periodBounds(from: string, to: string): SQL {
  return sql`bounds AS (
      SELECT p.f, p.t, p.from_day, x.first_day, p.end_day,
             (x.first_day::timestamp AT TIME ZONE 'UTC') AS first_day_at,
             (p.end_day::timestamp AT TIME ZONE 'UTC') AS end_day_at
      FROM (
        SELECT ${from}::timestamptz AS f, ${to}::timestamptz AS t,
               (${from}::timestamptz AT TIME ZONE 'UTC')::date AS from_day,
               (${to}::timestamptz AT TIME ZONE 'UTC')::date AS end_day
      ) p
      CROSS JOIN LATERAL (
        SELECT CASE WHEN p.f = (p.from_day::timestamp AT TIME ZONE 'UTC') THEN p.from_day ELSE p.from_day + 1 END
          AS first_day
      ) x
    ), edges AS (
      SELECT e.day, e.lo, e.hi
      FROM bounds b
      CROSS JOIN LATERAL (VALUES
        (b.from_day, b.f, least(b.t, b.first_day_at)),
        (b.end_day, greatest(b.end_day_at, b.first_day_at), b.t)
      ) AS e(day, lo, hi)
      WHERE e.lo < e.hi
    )`
}

/**
 * Exact counts in the partial edge days, `(day, activity_id, n)`: for each edge, only the company's activities with
 * favourites that day (from the day rollup), each counted on `(activity_id, created_at)`.
 */
function partialDayCounts(companyId: string, activityId?: string): SQL {
  const days = activityFavoriteDays
  const favorites = userActivityFavorites
  const activityFilter = activityId ? sql`AND ${days.activityId} = ${activityId}::uuid` : sql``
  return sql`SELECT e.day, x.activity_id, (
        SELECT count(*) FROM ${favorites}
        WHERE ${favorites.activityId} = x.activity_id AND ${favorites.createdAt} >= e.lo
          AND ${favorites.createdAt} < e.hi
      ) AS n
      FROM edges e
      CROSS JOIN LATERAL (
        SELECT DISTINCT ${days.activityId} FROM ${days}
        WHERE ${days.companyId} = ${companyId} AND ${days.day} = e.day AND ${days.favorites} > 0 ${activityFilter}
      ) x`
}

/**
 * One page of a company's activities with their favourite counts, zero counts included.
 *
 * The company's activities come from `activities_company_id_idx`; totals and the newest favourite from the
 * per-activity totals, the period's count from the per-activity day rollup plus the exact partial edge days. The
 * sort key is an aggregate, so every page computes the company's counts and keeps `limit + 1` rows (the extra one
 * says whether there is a next page); the keyset `(key, id)` keeps deep pages as cheap as the first.
 */
export async function favoriteAnalyticsPage(
  db: Db,
  params: {
    companyId: string
    from: string
    to: string
    type?: ActivityTypeValue
    sort: AnalyticsSort
    order: SortOrder
    limit: number
    after?: AnalyticsPosition
  },
): Promise<{ items: FavoriteActivityAnalyticsItemDto[]; last?: AnalyticsPosition; hasMore: boolean }> {
  const key = SORT_KEYS[params.sort]
  const direction = sql.raw(params.order === 'asc' ? 'ASC' : 'DESC')
  const after = params.after
  const keyset = after
    ? params.order === 'asc'
      ? sql`WHERE (${key}, t.id) > (${cursorKey(params.sort, after.key)}, ${after.id}::uuid)`
      : sql`WHERE (${key}, t.id) < (${cursorKey(params.sort, after.key)}, ${after.id}::uuid)`
    : sql``
  const typeFilter = params.type ? sql`AND ${activities.type} = ${params.type}` : sql``
  const totals = activityFavoriteTotals
  const days = activityFavoriteDays
  const result = await db.execute<ItemRow>(sql`
    WITH ${periodBounds(params.from, params.to)},
    totals AS (
      SELECT ${totals.activityId}, sum(${totals.favorites})::int AS total,
             max(${totals.lastFavoritedAt}) AS last_at
      FROM ${totals}
      WHERE ${totals.companyId} = ${params.companyId}
      GROUP BY ${totals.activityId}
    ), whole_days AS (
      SELECT ${days.activityId}, sum(${days.favorites})::int AS n
      FROM ${days}, bounds b
      WHERE ${days.companyId} = ${params.companyId} AND ${days.day} >= b.first_day AND ${days.day} < b.end_day
      GROUP BY ${days.activityId}
    ), partial_days AS (
      ${partialDayCounts(params.companyId)}
    ), partial AS (
      SELECT activity_id, sum(n)::int AS n FROM partial_days GROUP BY activity_id
    )
    SELECT t.id, t.name, t.type, t.total, t.in_period,
           ${isoOf(sql`t.last_at`)} AS last_favorited_at,
           ${microsOf(sql`t.last_at`)} AS last_micros
    FROM (
      SELECT ${activities.id}, ${activities.name}, ${activities.type},
             coalesce(tot.total, 0) AS total,
             coalesce(w.n, 0) + coalesce(p.n, 0) AS in_period,
             tot.last_at
      FROM ${activities}
      LEFT JOIN totals tot ON tot.activity_id = ${activities.id}
      LEFT JOIN whole_days w ON w.activity_id = ${activities.id}
      LEFT JOIN partial p ON p.activity_id = ${activities.id}
      WHERE ${activities.companyId} = ${params.companyId} ${typeFilter}
    ) t
    ${keyset}
    ORDER BY ${key} ${direction}, t.id ${direction}
    LIMIT ${params.limit + 1}
  `)
  const rows = result.rows.slice(0, params.limit)
  const lastRow = rows.at(-1)
  return {
    items: rows.map((row) => ({
      activityId: row.id,
      activityName: row.name,
      activityType: row.type,
      totalFavorites: Number(row.total),
      favoritesInPeriod: Number(row.in_period),
      lastFavoritedAt: row.last_favorited_at,
    })),
    last: lastRow ? positionOf(params.sort, lastRow) : undefined,
    hasMore: result.rows.length > params.limit,
  }
}

const STEPS: Record<Interval, string> = { day: '1 day', week: '1 week', month: '1 month' }

/**
 * Favourites added per UTC bucket in `[from, to)`, every bucket present (zeros included, from `generate_series`),
 * for the whole company or one of its activities. Counts favourites that still exist: removing one deletes its row.
 * `found` is false when `activityId` is not one of the company's activities (or does not exist).
 */
export async function favoriteTimeseries(
  db: Db,
  params: { companyId: string; from: string; to: string; interval: Interval; activityId?: string },
): Promise<{ found: boolean; buckets: FavoriteTimeseriesBucketDto[] }> {
  const activityFilter = params.activityId ? sql`AND ${activities.id} = ${params.activityId}::uuid` : sql``
  // Whole days: the company's day rollup, or the activity's when the chart is for one activity.
  const days = params.activityId ? activityFavoriteDays : companyFavoriteDays
  const activityDays = params.activityId
    ? sql`AND ${activityFavoriteDays.activityId} = ${params.activityId}::uuid`
    : sql``
  const wholeDays = sql`SELECT ${days.day}, ${days.favorites} AS n FROM ${days}, bounds b
          WHERE ${days.companyId} = ${params.companyId} ${activityDays}
            AND ${days.day} >= b.first_day AND ${days.day} < b.end_day`
  const result = await db.execute<{ start: string; favorites: number; found: boolean }>(sql`
    WITH scope AS (
      SELECT ${activities.id} FROM ${activities}
      WHERE ${activities.companyId} = ${params.companyId} ${activityFilter}
    ), ${periodBounds(params.from, params.to)},
    partial_days AS (
      ${partialDayCounts(params.companyId, params.activityId)}
    ), counts AS (
      SELECT date_trunc(${params.interval}::text, u.day::timestamp) AS bucket, sum(u.n)::int AS favorites
      FROM (${wholeDays} UNION ALL SELECT day, n FROM partial_days) u
      GROUP BY 1
    )
    SELECT to_char(b.bucket, ${ISO_FORMAT}) AS start,
           coalesce(c.favorites, 0) AS favorites,
           EXISTS (SELECT 1 FROM scope) AS found
    FROM generate_series(
      date_trunc(${params.interval}::text, ${params.from}::timestamptz AT TIME ZONE 'UTC'),
      date_trunc(${params.interval}::text, (${params.to}::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC'),
      ${STEPS[params.interval]}::interval
    ) AS b(bucket)
    LEFT JOIN counts c ON c.bucket = b.bucket
    ORDER BY b.bucket
  `)
  const found = params.activityId === undefined || result.rows[0]?.found === true
  return {
    found,
    buckets: found ? result.rows.map((row) => ({ start: row.start, favorites: Number(row.favorites) })) : [],
  }
}
