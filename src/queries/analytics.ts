/**
 * Analytics queries for a company's dashboard. Each function is one statement (one database round trip), scoped
 * by `company_id`, and selects aggregates only: no `user_id` ever leaves the database here.
 */
import { type SQL, sql } from 'drizzle-orm'
import type {
  AnalyticsSort,
  FavoriteActivityAnalyticsItemDto,
  FavoriteTimeseriesBucketDto,
  Interval,
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
 * One page of a company's activities with their favourite counts, zero counts included.
 *
 * The company's activities come from `activities_company_id_idx`; each one's counts from a `LATERAL` aggregate over
 * `user_activity_favorites_activity_id_idx` (index-only with a covering `(activity_id, created_at)` index), so the
 * cost is proportional to the company's favourites, never to the whole table. The sort key is an aggregate, so
 * every page computes the company's counts and keeps `limit + 1` rows (the extra one says whether there is a next
 * page); the keyset `(key, id)` keeps deep pages as cheap as the first.
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
    SELECT t.id, t.name, t.type, t.total, t.in_period,
           to_char(t.last_at AT TIME ZONE 'UTC', ${sql.raw(ISO_FORMAT)}) AS last_favorited_at,
           (extract(epoch FROM t.last_at) * 1000000)::bigint::text AS last_micros
    FROM (
      SELECT a.id, a.name, a.type, s.total, s.in_period, s.last_at
      FROM activities.activities a
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS total,
               (count(*) FILTER (
                 WHERE f.created_at >= ${params.from}::timestamptz AND f.created_at < ${params.to}::timestamptz
               ))::int AS in_period,
               max(f.created_at) AS last_at
        FROM activities.user_activity_favorites f
        WHERE f.activity_id = a.id
      ) s
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
  const result = await db.execute<{ start: string; favorites: number; found: boolean }>(sql`
    WITH scope AS (
      SELECT a.id FROM activities.activities a
      WHERE a.company_id = ${params.companyId} ${activityFilter}
    ), counts AS (
      SELECT date_trunc(${params.interval}::text, f.created_at AT TIME ZONE 'UTC') AS bucket, count(*)::int AS favorites
      FROM scope
      JOIN activities.user_activity_favorites f ON f.activity_id = scope.id
      WHERE f.created_at >= ${params.from}::timestamptz AND f.created_at < ${params.to}::timestamptz
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
