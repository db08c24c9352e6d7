/**
 * Calendar math in an IANA time zone for the analytics API: wall times, offsets, and day/week/month buckets.
 * Instants are numbers, milliseconds since the epoch (UTC). No dependency: `Intl.DateTimeFormat` with `timeZone`
 * reads the zone rules (workerd ships full ICU data).
 *
 * "Wall time" is the time a clock in the zone shows. A wall time that happens twice (a DST overlap) resolves to
 * the earlier instant; one that never happens (a DST gap) resolves to the first instant after the gap, the instant
 * the clocks jump to. Zone arguments are names `resolveTimeZone` returned; an unknown zone throws a RangeError.
 * Instants from the second day of year 1 to 9999 are supported (Intl writes earlier years as era years, and a
 * resolution looks a day back); the API takes years from 1970.
 */

export type Interval = 'day' | 'week' | 'month'

/** A wall time; `month` is 1-12. */
export type LocalTime = {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  millisecond: number
}

/** A wall time to resolve; the omitted fields are 0, and out-of-range fields roll over as in `Date.UTC`. */
export type WallTime = Pick<LocalTime, 'year' | 'month' | 'day'> & Partial<LocalTime>

const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000
const WEEK_MS = 7 * DAY_MS
/** 400 Gregorian years are exactly 146,097 days. */
const GREGORIAN_CYCLE_MS = 146_097 * DAY_MS
const MAX_ZONE_NAME_LENGTH = 64
/** Safety net of `bucketBounds`; callers cap the bucket count far below. */
export const MAX_BOUNDARIES = 10_000

type Field = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second'
/** `fields`: the order of the numbers in the formatted text. */
type ZoneFormat = { format: Intl.DateTimeFormat; fields: Field[]; utc: boolean }

const FIELDS: ReadonlySet<string> = new Set<Field>(['year', 'month', 'day', 'hour', 'minute', 'second'])

function isField(type: string): type is Field {
  return FIELDS.has(type)
}

// Constructing a DateTimeFormat costs as much as dozens of format calls: one per zone, for the isolate's life.
// Keyed by the zone as passed; callers pass resolved names, so this holds at most one entry per zone.
const formats = new Map<string, ZoneFormat>()

function zoneFormat(zone: string): ZoneFormat {
  let entry = formats.get(zone)
  // Stryker disable next-line ConditionalExpression: equivalent, a cache; a new format formats alike
  if (entry === undefined) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      // h23: midnight is 00, not 24 (as `hour12: false` gave in older engines).
      hourCycle: 'h23',
      // Latin digits whatever the default numbering system; `localTime` reads them.
      numberingSystem: 'latn',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    const fields = format
      .formatToParts(0)
      .map((part) => part.type)
      .filter(isField)
    // Stryker disable next-line ConditionalExpression,StringLiteral: a guard against an engine that formats otherwise; workerd's ICU never does
    if (fields.length !== FIELDS.size) throw new Error(`zoneFormat: ${zone} formats without some field`)
    entry = { format, fields, utc: format.resolvedOptions().timeZone === 'UTC' }
    formats.set(zone, entry)
  }
  return entry
}

let supportedZones: ReadonlySet<string> | undefined

/**
 * ICU's canonical names: aliases (`Asia/Kolkata`, `US/Eastern`) resolve to one of them, and they resolve to
 * themselves. Without `UTC` (workerd does not list it) and without the fixed-offset `Etc/GMT±N`.
 */
function supported(): ReadonlySet<string> {
  supportedZones ??= new Set(Intl.supportedValuesOf('timeZone'))
  return supportedZones
}

/**
 * The canonical name of an IANA zone, as ICU resolves it (`europe/berlin` -> `Europe/Berlin`, `Etc/UTC` -> `UTC`;
 * ICU keeps the older spelling of some renamed zones: `Asia/Kathmandu` -> `Asia/Katmandu`), or undefined when
 * `name` is no IANA zone. Offsets Intl accepts (`+05:45`) and the fixed-offset `Etc/GMT+5` are refused: a zone
 * for analytics follows a place's rules.
 */
export function resolveTimeZone(name: string): string | undefined {
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral,EqualityOperator: equivalent, Intl refuses these names too; this only spares it a name no zone has
  if (name === '' || name.length > MAX_ZONE_NAME_LENGTH) return undefined
  // A canonical name resolves to itself: no DateTimeFormat to construct for the usual request.
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: equivalent, a fast path; Intl resolves these names to themselves
  if (name === 'UTC' || supported().has(name)) return name
  let resolved: string
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
  } catch /* Stryker disable next-line BlockStatement: equivalent, an empty catch returns undefined as well */ {
    return undefined
  }
  return resolved === 'UTC' || supported().has(resolved) ? resolved : undefined
}

/**
 * `Date.UTC` with a 1-based month, and years 0-99 as years: `Date.UTC` reads them as 1900-1999, so the date is
 * taken 400 years later (the same weekday and leap years) and moved back a cycle, which is exact for every year.
 */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, ms) - GREGORIAN_CYCLE_MS
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor
}

/** The wall time in the zone at the instant. */
export function localTime(instant: number, zone: string): LocalTime {
  const { format, fields } = zoneFormat(zone)
  // format() takes half the time of formatToParts(), and its numbers come in the order formatToParts gave.
  const numbers = format.format(instant).match(/\d+/g)
  // Stryker disable next-line ConditionalExpression,LogicalOperator,BlockStatement,StringLiteral: a guard against an engine that formats otherwise; workerd's ICU never does
  if (numbers === null || numbers.length !== fields.length) {
    // Stryker disable next-line StringLiteral: the same unreachable guard's message
    throw new Error(`localTime: unexpected ${zone} wall time ${format.format(instant)}`)
  }
  // Stryker disable next-line ObjectLiteral: equivalent, every field is set below
  const time: LocalTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 }
  fields.forEach((field, index) => {
    time[field] = Number(numbers[index])
  })
  time.hour %= 24 // 24 would be midnight, should an engine ignore h23
  // Every offset is a whole number of seconds, so the milliseconds are the instant's own.
  time.millisecond = mod(instant, 1000)
  return time
}

/** The wall time at the instant read as if it were UTC: `instant + offset`. */
export function wallClockMs(instant: number, zone: string): number {
  const t = localTime(instant, zone)
  return utcMs(t.year, t.month, t.day, t.hour, t.minute, t.second, t.millisecond)
}

function offsetMs(instant: number, zone: string): number {
  return wallClockMs(instant, zone) - instant
}

/**
 * The zone's UTC offset at the instant, in minutes (Asia/Kathmandu 345, Europe/Berlin 60 or 120). Fractional for
 * the local mean times some zones kept into the 20th century (Africa/Monrovia until 1972: -44.5).
 */
export function offsetMinutes(instant: number, zone: string): number {
  return offsetMs(instant, zone) / MINUTE_MS
}

function isoWeekdayOfWall(wall: number): number {
  return ((new Date(wall).getUTCDay() + 6) % 7) + 1
}

/** The day of the week in the zone at the instant, ISO numbered: 1 = Monday .. 7 = Sunday. */
export function weekday(instant: number, zone: string): number {
  return isoWeekdayOfWall(wallClockMs(instant, zone))
}

/**
 * The first instant in `(lo, hi]` whose offset is `hi`'s, given that `lo`'s differs: the transition between them,
 * found by halving. Callers keep `hi - lo` within two days, so this takes at most 28 steps.
 */
function transitionIn(lo: number, hi: number, zone: string): number {
  const target = offsetMs(hi, zone)
  let before = lo
  let after = hi
  while (after - before > 1) {
    const mid = before + Math.floor((after - before) / 2)
    if (offsetMs(mid, zone) === target) after = mid
    else before = mid
  }
  return after
}

/**
 * The instant whose wall time is `wall` (as from `wallClockMs`). Guess with the offset a day before, correct
 * with the offset at the guess. Assumes at most one offset change from a day before the wall time to the instant
 * (offsets stay within -12 h and +14 h, so within 36 hours), as zone rules do.
 */
function instantOfWall(wall: number, zone: string): number {
  const before = offsetMs(wall - DAY_MS, zone)
  const early = wall - before
  const earlyOffset = offsetMs(early, zone)
  // Valid with the earlier offset: also the earlier instant when the wall time happens twice.
  // Stryker disable next-line ConditionalExpression: equivalent, a fast path; `late` below is then `early`
  if (earlyOffset === before) return early
  const late = wall - earlyOffset
  if (offsetMs(late, zone) === earlyOffset) return late
  // Neither offset gives the wall time: it is in a gap (the offset grew, so `late` < `early`), between the instants
  // that would have had it.
  return transitionIn(late, early, zone)
}

/**
 * The instant whose wall time in the zone is `local`: the earlier in a DST overlap, the first after the gap in a
 * DST gap (02:30 on Berlin's spring-forward day is 03:00 CEST).
 */
export function instantOf(local: WallTime, zone: string): number {
  const { year, month, day, hour = 0, minute = 0, second = 0, millisecond = 0 } = local
  return instantOfWall(utcMs(year, month, day, hour, minute, second, millisecond), zone)
}

/** Whether the wall time in the zone is on the hour (minute, second and millisecond 0). */
export function isWholeHour(instant: number, zone: string): boolean {
  return mod(wallClockMs(instant, zone), HOUR_MS) === 0
}

/**
 * The start of the zone's hour holding the instant, at the instant's own offset (so after Berlin's fall-back,
 * 01:40Z (02:40 CET) starts at 01:00Z, not at 02:00 CEST). When that start is before an offset change, the hour
 * starts at the change instead: after Lord Howe's 30-minute fall-back, 01:40 starts at 01:30, the instant the
 * clocks went back to, so that the hours never overlap.
 */
export function hourStart(instant: number, zone: string): number {
  const offset = offsetMs(instant, zone)
  const wall = instant + offset
  const start = wall - mod(wall, HOUR_MS) - offset
  return offsetMs(start, zone) === offset ? start : transitionIn(start, instant, zone)
}

/** The wall time (as from `wallClockMs`) of the zone's bucket start holding the instant. */
function bucketWallStart(instant: number, zone: string, interval: Interval): number {
  const t = localTime(instant, zone)
  if (interval === 'month') return utcMs(t.year, t.month, 1)
  const day = utcMs(t.year, t.month, t.day)
  return interval === 'day' ? day : day - (isoWeekdayOfWall(day) - 1) * DAY_MS
}

function nextWallStart(wall: number, interval: Interval): number {
  if (interval === 'day') return wall + DAY_MS
  if (interval === 'week') return wall + WEEK_MS
  const date = new Date(wall)
  return utcMs(date.getUTCFullYear(), date.getUTCMonth() + 2, 1)
}

/**
 * The start of the zone's calendar day, ISO week (Monday) or month holding the instant. A start in a DST gap
 * (midnight in America/Havana on its spring-forward day) is the first instant of the day (01:00 there).
 */
export function bucketStart(instant: number, zone: string, interval: Interval): number {
  return instantOfWall(bucketWallStart(instant, zone, interval), zone)
}

/**
 * `amount` days, weeks or months later (or earlier, if negative) on the zone's calendar, at the same wall time,
 * resolved as `instantOf` does. Meant for bucket starts, so a day start maps to a day start even when it is not
 * at midnight (a gap at midnight). Months do not clamp (January 31 plus a month is March 3): bucket starts are
 * on the 1st.
 */
export function addCalendar(instant: number, zone: string, amount: number, unit: Interval): number {
  const t = localTime(instant, zone)
  const days = unit === 'day' ? amount : unit === 'week' ? 7 * amount : 0
  const months = unit === 'month' ? amount : 0
  // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: equivalent, a fast path; a midnight is its day's start, which the lookup below also finds
  const midnight = t.hour === 0 && t.minute === 0 && t.second === 0 && t.millisecond === 0
  // A day start off midnight follows a gap at midnight; only such an instant needs the lookup.
  const dayStart = !midnight && bucketStart(instant, zone, 'day') === instant
  const wall = dayStart
    ? utcMs(t.year, t.month + months, t.day + days)
    : utcMs(t.year, t.month + months, t.day + days, t.hour, t.minute, t.second, t.millisecond)
  return instantOfWall(wall, zone)
}

/**
 * The boundaries of a timeseries over `[from, to)`: `[from, s1, ..., to]`, where the `s` are the zone's bucket
 * starts strictly between `from` and `to`. Bucket i is `[b[i], b[i + 1])`; the first and last may be partial.
 * `from === to` gives `[from]`, no bucket. Throws when `to < from`, or when more than `MAX_BOUNDARIES` boundaries
 * would be produced.
 */
export function bucketBounds(from: number, to: number, zone: string, interval: Interval): number[] {
  if (!(from <= to)) throw new RangeError(`bucketBounds: to (${to}) is before from (${from})`)
  const bounds = [from]
  if (from === to) return bounds
  let last = from
  let wall = bucketWallStart(from, zone, interval)
  for (;;) {
    wall = nextWallStart(wall, interval)
    const start = instantOfWall(wall, zone)
    if (start >= to) break
    // Bucket starts only grow, but a zone whose clocks went back across midnight could repeat one.
    if (start > last) {
      if (bounds.length + 1 >= MAX_BOUNDARIES) {
        throw new Error(`bucketBounds: more than ${MAX_BOUNDARIES} boundaries (${interval} buckets)`)
      }
      bounds.push(start)
      last = start
    }
  }
  bounds.push(to)
  return bounds
}

/** The number of buckets of `bucketBounds(from, to, zone, interval)`. */
export function bucketCount(from: number, to: number, zone: string, interval: Interval): number {
  return bucketBounds(from, to, zone, interval).length - 1
}

/**
 * The instant whose wall time is the instant's plus `deltaMs` of wall-clock time, resolved as `instantOf` does.
 * The period before `[from, to)` with the same wall-clock length starts at
 * `shiftWallClock(from, zone, -(wallClockMs(to, zone) - wallClockMs(from, zone)))`: the day before a 23-hour
 * day is its whole 24-hour day.
 */
export function shiftWallClock(instant: number, zone: string, deltaMs: number): number {
  return instantOfWall(wallClockMs(instant, zone) + deltaMs, zone)
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0')
}

/**
 * RFC 3339 at the zone's offset at the instant: `2026-01-01T05:45:00+05:45`. Offset 0 is `Z` in UTC and `+00:00`
 * elsewhere (Europe/London in winter), as its summer `+01:00` reads. Milliseconds appear only when not 0. RFC 3339
 * offsets are whole minutes: a historical offset with seconds is rounded, and the wall time written with it, so
 * that the text still names the instant exactly.
 */
export function formatInstant(instant: number, zone: string): string {
  const offset = Math.round(offsetMs(instant, zone) / MINUTE_MS)
  const d = new Date(instant + offset * MINUTE_MS)
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  const ms = d.getUTCMilliseconds()
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${ms === 0 ? '' : `.${pad(ms, 3)}`}`
  if (zoneFormat(zone).utc) return `${date}T${time}Z`
  const abs = Math.abs(offset)
  return `${date}T${time}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}
