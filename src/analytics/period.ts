/**
 * The analytics period and its buckets: parsing `from`/`to`, the default period, and UTC day/week/month math.
 * Pure functions of their arguments (and of the clock, for the default period).
 */
import { z } from '@hono/zod-openapi'

/** Longest period of the table: a year, leap day included. */
export const MAX_PERIOD_DAYS = 366
/** Default period when `from` and `to` are absent: the last 30 days. */
export const DEFAULT_PERIOD_DAYS = 30
/** At most this many buckets in a timeseries (about 13 months of days, 7.7 years of weeks, 33 years of months). */
export const MAX_BUCKETS = 400

export const INTERVALS = ['day', 'week', 'month'] as const
export type Interval = (typeof INTERVALS)[number]

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000
const MIN_YEAR = 1970
const MAX_YEAR = 9999

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
const isoDate = z.iso.date()
const isoDateTime = z.iso.datetime({ offset: true })

/**
 * `YYYY-MM-DD` (midnight UTC) or an RFC 3339 date-time with `Z` or an offset; years 1970 to 9999.
 * Returns undefined for anything else.
 */
export function parseInstant(text: string): Date | undefined {
  if (text.length > 64) return undefined
  if (!isoDate.safeParse(text).success && !isoDateTime.safeParse(text).success) return undefined
  const date = new Date(ISO_DATE.test(text) ? `${text}T00:00:00Z` : text)
  const year = date.getUTCFullYear()
  if (Number.isNaN(date.getTime()) || year < MIN_YEAR || year > MAX_YEAR) return undefined
  return date
}

export type Period = { from: Date; to: Date }

/**
 * The effective period, half-open `[from, to)`. Without `to`: now rounded up to the next whole minute (so that
 * repeated dashboard loads within a minute ask the same question and share the cache); without `from`: 30 days
 * before `to`.
 */
export function resolvePeriod(from: string | undefined, to: string | undefined, now = Date.now()): Period {
  const end = to !== undefined ? parseInstant(to) : new Date(Math.ceil(now / MINUTE_MS) * MINUTE_MS)
  if (!end) throw new Error('resolvePeriod: `to` was not validated')
  const start =
    from !== undefined ? parseInstant(from) : new Date(end.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS)
  if (!start) throw new Error('resolvePeriod: `from` was not validated')
  return { from: start, to: end }
}

/** Start of the UTC bucket holding `ms`; weeks are ISO weeks (Monday), as Postgres `date_trunc` does. */
export function bucketStart(ms: number, interval: Interval): number {
  const d = new Date(ms)
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  if (interval === 'day') return day
  if (interval === 'week') return day - ((d.getUTCDay() + 6) % 7) * DAY_MS
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

/** How many buckets `[from, to)` touches (the first and last may be partial). */
export function bucketCount(period: Period, interval: Interval): number {
  const first = bucketStart(period.from.getTime(), interval)
  const last = bucketStart(period.to.getTime() - 1, interval)
  if (interval === 'day') return Math.round((last - first) / DAY_MS) + 1
  if (interval === 'week') return Math.round((last - first) / (7 * DAY_MS)) + 1
  const a = new Date(first)
  const b = new Date(last)
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth()) + 1
}

export type PeriodIssue = { path: string; message: string }

/** Cross-field rules on the period: `from < to`, and at most `maxDays` long when given. */
export function periodIssues(period: Period, maxDays?: number): PeriodIssue[] {
  if (period.from.getTime() >= period.to.getTime())
    return [{ path: 'to', message: '`to` must be after `from`' }]
  if (maxDays !== undefined && period.to.getTime() - period.from.getTime() > maxDays * DAY_MS) {
    return [{ path: 'to', message: `The period must be at most ${maxDays} days long` }]
  }
  return []
}
