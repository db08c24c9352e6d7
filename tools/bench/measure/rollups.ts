import { BULK_SESSIONS, withClient } from '../postgres'
import type { RollupCheck } from '../results'

/*
 * The favourites recounted per key of each trigger-kept count table of drizzle/0004_favorite_counts.sql (and the months and years
 * of 0008). Years, months, days and quarter-hours are computed here from the UTC wall time (not with the migration's own expressions), and a kept
 * row at zero (a decrement leaves it) counts as no row. A table's company_id is a copy of its activity's: a row
 * filed under another company counts as a mismatch too.
 */
const FAVORITES = `activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id`
const DAY = `(f.created_at AT TIME ZONE 'UTC')::date`
const MONTH = `date_trunc('month', f.created_at AT TIME ZONE 'UTC')::date`
const YEAR = `date_trunc('year', f.created_at AT TIME ZONE 'UTC')::date`
const SLOT = `((date_trunc('hour', f.created_at AT TIME ZONE 'UTC')
  + floor(date_part('minute', f.created_at AT TIME ZONE 'UTC') / 15) * interval '15 minutes') AT TIME ZONE 'UTC')`

/** Keys of `table` (columns `keys`, `favorites`) whose count differs from the recount `actual` (`keys`, `n`). */
const mismatches = (actual: string, table: string, keys: string[]) => `
  WITH actual AS (${actual}),
  kept AS (SELECT ${keys.join(', ')}, sum(favorites) AS n FROM activities.${table} GROUP BY ${keys.join(', ')})
  SELECT count(*) AS n FROM actual FULL JOIN kept USING (${keys.join(', ')})
  WHERE coalesce(actual.n, 0) <> coalesce(kept.n, 0)`

/** The count fields of a RollupCheck, each with the query that counts its mismatched keys. */
const CHECKS = {
  // Totals and the newest favourite, under the activity's company.
  activityMismatches: `
    WITH actual AS (
      SELECT f.activity_id, a.company_id, count(*) AS total, max(f.created_at) AS last_at FROM ${FAVORITES}
      GROUP BY 1, 2
    ), kept AS (
      SELECT activity_id, company_id, favorites AS total, last_favorited_at AS last_at
      FROM activities.activity_favorite_counts
    )
    SELECT count(*) AS n FROM actual FULL JOIN kept USING (activity_id)
    WHERE coalesce(actual.total, 0) <> coalesce(kept.total, 0)
       OR (coalesce(actual.total, 0) > 0
           AND (actual.last_at IS DISTINCT FROM kept.last_at OR actual.company_id IS DISTINCT FROM kept.company_id))`,
  activityMonthMismatches: mismatches(
    `SELECT f.activity_id, a.company_id, ${MONTH} AS month, count(*) AS n FROM ${FAVORITES} GROUP BY 1, 2, 3`,
    'activity_favorite_month_counts',
    ['activity_id', 'company_id', 'month'],
  ),
  activityYearMismatches: mismatches(
    `SELECT f.activity_id, a.company_id, ${YEAR} AS year, count(*) AS n FROM ${FAVORITES} GROUP BY 1, 2, 3`,
    'activity_favorite_year_counts',
    ['activity_id', 'company_id', 'year'],
  ),
  activityDayMismatches: mismatches(
    `SELECT f.activity_id, a.company_id, ${DAY} AS day, count(*) AS n FROM ${FAVORITES} GROUP BY 1, 2, 3`,
    'activity_favorite_day_counts',
    ['activity_id', 'company_id', 'day'],
  ),
  activitySlotMismatches: mismatches(
    `SELECT f.activity_id, a.company_id, ${SLOT} AS slot, count(*) AS n FROM ${FAVORITES} GROUP BY 1, 2, 3`,
    'activity_favorite_slot_counts',
    ['activity_id', 'company_id', 'slot'],
  ),
  companyDayMismatches: mismatches(
    `SELECT a.company_id, ${DAY} AS day, count(*) AS n FROM ${FAVORITES} GROUP BY 1, 2`,
    'company_favorite_day_counts',
    ['company_id', 'day'],
  ),
  companySlotMismatches: mismatches(
    `SELECT a.company_id, ${SLOT} AS slot, count(*) AS n FROM ${FAVORITES} GROUP BY 1, 2`,
    'company_favorite_slot_counts',
    ['company_id', 'slot'],
  ),
} satisfies Record<keyof RollupMismatches, string>

type RollupMismatches = Omit<Required<RollupCheck>, 'checkedAfter' | 'backfillComplete'>

/**
 * Recounts the favourites per activity, activity-year, -month, -day and -quarter-hour, company-day and
 * company-quarter-hour and compares them with the trigger-kept counts, and reads the backfills' progress rows: they
 * must still say complete (migrate completed them on the empty database; until then, the triggers leave favourites
 * uncounted).
 */
export async function checkRollups(databaseUrl: string, after: string): Promise<RollupCheck> {
  const counted = {} as RollupMismatches
  const queue = Object.entries(CHECKS) as [keyof RollupMismatches, string][]
  // Each recount is one statement on one core: BULK_SESSIONS of them at a time, taking the next one when done.
  await Promise.all(
    Array.from({ length: BULK_SESSIONS }, () =>
      withClient(databaseUrl, async (client) => {
        await client.query(`SET work_mem = '1GB'`)
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [name, query] = next
          const result = await client.query<{ n: string }>(query)
          counted[name] = Number(result.rows[0]?.n ?? -1)
        }
      }),
    ),
  )
  const complete = await withClient(databaseUrl, (client) =>
    client.query<{ complete: boolean }>(
      `SELECT bool_and(completed_at IS NOT NULL) AND count(*) = 2 AS complete FROM activities.favorite_counts_backfill`,
    ),
  )
  return { ...counted, backfillComplete: complete.rows[0]?.complete === true, checkedAfter: after }
}

/** Each count table's mismatched keys as `[what, how many]`; tables a saved result did not check are left out. */
export function rollupMismatches(check: RollupCheck): [string, number][] {
  const all: [string, number | undefined][] = [
    ['activity', check.activityMismatches],
    ['activity-month', check.activityMonthMismatches],
    ['activity-year', check.activityYearMismatches],
    ['activity-day', check.activityDayMismatches],
    ['activity-quarter-hour', check.activitySlotMismatches],
    ['company-day', check.companyDayMismatches],
    ['company-quarter-hour', check.companySlotMismatches],
  ]
  return all.filter((entry): entry is [string, number] => entry[1] !== undefined)
}
