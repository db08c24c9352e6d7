import { describe, expect, it } from 'vitest'
import {
  addCalendar,
  bucketBounds,
  bucketStart,
  formatInstant,
  hourStart,
  instantOf,
  isWholeHour,
  localTime,
  offsetMinutes,
  resolveTimeZone,
  shiftWallClock,
  wallClockMs,
  weekday,
} from '../../src/analytics/time-zone'

const at = (iso: string): number => Date.parse(iso)
const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

describe('resolveTimeZone', () => {
  it('accepts IANA zones, case-insensitively, as their canonical name', () => {
    expect(resolveTimeZone('Europe/Berlin')).toBe('Europe/Berlin')
    expect(resolveTimeZone('europe/berlin')).toBe('Europe/Berlin')
    expect(resolveTimeZone('AMERICA/NEW_YORK')).toBe('America/New_York')
    expect(resolveTimeZone('US/Eastern')).toBe('America/New_York')
  })

  it('keeps UTC as UTC, and resolves its aliases to it', () => {
    expect(resolveTimeZone('UTC')).toBe('UTC')
    expect(resolveTimeZone('utc')).toBe('UTC')
    expect(resolveTimeZone('Etc/UTC')).toBe('UTC')
  })

  it("gives ICU's spelling of a renamed zone, which may be the older one", () => {
    // ICU still calls Asia/Kathmandu "Asia/Katmandu"; either works as a zone.
    const kathmandu = resolveTimeZone('Asia/Kathmandu')
    expect(kathmandu).toMatch(/^Asia\/Kath?mandu$/)
    expect(offsetMinutes(at('2026-01-01T00:00:00Z'), kathmandu ?? '')).toBe(345)
  })

  it('refuses unknown names, the empty string, long strings and fixed offsets', () => {
    expect(resolveTimeZone('Mars/Olympus')).toBeUndefined()
    expect(resolveTimeZone('')).toBeUndefined()
    expect(resolveTimeZone(`Europe/${'x'.repeat(60)}`)).toBeUndefined()
    expect(resolveTimeZone('+05:45')).toBeUndefined()
    expect(resolveTimeZone('-0300')).toBeUndefined()
    expect(resolveTimeZone('GMT+1')).toBeUndefined()
    expect(resolveTimeZone('Etc/GMT+5')).toBeUndefined()
    expect(resolveTimeZone(' Europe/Berlin')).toBeUndefined()
  })

  it('relies on every listed zone resolving to itself', () => {
    // resolveTimeZone returns a listed name as it is, without asking Intl to resolve it.
    const renamed = Intl.supportedValuesOf('timeZone').filter(
      (name) => new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone !== name,
    )
    expect(renamed).toEqual([])
  })
})

describe('Asia/Kathmandu, UTC+05:45', () => {
  const zone = 'Asia/Kathmandu'

  it('is 5 h 45 min ahead of UTC', () => {
    expect(offsetMinutes(at('2026-01-01T00:00:00Z'), zone)).toBe(345)
    expect(offsetMinutes(at('2026-07-01T00:00:00Z'), zone)).toBe(345)
    expect(localTime(at('2026-01-01T00:00:00.123Z'), zone)).toEqual({
      year: 2026,
      month: 1,
      day: 1,
      hour: 5,
      minute: 45,
      second: 0,
      millisecond: 123,
    })
    expect(wallClockMs(at('2026-01-01T00:00:00Z'), zone)).toBe(at('2026-01-01T05:45:00Z'))
  })

  it('has whole hours at a quarter past the UTC hour', () => {
    expect(isWholeHour(at('2026-01-01T00:00:00Z'), zone)).toBe(false)
    expect(isWholeHour(at('2025-12-31T18:15:00Z'), zone)).toBe(true)
    expect(isWholeHour(at('2025-12-31T18:15:00.001Z'), zone)).toBe(false)
    expect(hourStart(at('2026-01-01T10:20:00Z'), zone)).toBe(at('2026-01-01T10:15:00Z'))
    expect(hourStart(at('2026-01-01T10:15:00Z'), zone)).toBe(at('2026-01-01T10:15:00Z'))
    expect(hourStart(at('2026-01-01T10:14:59.999Z'), zone)).toBe(at('2026-01-01T09:15:00Z'))
  })

  it('starts its days at 18:15 UTC the day before', () => {
    expect(instantOf({ year: 2026, month: 1, day: 1 }, zone)).toBe(at('2025-12-31T18:15:00Z'))
    // 20:00Z on 12-31 is 01:45 on 01-01 there.
    expect(bucketStart(at('2025-12-31T20:00:00Z'), zone, 'day')).toBe(at('2025-12-31T18:15:00Z'))
    expect(bucketStart(at('2025-12-31T18:14:59Z'), zone, 'day')).toBe(at('2025-12-30T18:15:00Z'))
    expect(bucketStart(at('2026-01-15T00:00:00Z'), zone, 'month')).toBe(at('2025-12-31T18:15:00Z'))
  })
})

describe('Europe/Berlin in 2026: CET (+01:00), CEST (+02:00) from 03-29 01:00Z to 10-25 01:00Z', () => {
  const zone = 'Europe/Berlin'

  it('changes its offset at 01:00 UTC', () => {
    expect(offsetMinutes(at('2026-01-15T12:00:00Z'), zone)).toBe(60)
    expect(offsetMinutes(at('2026-03-29T00:59:59.999Z'), zone)).toBe(60)
    expect(offsetMinutes(at('2026-03-29T01:00:00Z'), zone)).toBe(120)
    expect(offsetMinutes(at('2026-10-25T00:59:59.999Z'), zone)).toBe(120)
    expect(offsetMinutes(at('2026-10-25T01:00:00Z'), zone)).toBe(60)
  })

  it('has a 23-hour day on 03-29', () => {
    const start = at('2026-03-28T23:00:00Z') // 00:00 CET
    const next = at('2026-03-29T22:00:00Z') // 00:00 CEST on 03-30
    expect(instantOf({ year: 2026, month: 3, day: 29 }, zone)).toBe(start)
    expect(instantOf({ year: 2026, month: 3, day: 30 }, zone)).toBe(next)
    expect(bucketBounds(start, next, zone, 'day')).toEqual([start, next])
    expect(next - start).toBe(23 * HOUR_MS)
    expect(addCalendar(start, zone, 1, 'day')).toBe(next)
  })

  it('has a 25-hour day on 10-25', () => {
    const start = at('2026-10-24T22:00:00Z') // 00:00 CEST
    const next = at('2026-10-25T23:00:00Z') // 00:00 CET on 10-26
    expect(bucketStart(at('2026-10-25T12:00:00Z'), zone, 'day')).toBe(start)
    expect(bucketBounds(start, next, zone, 'day')).toEqual([start, next])
    expect(next - start).toBe(25 * HOUR_MS)
  })

  it('resolves a wall time in the spring-forward gap to 03:00 CEST, where the clocks jump to', () => {
    expect(instantOf({ year: 2026, month: 3, day: 29, hour: 1, minute: 59 }, zone)).toBe(
      at('2026-03-29T00:59:00Z'),
    )
    expect(instantOf({ year: 2026, month: 3, day: 29, hour: 2 }, zone)).toBe(at('2026-03-29T01:00:00Z'))
    expect(instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, zone)).toBe(
      at('2026-03-29T01:00:00Z'),
    )
    expect(instantOf({ year: 2026, month: 3, day: 29, hour: 3 }, zone)).toBe(at('2026-03-29T01:00:00Z'))
    expect(instantOf({ year: 2026, month: 3, day: 29, hour: 3, minute: 30 }, zone)).toBe(
      at('2026-03-29T01:30:00Z'),
    )
  })

  it('resolves a wall time in the fall-back overlap to its first, CEST, occurrence', () => {
    // 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET).
    expect(instantOf({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, zone)).toBe(
      at('2026-10-25T00:30:00Z'),
    )
    expect(instantOf({ year: 2026, month: 10, day: 25, hour: 3 }, zone)).toBe(at('2026-10-25T02:00:00Z'))
  })

  it('starts an hour at the offset of the instant itself across the fall-back', () => {
    expect(hourStart(at('2026-10-25T00:40:00Z'), zone)).toBe(at('2026-10-25T00:00:00Z')) // 02:40 CEST
    expect(hourStart(at('2026-10-25T01:40:00Z'), zone)).toBe(at('2026-10-25T01:00:00Z')) // 02:40 CET
    expect(hourStart(at('2026-03-29T01:20:00Z'), zone)).toBe(at('2026-03-29T01:00:00Z')) // 03:20 CEST
  })

  it('takes the previous period of the same wall-clock length: the day before a 23-hour day is 24 hours', () => {
    const from = at('2026-03-28T23:00:00Z')
    const to = at('2026-03-29T22:00:00Z')
    const length = wallClockMs(to, zone) - wallClockMs(from, zone)
    expect(length).toBe(DAY_MS)
    const previousFrom = shiftWallClock(from, zone, -length)
    expect(previousFrom).toBe(at('2026-03-27T23:00:00Z')) // 00:00 CET on 03-28
    expect(from - previousFrom).toBe(24 * HOUR_MS)
  })

  it('shifts the wall clock into the gap as instantOf resolves it', () => {
    // 01:30 CET plus one wall-clock hour is 02:30, which does not exist: 03:00 CEST.
    expect(shiftWallClock(at('2026-03-29T00:30:00Z'), zone, HOUR_MS)).toBe(at('2026-03-29T01:00:00Z'))
    expect(shiftWallClock(at('2026-10-25T00:30:00Z'), zone, 2 * HOUR_MS)).toBe(at('2026-10-25T03:30:00Z'))
  })

  it('adds weeks on the calendar: the week after the change is 167 hours long', () => {
    const week = at('2026-03-22T23:00:00Z') // Monday 03-23 00:00 CET
    expect(bucketStart(at('2026-03-29T12:00:00Z'), zone, 'week')).toBe(week)
    expect(addCalendar(week, zone, 1, 'week')).toBe(at('2026-03-29T22:00:00Z'))
    expect(addCalendar(week, zone, -1, 'week')).toBe(at('2026-03-15T23:00:00Z'))
  })
})

describe('ISO weeks start on Monday in the zone', () => {
  it('puts a Sunday in the week that began six days before', () => {
    // Sunday 2026-01-04 20:00 UTC, which is Monday 05:00 in Tokyo (+09:00).
    const instant = at('2026-01-04T20:00:00Z')
    expect(weekday(instant, 'UTC')).toBe(7)
    expect(bucketStart(instant, 'UTC', 'week')).toBe(at('2025-12-29T00:00:00Z'))
    expect(weekday(instant, 'Asia/Tokyo')).toBe(1)
    expect(bucketStart(instant, 'Asia/Tokyo', 'week')).toBe(at('2026-01-04T15:00:00Z'))
  })

  it('keeps a Sunday evening in Tokyo in the week of the Monday before', () => {
    // Sunday 2026-01-04 20:00 in Tokyo.
    expect(bucketStart(at('2026-01-04T11:00:00Z'), 'Asia/Tokyo', 'week')).toBe(at('2025-12-28T15:00:00Z'))
  })
})

describe('months in America/New_York (EST -05:00, EDT -04:00 from 03-08 to 11-01 in 2026)', () => {
  const zone = 'America/New_York'

  it('starts months at 05:00Z in winter and 04:00Z in summer', () => {
    expect(bucketStart(at('2026-01-20T12:00:00Z'), zone, 'month')).toBe(at('2026-01-01T05:00:00Z'))
    expect(bucketStart(at('2026-04-20T12:00:00Z'), zone, 'month')).toBe(at('2026-04-01T04:00:00Z'))
    // Clocks go back at 02:00 on 11-01: its midnight is still EDT.
    expect(bucketStart(at('2026-11-20T12:00:00Z'), zone, 'month')).toBe(at('2026-11-01T04:00:00Z'))
    // 03:00Z on 02-01 is still 01-31 22:00 there.
    expect(bucketStart(at('2026-02-01T03:00:00Z'), zone, 'month')).toBe(at('2026-01-01T05:00:00Z'))
  })

  it('adds months across the change', () => {
    expect(addCalendar(at('2026-01-01T05:00:00Z'), zone, 3, 'month')).toBe(at('2026-04-01T04:00:00Z'))
    expect(addCalendar(at('2026-01-01T05:00:00Z'), zone, -1, 'month')).toBe(at('2025-12-01T05:00:00Z'))
    expect(addCalendar(at('2026-11-01T04:00:00Z'), zone, 1, 'month')).toBe(at('2026-12-01T05:00:00Z'))
  })

  it('resolves a plain wall time', () => {
    expect(instantOf({ year: 2026, month: 7, day: 4, hour: 12 }, zone)).toBe(at('2026-07-04T16:00:00Z'))
  })
})

describe('America/Havana, whose clocks change at midnight', () => {
  // Cuba springs forward on the second Sunday of March at 00:00 (CST -05:00 -> CDT -04:00) and falls back on the
  // first Sunday of November at 01:00 CDT to 00:00 CST.
  const zone = 'America/Havana'

  it('starts the spring-forward day at 01:00, its first instant', () => {
    const start = at('2026-03-08T05:00:00Z')
    expect(offsetMinutes(start - 1, zone)).toBe(-300)
    expect(offsetMinutes(start, zone)).toBe(-240)
    expect(instantOf({ year: 2026, month: 3, day: 8 }, zone)).toBe(start)
    expect(bucketStart(at('2026-03-08T12:00:00Z'), zone, 'day')).toBe(start)
    expect(formatInstant(start, zone)).toBe('2026-03-08T01:00:00-04:00')
    expect(localTime(start - 1, zone)).toMatchObject({ day: 7, hour: 23, minute: 59 })
  })

  it('moves from that day start to the next midnight, a 23-hour day', () => {
    const start = at('2026-03-08T05:00:00Z')
    expect(addCalendar(start, zone, 1, 'day')).toBe(at('2026-03-09T04:00:00Z'))
    expect(addCalendar(start, zone, -1, 'day')).toBe(at('2026-03-07T05:00:00Z'))
    expect(bucketBounds(at('2026-03-07T05:00:00Z'), at('2026-03-10T04:00:00Z'), zone, 'day')).toEqual([
      at('2026-03-07T05:00:00Z'),
      start,
      at('2026-03-09T04:00:00Z'),
      at('2026-03-10T04:00:00Z'),
    ])
  })

  it('starts the fall-back day at the first of its two midnights, a 25-hour day', () => {
    // Midnight on 11-01 happens at 04:00Z (CDT) and again at 05:00Z (CST).
    const start = at('2026-11-01T04:00:00Z')
    expect(bucketStart(at('2026-11-01T05:30:00Z'), zone, 'day')).toBe(start)
    expect(addCalendar(start, zone, 1, 'day') - start).toBe(25 * HOUR_MS)
  })
})

describe('Australia/Lord_Howe, whose DST shift is 30 minutes', () => {
  // +11:00 in summer, +10:30 in winter; in 2026 it falls back at 02:00 on 04-05 (04-04 15:00Z) to 01:30, and
  // springs forward at 02:00 on 10-04 (10-03 15:30Z) to 02:30.
  const zone = 'Australia/Lord_Howe'

  it('is 11 h or 10 h 30 min ahead', () => {
    expect(offsetMinutes(at('2026-01-15T00:00:00Z'), zone)).toBe(660)
    expect(offsetMinutes(at('2026-07-15T00:00:00Z'), zone)).toBe(630)
    expect(offsetMinutes(at('2026-04-04T14:59:59.999Z'), zone)).toBe(660)
    expect(offsetMinutes(at('2026-04-04T15:00:00Z'), zone)).toBe(630)
    expect(offsetMinutes(at('2026-10-03T15:29:59.999Z'), zone)).toBe(630)
    expect(offsetMinutes(at('2026-10-03T15:30:00Z'), zone)).toBe(660)
  })

  it('resolves its half-hour gap and overlap', () => {
    expect(instantOf({ year: 2026, month: 10, day: 4, hour: 2, minute: 10 }, zone)).toBe(
      at('2026-10-03T15:30:00Z'),
    )
    expect(instantOf({ year: 2026, month: 4, day: 5, hour: 1, minute: 40 }, zone)).toBe(
      at('2026-04-04T14:40:00Z'),
    )
  })

  it('starts an hour no earlier than the change of offset inside it', () => {
    // 02:40 (+11:00): 02:00 to 02:30 never happened, so the hour began at 02:30.
    expect(hourStart(at('2026-10-03T15:40:00Z'), zone)).toBe(at('2026-10-03T15:30:00Z'))
    // 01:40 the second time (+10:30): that hour began when the clocks went back to 01:30.
    expect(hourStart(at('2026-04-04T15:10:00Z'), zone)).toBe(at('2026-04-04T15:00:00Z'))
    // 01:40 the first time (+11:00).
    expect(hourStart(at('2026-04-04T14:40:00Z'), zone)).toBe(at('2026-04-04T14:00:00Z'))
  })
})
