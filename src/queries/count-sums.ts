/**
 * A period's counts as SQL: the signed terms of count-ranges.ts read from the kept-ready count tables of one scope,
 * each term its own index range scan. Shared by the analytics table and timeseries.
 */
import { type SQL, sql } from 'drizzle-orm'
import {
  activityFavoriteDayCounts,
  activityFavoriteMonthCounts,
  activityFavoriteSlotCounts,
  activityFavoriteYearCounts,
  companyFavoriteDayCounts,
  companyFavoriteSlotCounts,
} from '../db/schema'
import { type CountRange, GRAINS, type Grain, rangeTerms, termsTable } from './count-ranges'

/** The kept-ready counts of one scope, per grain: an activity's (every grain) or a company's (days, quarter-hours). */
export type CountTables = {
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
 * company's, or one activity's) of the count table `c`; `extra` adds columns of `c` (`, c.activity_id`).
 */
export function rangeSums(
  ranges: readonly CountRange[],
  tables: CountTables,
  scope: SQL,
  extra: SQL = sql``,
): SQL {
  const grains = GRAINS.filter((grain) => tables[grain] !== undefined)
  const terms = rangeTerms(ranges, grains, Date.now())
  // Each term is its own index range scan (LATERAL, `OFFSET 0` keeping the planner from flattening it): as a plain
  // join, the planner can instead read all of a company's quarter-hours and filter them against every range, which
  // measured 450-530 ms at 10M for a Kathmandu month by day (30 ranges, none on a UTC day) instead of a few ms.
  // Stryker disable next-line MethodExpression,EqualityOperator,ConditionalExpression: equivalent in result, a grain without terms only adds a scan of no ranges
  const grainsWithTerms = grains.filter((grain) => terms[grain].length > 0)
  const grainSums = grainsWithTerms.map((grain) => {
    const column = sql.raw(`c.${GRAIN_COLUMNS[grain]}`)
    return sql`SELECT r.k, r.sign * c.n AS n ${extra} FROM ${termsTable(terms[grain], grain)} r
        CROSS JOIN LATERAL (
          SELECT c.favorites AS n ${extra} FROM ${tables[grain]} c
          WHERE ${scope} AND ${column} >= r.lo AND ${column} < r.hi OFFSET 0) c`
  })
  // Every range is at least a quarter-hour long, so there is at least one term.
  return sql.join(grainSums, sql` UNION ALL `)
}

export const activityTables = {
  years: activityFavoriteYearCounts,
  months: activityFavoriteMonthCounts,
  days: activityFavoriteDayCounts,
  slots: activityFavoriteSlotCounts,
}
export const companyTables = { days: companyFavoriteDayCounts, slots: companyFavoriteSlotCounts }
