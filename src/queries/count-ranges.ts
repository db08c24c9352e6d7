/**
 * How a period is counted from the counts kept ready (src/db/schema.ts): its whole UTC days from the day rows, and
 * the rest (the partial first and last days) from the quarter-hour rows. So a period of any length and in any
 * zone reads at most two days of quarter-hours per range, never a favourite.
 */
import { type SQL, sql } from 'drizzle-orm'
import { arrayLiteral } from './array-literal'

/** `[from, to)` in milliseconds since the epoch, both on a UTC quarter-hour. */
export type CountRange = { from: number; to: number }

const DAY_MS = 86_400_000

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const isoInstant = (ms: number) => new Date(ms).toISOString()

/**
 * Each range, tagged with its key `k` (e.g. 0 = the period, 1 = the previous period, or a bucket's index), as two
 * derived tables: `ranges(k, first_day, end_day)`, the whole UTC days `[first_day, end_day)` (none when equal),
 * and `edges(k, lo, hi)`, the partial days.
 */
export function keyedRanges(ranges: readonly CountRange[]): { days: SQL; edges: SQL } {
  const dayKeys: number[] = []
  const firstDays: string[] = []
  const endDays: string[] = []
  const edgeKeys: number[] = []
  const edgeLows: string[] = []
  const edgeHighs: string[] = []
  const addEdge = (k: number, lo: number, hi: number) => {
    if (lo >= hi) return
    edgeKeys.push(k)
    edgeLows.push(isoInstant(lo))
    edgeHighs.push(isoInstant(hi))
  }
  ranges.forEach(({ from, to }, k) => {
    const firstDay = Math.ceil(from / DAY_MS) * DAY_MS
    const endDay = Math.floor(to / DAY_MS) * DAY_MS
    if (firstDay >= endDay) {
      addEdge(k, from, to)
      return
    }
    dayKeys.push(k)
    firstDays.push(isoDay(firstDay))
    endDays.push(isoDay(endDay))
    addEdge(k, from, firstDay)
    addEdge(k, endDay, to)
  })
  return {
    days: sql`(SELECT * FROM unnest(${arrayLiteral(dayKeys)}::int[], ${arrayLiteral(firstDays)}::date[],
      ${arrayLiteral(endDays)}::date[]) AS r(k, first_day, end_day))`,
    edges: sql`(SELECT * FROM unnest(${arrayLiteral(edgeKeys)}::int[], ${arrayLiteral(edgeLows)}::timestamptz[],
      ${arrayLiteral(edgeHighs)}::timestamptz[]) AS e(k, lo, hi))`,
  }
}
