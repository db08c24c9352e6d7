/**
 * The analytics period and its buckets in the asked time zone: parsing `from`/`to`, the privacy floor (whole hours
 * only), the default period, the previous period, and the buckets of a timeseries. Pure functions of their
 * arguments (and of the clock, for the default period). Calendar math is in time-zone.ts.
 */
import { z } from '@hono/zod-openapi'
import { FAVORITE_SLOT_MINUTES } from '../db/schema'
import {
  bucketBounds,
  bucketStart,
  hourStart,
  type Interval,
  instantOf,
  isWholeHour,
  shiftWallClock,
  wallClockMs,
} from './time-zone'

export type { Interval } from './time-zone'

/** Longest period of the table: a year, leap day included. */
export const MAX_PERIOD_DAYS = 366
/** Default period when `from` and `to` are absent: the last 30 days. */
export const DEFAULT_PERIOD_DAYS = 30
/** At most this many buckets in a timeseries (about 13 months of days, 7.7 years of weeks, 33 years of months). */
export const MAX_BUCKETS = 400

export const INTERVALS = ['day', 'week', 'month'] as const satisfies readonly Interval[]

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000
const SLOT_MS = FAVORITE_SLOT_MINUTES * 60_000
const MIN_YEAR = 1970
const MAX_YEAR = 9999

const isoDate = z.iso.date()
const isoDateTime = z.iso.datetime({ offset: true })

/** A bound as written: a calendar date (midnight in the zone) or an instant (an RFC 3339 date-time with offset). */
export type StatedBound = { date: { year: number; month: number; day: number } } | { instant: number }

/** `YYYY-MM-DD` or an RFC 3339 date-time with `Z` or an offset, years 1970 to 9999; undefined for anything else. */
export function parseBound(text: string): StatedBound | undefined {
  if (text.length > 64) return undefined
  if (isoDate.safeParse(text).success) {
    const [year, month, day] = text.split('-').map(Number) as [number, number, number]
    // Stryker disable next-line ConditionalExpression: equivalent, a YYYY-MM-DD year is never past 9999
    if (year < MIN_YEAR || year > MAX_YEAR) return undefined
    return { date: { year, month, day } }
  }
  if (!isoDateTime.safeParse(text).success) return undefined
  const instant = Date.parse(text)
  const year = new Date(instant).getUTCFullYear()
  if (Number.isNaN(instant) || year < MIN_YEAR || year > MAX_YEAR) return undefined
  return { instant }
}

/** The instant of a stated bound in the zone: a date is the zone's midnight (the day's first instant). */
export const instantOfBound = (bound: StatedBound, zone: string): number =>
  'date' in bound ? instantOf(bound.date, zone) : bound.instant

/** `[from, to)` in milliseconds since the epoch, in an IANA zone. */
export type Period = { from: number; to: number; zone: string }

/**
 * The effective period. Without `to`: now rounded up to the zone's next whole hour (so that repeated dashboard
 * loads within an hour ask the same question and share the cache); without `from`: the same wall time 30 days
 * before `to`.
 */
export function resolvePeriod(
  from: StatedBound | undefined,
  to: StatedBound | undefined,
  zone: string,
  now = Date.now(),
): Period {
  const end = to !== undefined ? instantOfBound(to, zone) : hourStart(now + HOUR_MS - 1, zone)
  const start =
    from !== undefined ? instantOfBound(from, zone) : shiftWallClock(end, zone, -DEFAULT_PERIOD_DAYS * DAY_MS)
  return { from: start, to: end, zone }
}

/**
 * The period of the same wall-clock length just before: for a day, the day before (24 hours even when the period
 * is a 23-hour DST day); for 30 days, the 30 days before.
 */
export function previousPeriod(period: Period): Period {
  const length = wallClockMs(period.to, period.zone) - wallClockMs(period.from, period.zone)
  return { from: shiftWallClock(period.from, period.zone, -length), to: period.from, zone: period.zone }
}

export type PeriodIssue = { path: 'from' | 'to' | 'tz' | 'interval'; message: string }

const HOUR_MESSAGE = (zone: string) =>
  `Must be on a whole hour in ${zone}: analytics never resolves a time finer than an hour`

/**
 * The rules on a period: `from` and `to` on whole hours in the zone (the privacy floor; `fromStated` says whether
 * the caller sent `from` or it is the default derived from `to`), `from < to`, at most
 * `maxDays` long when given, and every bound on a UTC quarter-hour (the grain of the counts kept ready; true of
 * every zone's hours since the 1980s, but not of a few zones' old offsets, like Pacific/Kiritimati's -10:40).
 */
export function periodIssues(period: Period, maxDays?: number, fromStated = true): PeriodIssue[] {
  const issues: PeriodIssue[] = []
  const offHour = (bound: number) => !isWholeHour(bound, period.zone)
  // A default `from` is off the hour only because the stated `to` is: name only what the caller sent.
  if (offHour(period.from) && (fromStated || !offHour(period.to))) {
    issues.push({ path: 'from', message: HOUR_MESSAGE(period.zone) })
  }
  if (offHour(period.to)) issues.push({ path: 'to', message: HOUR_MESSAGE(period.zone) })
  if (issues.length > 0) return issues
  if (period.from >= period.to) return [{ path: 'to', message: '`to` must be after `from`' }]
  if (maxDays !== undefined && period.to > shiftWallClock(period.from, period.zone, maxDays * DAY_MS)) {
    return [{ path: 'to', message: `The period must be at most ${maxDays} days long` }]
  }
  return misaligned([period.from, period.to, previousPeriod(period).from], period.zone)
}

/** A bound off the quarter-hour grid cannot be counted exactly: refused, naming the zone. */
export function misaligned(bounds: readonly number[], zone: string): PeriodIssue[] {
  return bounds.some((bound) => bound % SLOT_MS !== 0)
    ? [{ path: 'tz', message: `${zone}'s offset at these dates is not a whole number of quarter-hours` }]
    : []
}

/** The buckets of a timeseries over the period: `[from, first start) [start, next) ... [last start, to)`. */
export function periodBuckets(period: Period, interval: Interval): { from: number; to: number }[] {
  const bounds = bucketBounds(period.from, period.to, period.zone, interval)
  return bounds.slice(1).map((to, i) => ({ from: bounds[i] as number, to }))
}

/** How many buckets the period touches, without building them (the bucket cap is checked before). */
export function bucketCount(period: Period, interval: Interval): number {
  const first = bucketStart(period.from, period.zone, interval)
  const last = bucketStart(period.to - 1, period.zone, interval)
  const days = Math.round((wallClockMs(last, period.zone) - wallClockMs(first, period.zone)) / DAY_MS)
  if (interval === 'day') return days + 1
  if (interval === 'week') return Math.round(days / 7) + 1
  const a = new Date(wallClockMs(first, period.zone))
  const b = new Date(wallClockMs(last, period.zone))
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth()) + 1
}

/** Each bucket shifted back by the period's wall-clock length: the buckets of the previous period. */
export function previousBuckets(period: Period, buckets: readonly { from: number; to: number }[]) {
  const length = wallClockMs(period.to, period.zone) - wallClockMs(period.from, period.zone)
  return buckets.map((bucket) => ({
    from: shiftWallClock(bucket.from, period.zone, -length),
    to: shiftWallClock(bucket.to, period.zone, -length),
  }))
}
