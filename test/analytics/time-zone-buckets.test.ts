import { describe, expect, it } from 'vitest'
import {
  addCalendar,
  bucketBounds,
  bucketCount,
  formatInstant,
  instantOf,
  MAX_BOUNDARIES,
  offsetMinutes,
  wallClockMs,
} from '../../src/analytics/time-zone'

// Formatting, bucket series and calendar arithmetic; zone lookup and the zones' own rules are in time-zone.test.ts.
const at = (iso: string): number => Date.parse(iso)
const DAY_MS = 86_400_000

describe('formatInstant', () => {
  it('writes Z in UTC', () => {
    expect(formatInstant(at('2026-01-01T00:00:00Z'), 'UTC')).toBe('2026-01-01T00:00:00Z')
    expect(formatInstant(at('2026-01-01T00:00:00.250Z'), 'UTC')).toBe('2026-01-01T00:00:00.250Z')
  })

  it("writes the zone's offset at the instant", () => {
    expect(formatInstant(at('2026-01-01T00:00:00Z'), 'Asia/Kathmandu')).toBe('2026-01-01T05:45:00+05:45')
    expect(formatInstant(at('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe('2026-01-15T13:00:00+01:00')
    expect(formatInstant(at('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe('2026-03-29T03:00:00+02:00')
    expect(formatInstant(at('2026-01-01T00:00:00Z'), 'America/New_York')).toBe('2025-12-31T19:00:00-05:00')
  })

  it('writes +00:00 for a zone other than UTC at offset 0', () => {
    expect(formatInstant(at('2026-01-01T00:00:00Z'), 'Europe/London')).toBe('2026-01-01T00:00:00+00:00')
  })

  it('rounds an offset with seconds to whole minutes, still naming the same instant', () => {
    // Liberia kept -00:44:30 until 1972.
    const instant = at('1970-06-01T12:00:00Z')
    expect(offsetMinutes(instant, 'Africa/Monrovia')).toBe(-44.5)
    const text = formatInstant(instant, 'Africa/Monrovia')
    expect(text).toBe('1970-06-01T11:16:00-00:44')
    expect(Date.parse(text)).toBe(instant)
  })
})

describe('bucketBounds', () => {
  it('makes the first and last bucket partial', () => {
    const from = at('2026-01-01T10:00:00Z')
    const to = at('2026-01-03T06:00:00Z')
    expect(bucketBounds(from, to, 'UTC', 'day')).toEqual([
      from,
      at('2026-01-02T00:00:00Z'),
      at('2026-01-03T00:00:00Z'),
      to,
    ])
    expect(bucketCount(from, to, 'UTC', 'day')).toBe(3)
  })

  it('repeats no boundary on a bucket start', () => {
    const from = at('2026-01-01T00:00:00Z')
    const to = at('2026-01-03T00:00:00Z')
    expect(bucketBounds(from, to, 'UTC', 'day')).toEqual([from, at('2026-01-02T00:00:00Z'), to])
    expect(bucketBounds(from, at('2026-01-01T05:00:00Z'), 'UTC', 'day')).toEqual([
      from,
      at('2026-01-01T05:00:00Z'),
    ])
    expect(bucketBounds(from, from, 'UTC', 'day')).toEqual([from])
    expect(bucketCount(from, from, 'UTC', 'day')).toBe(0)
  })

  it('follows the offset in a month series across a DST change', () => {
    const from = at('2026-02-15T00:00:00Z')
    const to = at('2026-05-10T00:00:00Z')
    expect(bucketBounds(from, to, 'America/New_York', 'month')).toEqual([
      from,
      at('2026-03-01T05:00:00Z'),
      at('2026-04-01T04:00:00Z'),
      at('2026-05-01T04:00:00Z'),
      to,
    ])
  })

  it('makes ISO weeks in the zone', () => {
    // Thursday 01-01 to Wednesday 01-21 in Tokyo.
    const from = at('2025-12-31T15:00:00Z')
    const to = at('2026-01-20T15:00:00Z')
    expect(bucketBounds(from, to, 'Asia/Tokyo', 'week')).toEqual([
      from,
      at('2026-01-04T15:00:00Z'),
      at('2026-01-11T15:00:00Z'),
      at('2026-01-18T15:00:00Z'),
      to,
    ])
  })

  it(`produces at most ${MAX_BOUNDARIES} boundaries`, () => {
    const from = at('2000-01-01T00:00:00Z')
    expect(bucketBounds(from, from + (MAX_BOUNDARIES - 1) * DAY_MS, 'UTC', 'day')).toHaveLength(
      MAX_BOUNDARIES,
    )
    expect(() => bucketBounds(from, from + MAX_BOUNDARIES * DAY_MS, 'UTC', 'day')).toThrow(
      /more than 10000 boundaries/,
    )
  })

  it('refuses a period that ends before it starts', () => {
    const reversed = () => bucketBounds(at('2026-01-02T00:00:00Z'), at('2026-01-01T00:00:00Z'), 'UTC', 'day')
    expect(reversed).toThrow(RangeError)
    expect(reversed).toThrow(/^bucketBounds: to \(1767225600000\) is before from \(1767312000000\)$/)
  })
})

describe('years 0 to 99, which Date.UTC reads as 1900 to 1999', () => {
  it('keeps them as years', () => {
    expect(instantOf({ year: 50, month: 3, day: 1, hour: 6 }, 'UTC')).toBe(at('0050-03-01T06:00:00Z'))
    expect(instantOf({ year: 1, month: 1, day: 2 }, 'UTC')).toBe(at('0001-01-02T00:00:00Z'))
    expect(wallClockMs(at('0099-12-31T23:00:00Z'), 'UTC')).toBe(at('0099-12-31T23:00:00Z'))
    expect(formatInstant(at('0050-03-01T06:00:00Z'), 'UTC')).toBe('0050-03-01T06:00:00Z')
    expect(instantOf({ year: 100, month: 1, day: 1 }, 'UTC')).toBe(at('0100-01-01T00:00:00Z'))
  })
})

describe('addCalendar keeps the wall time', () => {
  it('adds whole weeks', () => {
    expect(addCalendar(at('2026-01-05T00:00:00Z'), 'UTC', 2, 'week')).toBe(at('2026-01-19T00:00:00Z'))
    expect(addCalendar(at('2026-01-05T00:00:00Z'), 'UTC', -3, 'week')).toBe(at('2025-12-15T00:00:00Z'))
  })

  it('keeps the time of day of an instant that is no day start, on the day the clocks jump at midnight', () => {
    // 10:30 CST on 03-07 in Havana, plus a day: 10:30 CDT on 03-08.
    expect(addCalendar(at('2026-03-07T15:30:00Z'), 'America/Havana', 1, 'day')).toBe(
      at('2026-03-08T14:30:00Z'),
    )
  })

  it('moves a day start off midnight (a gap at midnight) to the day start a month away', () => {
    // 03-08 began at 01:00 in Havana; 04-08 and 02-08 began at midnight.
    const start = at('2026-03-08T05:00:00Z')
    expect(addCalendar(start, 'America/Havana', 1, 'month')).toBe(at('2026-04-08T04:00:00Z'))
    expect(addCalendar(start, 'America/Havana', -1, 'month')).toBe(at('2026-02-08T05:00:00Z'))
  })
})

describe('Pacific/Apia, which skipped 2011-12-30 (from -10:00 to +14:00)', () => {
  it('repeats no day boundary across the missing day', () => {
    // 12-29 00:00 (-10:00), then 12-31 00:00 (+14:00), which the missing 12-30's midnight resolves to, then 01-01.
    expect(
      bucketBounds(at('2011-12-29T10:00:00Z'), at('2011-12-31T10:00:00Z'), 'Pacific/Apia', 'day'),
    ).toEqual([at('2011-12-29T10:00:00Z'), at('2011-12-30T10:00:00Z'), at('2011-12-31T10:00:00Z')])
  })
})
