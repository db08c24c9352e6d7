/**
 * Analytics queries for a company's dashboard. Each function is one statement (one database round trip), scoped
 * by `company_id`, and selects aggregates only: no `user_id` ever leaves the database here, and no time finer than
 * the asked zone's hour (`lastFavoritedAt` and its sort key are truncated in the database).
 *
 * They read the counts kept ready by the write statements (src/db/schema.ts, drizzle/0004_favorite_counts.sql),
 * never the favourites: a period is a signed sum of whole UTC years, months, days and quarter-hours
 * (count-ranges.ts).
 */
import { type SQL, sql } from 'drizzle-orm'
import type { AnalyticsSort, FavoriteActivityAnalyticsItemDto, SortOrder } from '../contracts/analytics'
import type { Db } from '../db/client'
import {
  type ActivityTypeValue,
  activities,
  activityFavoriteCounts,
  activityFavoriteDayCounts,
  activityFavoriteMonthCounts,
  activityFavoriteSlotCounts,
  activityFavoriteYearCounts,
  companyFavoriteDayCounts,
  companyFavoriteSlotCounts,
} from '../db/schema'
import { type CountRange, GRAINS, type Grain, rangeTerms, termsTable } from './count-ranges'
import { fromMicros, microsOf } from './timestamps'

/** Keyset position after the last row of a page: its sort key and id. */
export type AnalyticsPosition = {
  /** `total`/`inPeriod`: the count; `lastFavorited`: the hour's microseconds since the epoch as text, or null; `name`. */
  key: number | string | null
  id: string
}

/** A table row before formatting: `lastFavoritedHour` is the start of the zone's hour, in ms, or null. */
export type AnalyticsRow = Omit<
  FavoriteActivityAnalyticsItemDto,
  'lastFavoritedAt' | 'favoritesInPreviousPeriod'
> & {
  lastFavoritedHour: number | null
  favoritesInPreviousPeriod?: number
}

type ItemRow = {
  id: string
  name: string
  type: ActivityTypeValue
  total: number
  in_period: number | null
  in_previous: number | null
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
      ? Number(row.total)
      : sort === 'inPeriod'
        ? Number(row.in_period ?? 0)
        : sort === 'name'
          ? row.name
          : row.last_micros
  return { key, id: row.id }
}

/** The kept-ready counts of one scope, per grain: an activity's (every grain) or a company's (days, quarter-hours). */
type CountTables = {
  years?: typeof activityFavoriteYearCounts
  months?: typeof activityFavoriteMonthCounts
  days: typeof activityFavoriteDayCounts | typeof companyFavoriteDayCounts
  slots: typeof activityFavoriteSlotCounts | typeof companyFavoriteSlotCounts
}

/** Each grain's key column in its table. */
const GRAIN_COLUMNS: Record<Grain, string> = { years: 'year', months: 'month', days: 'day', slots: 'slot' }

/**
 * Per-key signed counts `(k, n)` over the kept-ready counts for `ranges` (keys: their indexes), summed by the
 * caller: year, month, day and quarter-hour rows as count-ranges.ts splits each range. `scope` picks the rows (a
 * company's, or one activity's), `extra` adds columns.
 */
function rangeSums(
  ranges: readonly CountRange[],
  tables: CountTables,
  scope: (table: 'c') => SQL,
  extra: (table: 'c') => SQL = () => sql``,
): SQL {
  const grains = GRAINS.filter((grain) => tables[grain] !== undefined)
  const terms = rangeTerms(ranges, grains, Date.now())
  // Each term is its own index range scan (LATERAL, `OFFSET 0` keeping the planner from flattening it): as a plain
  // join, the planner can instead read all of a company's quarter-hours and filter them against every range, which
  // measured 450-530 ms at 10M for a Kathmandu month by day (30 ranges, none on a UTC day) instead of a few ms.
  const grainSums = grains
    .filter((grain) => terms[grain].length > 0)
    .map((grain) => {
      const column = sql.raw(`c.${GRAIN_COLUMNS[grain]}`)
      return sql`SELECT r.k, r.sign * c.n AS n ${extra('c')} FROM ${termsTable(terms[grain], grain)} r
        CROSS JOIN LATERAL (
          SELECT c.favorites AS n ${extra('c')} FROM ${tables[grain]} c
          WHERE ${scope('c')} AND ${column} >= r.lo AND ${column} < r.hi OFFSET 0) c`
    })
  // Every range is at least a quarter-hour long, so there is at least one term.
  return sql.join(grainSums, sql` UNION ALL `)
}

/** The start of the zone's hour of an activity's newest favourite: never finer (the privacy floor). */
const lastFavoritedHour = (zone: string) =>
  sql`date_trunc('hour', ${activityFavoriteCounts.lastFavoritedAt}, ${zone}::text)`

/**
 * The page's rows read in sort order from an index, for the sorts that have one: `total` from the company's counts
 * in `(company_id, favorites, activity_id)` order (every activity has its counts row), `name` from the company's
 * activities in `(company_id, name, id)` order. The same rows and order as sorting all of the company's rows,
 * `limit + 1` of them. `lastFavorited` reads the company's counts in newest-favourite order (`lastFavoritedPage`).
 */
function indexedPage(params: {
  companyId: string
  zone: string
  type?: ActivityTypeValue
  sort: Exclude<AnalyticsSort, 'inPeriod'>
  order: SortOrder
  limit: number
  after?: AnalyticsPosition
}): SQL {
  const counts = activityFavoriteCounts
  const direction = sql.raw(params.order === 'asc' ? 'ASC' : 'DESC')
  const after = params.after
  const past = sql.raw(params.order === 'asc' ? '>' : '<')
  const typeFilter = params.type ? sql`AND ${activities.type} = ${params.type}` : sql``
  const lastAt = lastFavoritedHour(params.zone)
  if (params.sort === 'total') {
    const keyset = after
      ? sql`AND (${counts.favorites}, ${counts.activityId}) ${past} (${cursorKey('total', after.key)}, ${after.id}::uuid)`
      : sql``
    return sql`
      SELECT ${activities.id}, ${activities.name}, ${activities.type}, ${counts.favorites} AS total, ${lastAt} AS last_at
      FROM ${counts} JOIN ${activities} ON ${activities.id} = ${counts.activityId}
      WHERE ${counts.companyId} = ${params.companyId} ${typeFilter} ${keyset}
      ORDER BY ${counts.favorites} ${direction}, ${counts.activityId} ${direction}
      LIMIT ${params.limit + 1}`
  }
  if (params.sort === 'name') {
    const keyset = after
      ? sql`AND (${activities.name}, ${activities.id}) ${past} (${cursorKey('name', after.key)}, ${after.id}::uuid)`
      : sql``
    return sql`
      SELECT ${activities.id}, ${activities.name}, ${activities.type}, coalesce(${counts.favorites}, 0) AS total,
             ${lastAt} AS last_at
      FROM ${activities} LEFT JOIN ${counts} ON ${counts.activityId} = ${activities.id}
      WHERE ${activities.companyId} = ${params.companyId} ${typeFilter} ${keyset}
      ORDER BY ${activities.name} ${direction}, ${activities.id} ${direction}
      LIMIT ${params.limit + 1}`
  }
  return lastFavoritedPage({ ...params, lastAt })
}

/** An activity's newest favourite as its sort instant (never-favourited: the oldest), as indexed (0007). */
const lastInstant = sql`coalesce(${activityFavoriteCounts.lastFavoritedAt}, '-infinity'::timestamptz)`

/**
 * `lastFavorited`'s page from the company's counts in `(company_id, newest favourite)` order. The key is the hour in
 * the asked zone, which never decreases as the instant grows, but ties within an hour go by id, not by instant. So
 * the `limit + 1`-th row in instant order gives the last hour the page can reach (`edge`), and the page is sorted
 * from the rows up to that hour only: `limit + 1` plus the others of that hour, not the company's 10k.
 */
function lastFavoritedPage(params: {
  companyId: string
  zone: string
  type?: ActivityTypeValue
  order: SortOrder
  limit: number
  after?: AnalyticsPosition
  lastAt: SQL
}): SQL {
  const counts = activityFavoriteCounts
  const asc = params.order === 'asc'
  const direction = sql.raw(asc ? 'ASC' : 'DESC')
  const hour = sql`date_trunc('hour', ${lastInstant}, ${params.zone}::text)`
  const typeFilter = params.type ? sql`AND ${activities.type} = ${params.type}` : sql``
  const after = params.after
  // Past the cursor's hour `k` (a zone's hour is at most 2 h long): the index range first, then the exact keyset.
  const keyset = after
    ? asc
      ? sql`AND ${lastInstant} >= ${cursorKey('lastFavorited', after.key)}
          AND (${hour}, ${counts.activityId}) > (${cursorKey('lastFavorited', after.key)}, ${after.id}::uuid)`
      : sql`AND ${lastInstant} <= ${cursorKey('lastFavorited', after.key)} + interval '2 hours'
          AND (${hour}, ${counts.activityId}) < (${cursorKey('lastFavorited', after.key)}, ${after.id}::uuid)`
    : sql``
  const rows = sql`FROM ${counts} JOIN ${activities} ON ${activities.id} = ${counts.activityId}
      WHERE ${counts.companyId} = ${params.companyId} ${typeFilter} ${keyset}`
  // No such row (the rest fits in the page): every remaining row.
  const edge = sql`coalesce((SELECT ${hour} ${rows} ORDER BY ${lastInstant} ${direction}
      LIMIT 1 OFFSET ${params.limit}), ${asc ? sql`'infinity'` : sql`'-infinity'`}::timestamptz)`
  // The bound that is always true makes the edge's a range condition, which the planner estimates at a few rows
  // (an open-ended one at a third of the company, and would then hash-join all activities).
  const upToEdge = asc
    ? sql`AND ${lastInstant} >= '-infinity'::timestamptz AND ${lastInstant} <= ${edge} + interval '2 hours'
        AND ${hour} <= ${edge}`
    : sql`AND ${lastInstant} >= ${edge} AND ${lastInstant} <= 'infinity'::timestamptz`
  return sql`
    SELECT ${activities.id}, ${activities.name}, ${activities.type}, ${counts.favorites} AS total,
           ${params.lastAt} AS last_at
    ${rows} ${upToEdge}
    ORDER BY ${hour} ${direction}, ${counts.activityId} ${direction}
    LIMIT ${params.limit + 1}`
}

const activityTables = {
  years: activityFavoriteYearCounts,
  months: activityFavoriteMonthCounts,
  days: activityFavoriteDayCounts,
  slots: activityFavoriteSlotCounts,
}
const companyTables = { days: companyFavoriteDayCounts, slots: companyFavoriteSlotCounts }

/**
 * One page of a company's activities with their favourite counts, zero counts included.
 *
 * Shaped by what it returns. Sorted by the total, the name or the last favourite, a JSON page takes its rows first
 * (for the total and the name, read in order from an index: `indexedPage`), then counts the period (and the
 * previous one) for those rows only. Sorted by the period's count, or as a whole CSV file, it counts the period for the whole company at
 * once (one pass over its day and quarter-hour rows in the period), then sorts. The keyset `(key, id)` keeps deep
 * pages as cheap as the first.
 */
export async function favoriteAnalyticsPage(
  db: Db,
  params: {
    companyId: string
    zone: string
    period: CountRange
    previous?: CountRange
    type?: ActivityTypeValue
    sort: AnalyticsSort
    order: SortOrder
    limit: number
    after?: AnalyticsPosition
  },
): Promise<{ rows: AnalyticsRow[]; last?: AnalyticsPosition; hasMore: boolean }> {
  const key = SORT_KEYS[params.sort]
  const direction = sql.raw(params.order === 'asc' ? 'ASC' : 'DESC')
  const after = params.after
  const keyset = after
    ? params.order === 'asc'
      ? sql`WHERE (${key}, t.id) > (${cursorKey(params.sort, after.key)}, ${after.id}::uuid)`
      : sql`WHERE (${key}, t.id) < (${cursorKey(params.sort, after.key)}, ${after.id}::uuid)`
    : sql``
  const typeFilter = params.type ? sql`AND ${activities.type} = ${params.type}` : sql``
  const ranges = params.previous ? [params.period, params.previous] : [params.period]
  const counts = activityFavoriteCounts
  const perKey = sql`sum(u.n) FILTER (WHERE u.k = 0)::int AS in_period,
      sum(u.n) FILTER (WHERE u.k = 1)::int AS in_previous`
  const sort = params.sort
  const topFirst = sort !== 'inPeriod' && params.limit <= 100
  // The company's counts rows are its activities (every activity has one, 0005). Names and types are joined to
  // every row only where the sort or the filter needs them, else to the page's rows alone.
  const everyRow = sort === 'name' || params.type !== undefined
  const companyRows = sql`SELECT ${counts.activityId} AS id, ${counts.favorites} AS total,
        ${lastFavoritedHour(params.zone)} AS last_at, coalesce(p.in_period, 0) AS in_period, p.in_previous
        ${everyRow ? sql`, ${activities.name}, ${activities.type}` : sql``}
      FROM ${counts} ${everyRow ? sql`JOIN ${activities} ON ${activities.id} = ${counts.activityId}` : sql``}
      LEFT JOIN period_counts p ON p.activity_id = ${counts.activityId}
      WHERE ${counts.companyId} = ${params.companyId} ${typeFilter}`

  const statement = topFirst
    ? sql`
      WITH page AS (${indexedPage({ ...params, sort })})
      SELECT t.id, t.name, t.type, t.total, p.in_period, p.in_previous, ${microsOf(sql`t.last_at`)} AS last_micros
      FROM page t
      CROSS JOIN LATERAL (
        SELECT ${perKey} FROM (
          ${rangeSums(ranges, activityTables, (x) => sql`${sql.raw(x)}.activity_id = t.id`)}
        ) u
      ) p
      ORDER BY ${key} ${direction}, t.id ${direction}`
    : sql`
      WITH period_counts AS (
        SELECT u.activity_id, ${perKey} FROM (
          ${rangeSums(
            ranges,
            activityTables,
            (x) => sql`${sql.raw(x)}.company_id = ${params.companyId}`,
            (x) => sql`, ${sql.raw(x)}.activity_id`,
          )}
        ) u GROUP BY u.activity_id
      )
      SELECT t.id, ${everyRow ? sql`t.name, t.type` : sql`a.name, a.type`}, t.total, t.in_period, t.in_previous,
             ${microsOf(sql`t.last_at`)} AS last_micros
      FROM (
        SELECT t.* FROM (${companyRows}) t
        ${keyset}
        ORDER BY ${key} ${direction}, t.id ${direction}
        LIMIT ${params.limit + 1}
      ) t
      ${everyRow ? sql`` : sql`JOIN ${activities} a ON a.id = t.id AND a.company_id = ${params.companyId}`}
      ORDER BY ${key} ${direction}, t.id ${direction}`

  const result = await db.execute<ItemRow>(statement)
  const rows = result.rows.slice(0, params.limit)
  const lastRow = rows.at(-1)
  return {
    rows: rows.map((row) => ({
      activityId: row.id,
      activityName: row.name,
      activityType: row.type,
      totalFavorites: Number(row.total),
      favoritesInPeriod: Number(row.in_period ?? 0),
      ...(params.previous ? { favoritesInPreviousPeriod: Number(row.in_previous ?? 0) } : {}),
      lastFavoritedHour: row.last_micros === null ? null : Number(BigInt(row.last_micros) / 1000n),
    })),
    last: lastRow ? positionOf(params.sort, lastRow) : undefined,
    hasMore: result.rows.length > params.limit,
  }
}

/**
 * Favourites added in each of `buckets` (and, when given, each of `previousBuckets`) that still exist, for the
 * whole company, one of its activities, or its activities of one type. Returns one count per bucket, in order
 * (zeros included). `found` is false when `activityId` is not one of the company's activities (or does not exist).
 *
 * The whole company reads its own day and quarter-hour rows; one activity reads that activity's; a type filter
 * reads the company's per-activity rows of that type.
 */
export async function favoriteTimeseries(
  db: Db,
  params: {
    companyId: string
    buckets: readonly CountRange[]
    previousBuckets?: readonly CountRange[]
    activityId?: string
    type?: ActivityTypeValue
  },
): Promise<{ found: boolean; counts: number[]; previousCounts?: number[] }> {
  const ranges = [...params.buckets, ...(params.previousBuckets ?? [])]
  const { activityId, type, companyId } = params
  const sums =
    activityId !== undefined
      ? rangeSums(
          ranges,
          activityTables,
          (x) =>
            sql`${sql.raw(x)}.activity_id = ${activityId}::uuid ${
              // One activity of another type than asked counts nothing.
              type !== undefined
                ? sql`AND EXISTS (SELECT 1 FROM ${activities}
                  WHERE ${activities.id} = ${activityId}::uuid AND ${activities.type} = ${type})`
                : sql``
            }`,
        )
      : type !== undefined
        ? rangeSums(
            ranges,
            activityTables,
            (x) => sql`${sql.raw(x)}.company_id = ${companyId} AND ${sql.raw(x)}.activity_id IN (
              SELECT ${activities.id} FROM ${activities}
              WHERE ${activities.companyId} = ${companyId} AND ${activities.type} = ${type})`,
          )
        : rangeSums(ranges, companyTables, (x) => sql`${sql.raw(x)}.company_id = ${companyId}`)
  // Whether `activityId` is one of the company's: one extra row (k NULL), so the 404 costs no second round trip.
  const result = await db.execute<{ k: number | null; n: number; found: boolean | null }>(sql`
    SELECT u.k, sum(u.n)::int AS n, NULL::boolean AS found
    FROM (${sums}) u
    GROUP BY u.k
    UNION ALL
    SELECT NULL, 0, ${
      activityId === undefined
        ? sql`true`
        : sql`EXISTS (SELECT 1 FROM ${activities}
            WHERE ${activities.companyId} = ${companyId} AND ${activities.id} = ${activityId}::uuid)`
    }`)
  const found = activityId === undefined || result.rows.some((row) => row.found === true)
  const all = new Array<number>(ranges.length).fill(0)
  for (const row of result.rows) if (row.k !== null) all[Number(row.k)] = Number(row.n)
  const current = all.slice(0, params.buckets.length)
  return found
    ? {
        found,
        counts: current,
        ...(params.previousBuckets ? { previousCounts: all.slice(params.buckets.length) } : {}),
      }
    : { found, counts: [] }
}
