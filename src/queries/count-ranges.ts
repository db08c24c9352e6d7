/**
 * How a period is counted from the counts kept ready (src/db/schema.ts): as a signed sum of whole UTC years,
 * months, days and quarter-hours, choosing at each edge whichever reads fewer rows. A partial edge day of 90
 * quarter-hours is its day row minus the 6 quarter-hours it lacks; a partial month of 29 days is its month row minus
 * one day. So a period of any length and in any zone reads a handful of rows per activity at each edge and one per
 * year between them, never a favourite. Exact because every coarser row is the sum of its finer rows (the triggers
 * keep them all in one statement).
 */
import { type SQL, sql } from 'drizzle-orm'
import { arrayLiteral } from './array-literal'

/** `[from, to)` in milliseconds since the epoch, both on a UTC quarter-hour. */
export type CountRange = { from: number; to: number }

/** The grains of the counts, finest first. */
export const GRAINS = ['slots', 'days', 'months', 'years'] as const
export type Grain = (typeof GRAINS)[number]

/** One term of a range's sum: the rows of one grain in `[lo, hi)`, added (`sign` 1) or taken away (-1). */
export type Term = { k: number; sign: 1 | -1; lo: number; hi: number }

const SLOT_MS = 15 * 60_000
const DAY_MS = 86_400_000

/**
 * A grain's units: the start of the unit holding an instant, the start of the next unit, and the unit's length
 * where it is fixed (months and years vary).
 */
const UNITS: Record<
  Grain,
  { floor: (ms: number) => number; next: (start: number) => number; length?: number }
> = {
  slots: {
    floor: (ms) => Math.floor(ms / SLOT_MS) * SLOT_MS,
    next: (start) => start + SLOT_MS,
    length: SLOT_MS,
  },
  days: { floor: (ms) => Math.floor(ms / DAY_MS) * DAY_MS, next: (start) => start + DAY_MS, length: DAY_MS },
  months: {
    floor: (ms) => Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), 1),
    next: (start) => Date.UTC(new Date(start).getUTCFullYear(), new Date(start).getUTCMonth() + 1, 1),
  },
  years: {
    floor: (ms) => Date.UTC(new Date(ms).getUTCFullYear(), 0, 1),
    next: (start) => Date.UTC(new Date(start).getUTCFullYear() + 1, 0, 1),
  },
}

const ceil = (grain: Grain, ms: number) => {
  const start = UNITS[grain].floor(ms)
  return start === ms ? ms : UNITS[grain].next(start)
}

/**
 * Rows a term of `grain` over `[lo, hi)` reads per activity, at most: one per unit, none after `now` (nothing has
 * been favourited there yet). Units of a fixed length are divided, on the request's path for every bucket's edges;
 * months and years are counted by stepping (a term lies inside one year, so at most 12 steps).
 */
function rowsOf(grain: Grain, lo: number, hi: number, now: number): number {
  const end = Math.min(hi, ceil(grain, now))
  const { length } = UNITS[grain]
  // Stryker disable next-line ConditionalExpression: `false` is equivalent, the loop below counts the same units (slower)
  if (length !== undefined) return Math.max(0, (end - lo) / length)
  let n = 0
  for (let at = lo; at < end; at = UNITS[grain].next(at)) n++
  return n
}

/**
 * `[lo, hi)` (whole units of `grain`) split into terms, from `grain` up to the coarsest of `grains`: each partial
 * coarser unit at an edge is either its finer rows, or the coarser row minus the finer rows around them, whichever
 * reads fewer rows.
 */
function split(
  out: Record<Grain, Term[]>,
  k: number,
  lo: number,
  hi: number,
  level: number,
  grains: readonly Grain[],
  now: number,
): void {
  if (lo >= hi) return
  const grain = grains[level] as Grain
  const coarser = grains[level + 1]
  if (coarser === undefined) {
    out[grain].push({ k, sign: 1, lo, hi })
    return
  }
  const unit = UNITS[coarser]
  /** The part `[a, b)` of the coarser unit starting at `start`: true when the coarser row is used. */
  const part = (a: number, b: number, start: number): boolean => {
    const end = unit.next(start)
    const around = rowsOf(grain, start, a, now) + rowsOf(grain, b, end, now)
    if (1 + around >= rowsOf(grain, a, b, now)) {
      out[grain].push({ k, sign: 1, lo: a, hi: b })
      return false
    }
    if (start < a) out[grain].push({ k, sign: -1, lo: start, hi: a })
    if (b < end) out[grain].push({ k, sign: -1, lo: b, hi: end })
    return true
  }
  const first = ceil(coarser, lo)
  const last = unit.floor(hi)
  if (first > last) {
    // Inside one coarser unit.
    const start = unit.floor(lo)
    if (part(lo, hi, start)) out[coarser].push({ k, sign: 1, lo: start, hi: unit.next(start) })
    return
  }
  const coarseLo = lo < first && part(lo, first, unit.floor(lo)) ? unit.floor(lo) : first
  const coarseHi = last < hi && part(last, hi, last) ? unit.next(last) : last
  split(out, k, coarseLo, coarseHi, level + 1, grains, now)
}

/**
 * The terms of each range, tagged with its key `k` (its index), over the grains the scope keeps (`grains`, finest
 * first: a company's counts have no months or years). `now` bounds the rows that can exist.
 */
export function rangeTerms(
  ranges: readonly CountRange[],
  grains: readonly Grain[],
  now: number,
): Record<Grain, Term[]> {
  const out: Record<Grain, Term[]> = { slots: [], days: [], months: [], years: [] }
  ranges.forEach(({ from, to }, k) => {
    split(out, k, from, to, 0, grains, now)
  })
  return out
}

// Stryker disable next-line MethodExpression: equivalent, Postgres reads an ISO instant as a date by its date part
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const isoInstant = (ms: number) => new Date(ms).toISOString()

/** Terms as a derived table `(k, sign, lo, hi)`, `lo` and `hi` as dates (a unit's first day) or instants (slots). */
export function termsTable(terms: readonly Term[], grain: Grain): SQL {
  // Stryker disable next-line ConditionalExpression: equivalent in a UTC session (Neon's default), where a date compares as its midnight
  const [type, text] = grain === 'slots' ? ['timestamptz', isoInstant] : ['date', isoDay]
  const bounds = (pick: (t: Term) => number) =>
    sql`${arrayLiteral(terms.map((t) => text(pick(t))))}::${sql.raw(type)}[]`
  return sql`(SELECT * FROM unnest(${arrayLiteral(terms.map((t) => t.k))}::int[],
      ${arrayLiteral(terms.map((t) => t.sign))}::int[], ${bounds((t) => t.lo)}, ${bounds((t) => t.hi)})
      AS r(k, sign, lo, hi))`
}
