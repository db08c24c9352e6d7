/**
 * The analytics table of a company's dashboard (a JSON page, or the CSV file). One statement (one database round
 * trip), scoped by `company_id`, selecting aggregates only: no `user_id` ever leaves the database here, and no time
 * finer than the asked zone's hour (`lastFavoritedAt` and its sort key are truncated in the database). It reads the
 * counts kept ready by the write statements (src/db/schema.ts), never the favourites (count-sums.ts).
 */
import { type SQL, sql } from 'drizzle-orm'
import type { AnalyticsSort, FavoriteActivityAnalyticsItemDto, SortOrder } from '../contracts/analytics'
import type { Db } from '../db/client'
import { type ActivityTypeValue, activities, activityFavoriteCounts } from '../db/schema'
import {
  type AnalyticsPosition,
  cursorKey,
  indexedPage,
  lastFavoritedHour,
  orderKeyword,
} from './analytics-indexed-pages'
import type { CountRange } from './count-ranges'
import { activityTables, rangeSums } from './count-sums'
import { microsOf } from './timestamps'

export type { AnalyticsPosition }

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

type PageParams = {
  companyId: string
  zone: string
  period: CountRange
  previous?: CountRange
  type?: ActivityTypeValue
  sort: AnalyticsSort
  order: SortOrder
  limit: number
  after?: AnalyticsPosition
}

/** Each activity's count in the period (and the previous one): one plain sum per activity without a comparison. */
const perKey = (params: PageParams) =>
  params.previous
    ? sql`sum(u.n) FILTER (WHERE u.k = 0)::int AS in_period, sum(u.n) FILTER (WHERE u.k = 1)::int AS in_previous`
    : sql`sum(u.n)::int AS in_period, NULL::int AS in_previous`

const rangesOf = (params: PageParams) =>
  params.previous ? [params.period, params.previous] : [params.period]

/** The page's rows first, from an index (`indexedPage`), then the period counted for those rows only. */
function pageFirstStatement(params: PageParams & { sort: Exclude<AnalyticsSort, 'inPeriod'> }): SQL {
  const key = SORT_KEYS[params.sort]
  const direction = orderKeyword(params.order)
  return sql`
    WITH page AS (${indexedPage(params)})
    SELECT t.id, t.name, t.type, t.total, p.in_period, p.in_previous, ${microsOf(sql`t.last_at`)} AS last_micros
    FROM page t
    CROSS JOIN LATERAL (
      SELECT ${perKey(params)} FROM (
        ${rangeSums(rangesOf(params), activityTables, sql`c.activity_id = t.id`)}
      ) u
    ) p
    ORDER BY ${key} ${direction}, t.id ${direction}`
}

/** The period counted for the whole company at once (one index-only pass over its count rows), then sorted. */
function wholeCompanyStatement(params: PageParams): SQL {
  const { sort, after } = params
  const key = SORT_KEYS[sort]
  const direction = orderKeyword(params.order)
  const counts = activityFavoriteCounts
  const keyset = after
    ? params.order === 'asc'
      ? sql`WHERE (${key}, t.id) > (${cursorKey(sort, after.key)}, ${after.id}::uuid)`
      : sql`WHERE (${key}, t.id) < (${cursorKey(sort, after.key)}, ${after.id}::uuid)`
    : sql``
  const typeFilter = params.type ? sql`AND ${activities.type} = ${params.type}` : sql``
  // The company's counts rows are its activities (every activity has one, 0005). Names and types are joined to
  // every row only where the sort or the filter needs them, else to the page's rows alone.
  // Stryker disable next-line ConditionalExpression: `true` is equivalent in result (the join on every row is only slower); `false`, which the type tests kill, is ignored with it
  const everyRow = sort === 'name' || params.type !== undefined
  const companyRows = sql`SELECT ${counts.activityId} AS id, ${counts.favorites} AS total,
        ${lastFavoritedHour(params.zone)} AS last_at, coalesce(p.in_period, 0) AS in_period, p.in_previous
        ${everyRow ? sql`, ${activities.name}, ${activities.type}` : sql``}
      FROM ${counts} ${everyRow ? sql`JOIN ${activities} ON ${activities.id} = ${counts.activityId}` : sql``}
      LEFT JOIN period_counts p ON p.activity_id = ${counts.activityId}
      WHERE ${counts.companyId} = ${params.companyId} ${typeFilter}`
  const everyActivityPage = sql`
      SELECT t.id, ${everyRow ? sql`t.name, t.type` : sql`a.name, a.type`}, t.total, t.in_period, t.in_previous,
             t.last_at, ${microsOf(sql`t.last_at`)} AS last_micros
      FROM (
        SELECT t.* FROM (${companyRows}) t
        ${keyset}
        ORDER BY ${key} ${direction}, t.id ${direction}
        LIMIT ${params.limit + 1}
      ) t
      ${everyRow ? sql`` : sql`JOIN ${activities} a ON a.id = t.id AND a.company_id = ${params.companyId}`}`
  const periodCountsAs = (materialized: SQL) => sql`period_counts AS ${materialized}(
        SELECT u.activity_id, ${perKey(params)} FROM (
          ${rangeSums(rangesOf(params), activityTables, sql`c.company_id = ${params.companyId}`, sql`, c.activity_id`)}
        ) u GROUP BY u.activity_id
      )`
  // Most favourited in the period first, of every type: when `limit + 1` activities have a count above zero, they
  // are the page, read from the period's counts alone (activities without one count zero and come after them);
  // only otherwise is every activity's row joined and sorted.
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: taking the fallback more often is equivalent in result; taking the top rows for another sort differs only with more than a CSV page (10,000) of activities favourited in the period, too big for a test (the line's type check is killable, by the type tests, and ignored with the rest)
  if (!(sort === 'inPeriod' && params.order === 'desc' && params.type === undefined)) {
    return sql`WITH ${periodCountsAs(sql``)} SELECT t.* FROM (${everyActivityPage}) t ORDER BY ${key} ${direction}, t.id ${direction}`
  }
  const topOfPeriod = sql`top AS (
        SELECT p.activity_id AS id, p.in_period, p.in_previous FROM period_counts p
        WHERE p.in_period > 0 ${
          after
            ? sql`AND (p.in_period, p.activity_id) < (${cursorKey(sort, after.key)}, ${after.id}::uuid)`
            : sql``
        }
        ORDER BY p.in_period DESC, p.activity_id DESC LIMIT ${
          // Stryker disable next-line ArithmeticOperator: equivalent in result, a shorter top only falls back to every row
          params.limit + 1
        })`
  const topPage = sql`
      SELECT t.id, ${activities.name}, ${activities.type}, ${counts.favorites} AS total, t.in_period, t.in_previous,
             ${lastFavoritedHour(params.zone)} AS last_at, ${microsOf(lastFavoritedHour(params.zone))} AS last_micros
      FROM top t JOIN ${counts} ON ${counts.activityId} = t.id JOIN ${activities} ON ${activities.id} = t.id`
  // Named twice below, the period's counts would be materialised (a tuplestore of every activity's counts, ~10% of
  // the statement at the largest company); inlined, the fallback branch recounts them only when it runs.
  return sql`
    WITH ${
      // Stryker disable next-line StringLiteral: equivalent in result, materialising is only slower
      periodCountsAs(sql`NOT MATERIALIZED `)
    }, ${topOfPeriod}
    SELECT t.* FROM (
      SELECT * FROM (${topPage}) p WHERE (SELECT count(*) FROM top) > ${params.limit}
      UNION ALL SELECT * FROM (${everyActivityPage}) p WHERE (SELECT count(*) FROM top) <= ${params.limit}
    ) t
    ORDER BY ${key} ${direction}, t.id ${direction}`
}

/**
 * One page of a company's activities with their favourite counts, zero counts included.
 *
 * Shaped by what it returns. Sorted by the total, the name or the last favourite, a JSON page takes its rows first,
 * in order from an index (`indexedPage`), then counts the period (and the previous one) for those rows only.
 * Sorted by the period's count, or as a whole CSV file, it counts the period for the whole company at once (one
 * index-only pass over its count rows of the period), then sorts. The keyset `(key, id)` keeps deep pages as cheap
 * as the first.
 */
export async function favoriteAnalyticsPage(
  db: Db,
  params: PageParams,
): Promise<{ rows: AnalyticsRow[]; last?: AnalyticsPosition; hasMore: boolean }> {
  const sort = params.sort
  const statement =
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent in result, both statements answer the same rows; which is faster is measured by the benchmark
    sort !== 'inPeriod' && params.limit <= 100
      ? pageFirstStatement({ ...params, sort })
      : wholeCompanyStatement(params)
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
