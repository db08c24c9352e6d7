/**
 * The analytics period on its own: which bounds parse, the default period, the rules a period must follow (with the
 * messages the 400 carries), and how many buckets a timeseries has. The routes' tests check the same through HTTP.
 */
import { describe, expect, it } from 'vitest'
import {
  bucketCount,
  misaligned,
  parseBound,
  periodIssues,
  previousPeriod,
  resolvePeriod,
} from '../../src/analytics/period'

const at = (iso: string): number => Date.parse(iso)
const HOUR_MESSAGE = (zone: string) =>
  `Must be on a whole hour in ${zone}: analytics never resolves a time finer than an hour`

describe('parseBound', () => {
  it('reads dates and RFC 3339 instants from 1970 to 9999', () => {
    expect(parseBound('2026-03-01')).toEqual({ date: { year: 2026, month: 3, day: 1 } })
    expect(parseBound('1970-01-01')).toEqual({ date: { year: 1970, month: 1, day: 1 } })
    expect(parseBound('9999-12-31')).toEqual({ date: { year: 9999, month: 12, day: 31 } })
    expect(parseBound('2026-03-01T10:00:00+05:45')).toEqual({ instant: at('2026-03-01T04:15:00Z') })
    expect(parseBound('1970-01-01T00:00:00Z')).toEqual({ instant: 0 })
    expect(parseBound('9999-12-31T23:00:00Z')).toEqual({ instant: at('9999-12-31T23:00:00Z') })
  })

  it('refuses years out of range, in either form (an offset can carry an instant into year 10000)', () => {
    expect(parseBound('1969-12-31')).toBeUndefined()
    expect(parseBound('1969-12-31T23:00:00Z')).toBeUndefined()
    expect(parseBound('1970-01-01T00:00:00+01:00')).toBeUndefined()
    expect(parseBound('9999-12-31T23:00:00-05:00')).toBeUndefined()
  })

  it('refuses anything longer than 64 characters, and what is not a date or an instant with an offset', () => {
    const fraction = (digits: number) => `2026-03-01T10:00:00.${'0'.repeat(digits)}Z`
    expect(fraction(43)).toHaveLength(64)
    expect(parseBound(fraction(43))).toEqual({ instant: at('2026-03-01T10:00:00Z') })
    expect(parseBound(fraction(44))).toBeUndefined()
    for (const text of [
      '2026-03-01T10:00:00',
      '2026-3-1',
      'yesterday',
      '',
      '2026-02-30',
      '2026-02-30T10:00:00Z',
    ]) {
      expect(parseBound(text), text).toBeUndefined()
    }
  })
})

describe('resolvePeriod', () => {
  it('ends a default period at the next whole hour in the zone, or at now when now is one', () => {
    expect(resolvePeriod(undefined, undefined, 'UTC', at('2026-03-01T12:00:00Z')).to).toBe(
      at('2026-03-01T12:00:00Z'),
    )
    expect(resolvePeriod(undefined, undefined, 'UTC', at('2026-03-01T12:00:00.001Z')).to).toBe(
      at('2026-03-01T13:00:00Z'),
    )
    // Kathmandu's hours start at :15 UTC.
    expect(resolvePeriod(undefined, undefined, 'Asia/Kathmandu', at('2026-03-01T12:00:00Z'))).toEqual({
      from: at('2026-01-30T12:15:00Z'),
      to: at('2026-03-01T12:15:00Z'),
      zone: 'Asia/Kathmandu',
    })
  })

  it('takes the previous period of the same wall-clock length', () => {
    const day = {
      from: at('2026-03-29T00:00:00+01:00'),
      to: at('2026-03-30T00:00:00+02:00'),
      zone: 'Europe/Berlin',
    }
    expect(previousPeriod(day)).toEqual({
      from: at('2026-03-28T00:00:00+01:00'),
      to: day.from,
      zone: day.zone,
    })
  })
})

describe('periodIssues', () => {
  const utc = (from: string, to: string) => ({ from: at(from), to: at(to), zone: 'UTC' })

  it('accepts a period on whole hours, from before to, within the maximum', () => {
    expect(periodIssues(utc('2026-03-01T00:00:00Z', '2026-03-31T00:00:00Z'), 366)).toEqual([])
  })

  it('names each bound off the hour, with the privacy floor as the reason', () => {
    const both = utc('2026-03-01T00:30:00Z', '2026-03-02T00:30:00Z')
    const expected = [
      { path: 'from', message: HOUR_MESSAGE('UTC') },
      { path: 'to', message: HOUR_MESSAGE('UTC') },
    ]
    expect(periodIssues(both)).toEqual(expected)
    expect(periodIssues(both, undefined, true)).toEqual(expected)
    expect(periodIssues(utc('2026-03-01T00:30:00Z', '2026-03-02T00:00:00Z'))).toEqual([expected[0]])
  })

  it('does not blame a default from for the stated to it was derived from', () => {
    const derived = utc('2026-03-01T00:30:00Z', '2026-03-31T00:30:00Z')
    expect(periodIssues(derived, undefined, false)).toEqual([{ path: 'to', message: HOUR_MESSAGE('UTC') }])
    // A default `from` off the hour while `to` is on it is still named.
    expect(periodIssues(utc('2026-03-01T00:30:00Z', '2026-03-02T00:00:00Z'), undefined, false)).toEqual([
      { path: 'from', message: HOUR_MESSAGE('UTC') },
    ])
  })

  it('says why an empty, reversed or too long period is refused', () => {
    expect(periodIssues(utc('2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'))).toEqual([
      { path: 'to', message: '`to` must be after `from`' },
    ])
    expect(periodIssues(utc('2026-01-01T00:00:00Z', '2027-01-02T01:00:00Z'), 366)).toEqual([
      { path: 'to', message: 'The period must be at most 366 days long' },
    ])
  })

  it('refuses whole hours of a zone whose offset then was not on the quarter-hour grid', () => {
    // Pacific/Kiritimati was UTC-10:40 until 1979: its whole hours fell at :40 UTC.
    const period = {
      from: at('1975-06-01T00:00:00-10:40'),
      to: at('1975-06-02T00:00:00-10:40'),
      zone: 'Pacific/Kiritimati',
    }
    expect(periodIssues(period)).toEqual([
      {
        path: 'tz',
        message: "Pacific/Kiritimati's offset at these dates is not a whole number of quarter-hours",
      },
    ])
  })
})

describe('misaligned', () => {
  it('names the zone when any bound is off the quarter-hour grid, and nothing when all are on it', () => {
    const issue = [
      { path: 'tz', message: "UTC's offset at these dates is not a whole number of quarter-hours" },
    ]
    expect(misaligned([0, 15 * 60_000, 3_600_000], 'UTC')).toEqual([])
    expect(misaligned([0, 60_000], 'UTC')).toEqual(issue)
    expect(misaligned([60_000, 0], 'UTC')).toEqual(issue)
  })
})

describe('bucketCount', () => {
  it('counts the calendar days, weeks (from Monday) and months a period touches', () => {
    const period = (from: string, to: string, zone = 'UTC') => ({ from: at(from), to: at(to), zone })
    expect(bucketCount(period('2026-01-05T00:00:00Z', '2026-02-02T00:00:00Z'), 'week')).toBe(4)
    expect(bucketCount(period('2026-01-07T00:00:00Z', '2026-01-22T00:00:00Z'), 'week')).toBe(3)
    expect(bucketCount(period('2026-01-15T00:00:00Z', '2026-04-10T00:00:00Z'), 'month')).toBe(4)
    expect(bucketCount(period('2025-11-01T00:00:00Z', '2026-02-01T00:00:00Z'), 'month')).toBe(3)
    expect(bucketCount(period('2025-12-31T00:00:00Z', '2026-01-02T00:00:00Z'), 'day')).toBe(2)
  })
})
