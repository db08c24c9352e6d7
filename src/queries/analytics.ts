/**
 * Analytics queries for a company's dashboard. Each function is one statement (one database round trip), scoped
 * by `company_id`, and selects aggregates only: no `user_id` ever leaves the database here.
 *
 * They read the rollups kept in step by triggers (drizzle/0002_analytics_rollups.sql), not the favourites
 * themselves: per-activity totals, per-activity and per-company counts per UTC day, each split over a few shard
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
import type { ActivityTypeValue } from '../db/schema'

const ISO_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`

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
      // Integer microseconds times an interval is exact, unlike `to_timestamp(double)`.
      return key === null
        ? sql`'-infinity'::timestamptz`
        : sql`(timestamptz 'epoch' + interval '1 microsecond' * ${key}::bigint)`
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
  const activityFilter = activityId ? sql`AND d.activity_id = ${activityId}::uuid` : sql``
  return sql`SELECT e.day, x.activity_id, (
        SELECT count(*) FROM activities.user_activity_favorites f
        WHERE f.activity_id = x.activity_id AND f.created_at >= e.lo AND f.created_at < e.hi
      ) AS n
      FROM edges e
      CROSS JOIN LATERAL (
        SELECT DISTINCT d.activity_id FROM activities.activity_favorite_days d
        WHERE d.company_id = ${companyId} AND d.day = e.day AND d.favorites > 0 ${activityFilter}
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
  const typeFilter = params.type ? sql`AND a.type = ${params.type}` : sql``
  const result = await db.execute<ItemRow>(sql`
    WITH ${periodBounds(params.from, params.to)},
    totals AS (
      SELECT activity_id, sum(favorites)::int AS total, max(last_favorited_at) AS last_at
      FROM activities.activity_favorite_totals
      WHERE company_id = ${params.companyId}
      GROUP BY activity_id
    ), whole_days AS (
      SELECT d.activity_id, sum(d.favorites)::int AS n
      FROM activities.activity_favorite_days d, bounds b
      WHERE d.company_id = ${params.companyId} AND d.day >= b.first_day AND d.day < b.end_day
      GROUP BY d.activity_id
    ), partial_days AS (
      ${partialDayCounts(params.companyId)}
    ), partial AS (
      SELECT activity_id, sum(n)::int AS n FROM partial_days GROUP BY activity_id
    )
    SELECT t.id, t.name, t.type, t.total, t.in_period,
           to_char(t.last_at AT TIME ZONE 'UTC', ${sql.raw(ISO_FORMAT)}) AS last_favorited_at,
           (extract(epoch FROM t.last_at) * 1000000)::bigint::text AS last_micros
    FROM (
      SELECT a.id, a.name, a.type,
             coalesce(tot.total, 0) AS total,
             coalesce(w.n, 0) + coalesce(p.n, 0) AS in_period,
             tot.last_at
      FROM activities.activities a
      LEFT JOIN totals tot ON tot.activity_id = a.id
      LEFT JOIN whole_days w ON w.activity_id = a.id
      LEFT JOIN partial p ON p.activity_id = a.id
      WHERE a.company_id = ${params.companyId} ${typeFilter}
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
  const activityFilter = params.activityId ? sql`AND a.id = ${params.activityId}::uuid` : sql``
  // Whole days: the company's day rollup, or the activity's when the chart is for one activity.
  const wholeDays = params.activityId
    ? sql`SELECT d.day, d.favorites AS n FROM activities.activity_favorite_days d, bounds b
          WHERE d.activity_id = ${params.activityId}::uuid AND d.company_id = ${params.companyId}
            AND d.day >= b.first_day AND d.day < b.end_day`
    : sql`SELECT d.day, d.favorites AS n FROM activities.company_favorite_days d, bounds b
          WHERE d.company_id = ${params.companyId} AND d.day >= b.first_day AND d.day < b.end_day`
  const result = await db.execute<{ start: string; favorites: number; found: boolean }>(sql`
    WITH scope AS (
      SELECT a.id FROM activities.activities a
      WHERE a.company_id = ${params.companyId} ${activityFilter}
    ), ${periodBounds(params.from, params.to)},
    partial_days AS (
      ${partialDayCounts(params.companyId, params.activityId)}
    ), counts AS (
      SELECT date_trunc(${params.interval}::text, u.day::timestamp) AS bucket, sum(u.n)::int AS favorites
      FROM (${wholeDays} UNION ALL SELECT day, n FROM partial_days) u
      GROUP BY 1
    )
    SELECT to_char(b.bucket, ${sql.raw(ISO_FORMAT)}) AS start,
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
