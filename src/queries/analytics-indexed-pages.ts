/**
 * The analytics table's pages that read their rows in sort order from an index (by total, name or last favourite),
 * `limit + 1` of them, before their period is counted. Scoped by `company_id`; no time finer than the zone's hour.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { AnalyticsSort, SortOrder } from '../contracts/analytics'
import { type ActivityTypeValue, activities, activityFavoriteCounts } from '../db/schema'
import { fromMicros } from './timestamps'

/** A sort order as its SQL keyword. */
export const orderKeyword = (order: SortOrder): SQL =>
  order === 'desc'
    ? sql.raw('DESC')
    : // Stryker disable next-line StringLiteral: equivalent, ASC is SQL's default order
      sql.raw('ASC')

/** Keyset position after the last row of a page: its sort key and id. */
export type AnalyticsPosition = {
  /** `total`/`inPeriod`: the count; `lastFavorited`: the hour's microseconds since the epoch as text, or null; `name`. */
  key: number | string | null
  id: string
}

export function cursorKey(sort: AnalyticsSort, key: AnalyticsPosition['key']): SQL {
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

/** The start of the zone's hour of an activity's newest favourite: never finer (the privacy floor). */
export const lastFavoritedHour = (zone: string) =>
  sql`date_trunc('hour', ${activityFavoriteCounts.lastFavoritedAt}, ${zone}::text)`

/**
 * The page's rows read in sort order from an index, for the sorts that have one: `total` from the company's counts
 * in `(company_id, favorites, activity_id)` order (every activity has its counts row), `name` from the company's
 * activities in `(company_id, name, id)` order. The same rows and order as sorting all of the company's rows,
 * `limit + 1` of them. `lastFavorited` reads the company's counts in newest-favourite order (`lastFavoritedPage`).
 */
export function indexedPage(params: {
  companyId: string
  zone: string
  type?: ActivityTypeValue
  sort: Exclude<AnalyticsSort, 'inPeriod'>
  order: SortOrder
  limit: number
  after?: AnalyticsPosition
}): SQL {
  const counts = activityFavoriteCounts
  const direction = orderKeyword(params.order)
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
  const direction = orderKeyword(params.order)
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
    ? // Stryker disable next-line StringLiteral: equivalent in result, the edge only stops the scan early; ORDER BY and LIMIT pick the same rows
      sql`AND ${lastInstant} >= '-infinity'::timestamptz AND ${lastInstant} <= ${edge} + interval '2 hours'
        AND ${hour} <= ${edge}`
    : // Stryker disable next-line StringLiteral: equivalent in result, as above
      sql`AND ${lastInstant} >= ${edge} AND ${lastInstant} <= 'infinity'::timestamptz`
  return sql`
    SELECT ${activities.id}, ${activities.name}, ${activities.type}, ${counts.favorites} AS total,
           ${params.lastAt} AS last_at
    ${rows} ${upToEdge}
    ORDER BY ${hour} ${direction}, ${counts.activityId} ${direction}
    LIMIT ${params.limit + 1}`
}
