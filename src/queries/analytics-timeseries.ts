/**
 * The analytics timeseries of a company's dashboard: one statement (one database round trip), scoped by
 * `company_id`, counting each bucket from the counts kept ready by the write statements (count-sums.ts), never the
 * favourites.
 */
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { type ActivityTypeValue, activities } from '../db/schema'
import type { CountRange } from './count-ranges'
import { activityTables, companyTables, rangeSums } from './count-sums'

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
          sql`c.activity_id = ${activityId}::uuid ${
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
            sql`c.company_id = ${companyId} AND c.activity_id IN (
              SELECT ${activities.id} FROM ${activities}
              WHERE ${activities.companyId} = ${companyId} AND ${activities.type} = ${type})`,
          )
        : rangeSums(ranges, companyTables, sql`c.company_id = ${companyId}`)
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
  const found = result.rows.some((row) => row.found === true)
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
