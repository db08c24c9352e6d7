/**
 * How a period is split into month, day and quarter-hour rows (src/queries/count-ranges.ts), on its own: the
 * signed terms must count exactly the instants inside the period, for any quarter-hour bounds, and read few rows.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CountRange, GRAINS, type Grain, rangeTerms } from '../../src/queries/count-ranges'

const SLOT = 15 * 60_000
const DAY = 86_400_000
const BASE = Date.UTC(2026, 0, 1)

/** The start of each grain's unit holding an instant, computed on its own here. */
const UNIT_OF: Record<Grain, (ms: number) => number> = {
  slots: (ms) => ms - (((ms % SLOT) + SLOT) % SLOT),
  days: (ms) =>
    Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), new Date(ms).getUTCDate()),
  months: (ms) => Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), 1),
  years: (ms) => Date.UTC(new Date(ms).getUTCFullYear(), 0, 1),
}

/** Counts `instants` as the rows of the terms would: each instant lands in one row per grain. */
function countedByTerms(
  range: CountRange,
  grains: readonly Grain[],
  now: number,
  instants: number[],
): number {
  const terms = rangeTerms([range], grains, now)
  let n = 0
  for (const at of instants) {
    for (const grain of GRAINS) {
      const unit = UNIT_OF[grain](at)
      for (const t of terms[grain]) if (unit >= t.lo && unit < t.hi) n += t.sign
    }
  }
  return n
}

const ALL: readonly Grain[] = GRAINS
const COMPANY: readonly Grain[] = ['slots', 'days']
const FAR = Date.UTC(2100, 0, 1)

const slotIndex = fc.integer({ min: 0, max: 500 * 96 })
const range = fc
  .tuple(slotIndex, fc.integer({ min: 1, max: 400 * 96 }))
  .map(([start, length]) => ({ from: BASE + start * SLOT, to: BASE + (start + length) * SLOT }))

describe('rangeTerms', () => {
  it('counts exactly the instants inside the period, with every grain or a company’s two, wherever now is', () => {
    fc.assert(
      fc.property(
        range,
        fc.constantFrom(ALL, COMPANY),
        // Where "now" is (terms after it read nothing, so the split may differ): any of the range, before or after.
        fc.integer({ min: -10 * DAY, max: 950 * DAY }),
        fc.array(fc.integer({ min: -10 * DAY, max: 950 * DAY }), { maxLength: 60 }),
        (r, grains, now, offsets) => {
          // Instants at and around the bounds, where an off-by-one would show, and anywhere else.
          const instants = [
            ...offsets.map((o) => BASE + o),
            r.from,
            r.from - 1,
            r.to,
            r.to - 1,
            r.from - SLOT,
            r.to + SLOT,
          ]
          const expected = instants.filter((at) => at >= r.from && at < r.to).length
          expect(countedByTerms(r, grains, BASE + now, instants)).toBe(expected)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('reads a month row, not 30 day rows, and a day row minus the few quarter-hours it lacks', () => {
    // 2026-03-01 01:00 to 2026-04-30 23:00: March whole; April is its month minus the last hour; the first day is its
    // day row minus the first hour.
    const terms = rangeTerms([{ from: Date.UTC(2026, 2, 1, 1), to: Date.UTC(2026, 3, 30, 23) }], ALL, FAR)
    expect(terms.months).toEqual([{ k: 0, sign: 1, lo: Date.UTC(2026, 2, 1), hi: Date.UTC(2026, 4, 1) }])
    expect(terms.days).toEqual([])
    expect(terms.slots).toEqual([
      { k: 0, sign: -1, lo: Date.UTC(2026, 2, 1), hi: Date.UTC(2026, 2, 1, 1) },
      { k: 0, sign: -1, lo: Date.UTC(2026, 3, 30, 23), hi: Date.UTC(2026, 4, 1) },
    ])
    // Without month rows (a company's counts): the days, whole.
    const days = rangeTerms([{ from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 3, 1) }], COMPANY, FAR)
    expect(days).toEqual({
      years: [],
      months: [],
      days: [{ k: 0, sign: 1, lo: Date.UTC(2026, 2, 1), hi: Date.UTC(2026, 3, 1) }],
      slots: [],
    })
  })

  it('reads a year as its row, and a year to date as the year minus nothing after now', () => {
    const year = rangeTerms([{ from: Date.UTC(2025, 0, 1), to: Date.UTC(2026, 0, 1) }], ALL, FAR)
    expect(year.years).toEqual([{ k: 0, sign: 1, lo: Date.UTC(2025, 0, 1), hi: Date.UTC(2026, 0, 1) }])
    expect([...year.months, ...year.days, ...year.slots]).toEqual([])
    // The last 366 days up to 2026-12-02 10:00, asked on that day: 2026 as its row minus the rest of today (the days
    // and months after today hold nothing yet), December 2025 as its row minus its first day and a morning.
    const now = Date.UTC(2026, 11, 2, 10)
    const rolling = rangeTerms([{ from: now - 366 * DAY, to: now }], ALL, now)
    expect(rolling.years).toEqual([{ k: 0, sign: 1, lo: Date.UTC(2026, 0, 1), hi: Date.UTC(2027, 0, 1) }])
    expect(rolling.months.filter((t) => t.sign === 1)).toEqual([
      { k: 0, sign: 1, lo: Date.UTC(2025, 11, 1), hi: Date.UTC(2026, 0, 1) },
    ])
    const rows = (g: Grain) => rolling[g].length
    expect(rows('years') + rows('months') + rows('days') + rows('slots')).toBeLessThanOrEqual(8)
  })

  /** Terms as the rows they read, grain by grain, each as `+` or `-` and its ISO bounds, for readable expectations. */
  const readable = (terms: ReturnType<typeof rangeTerms>) =>
    Object.fromEntries(
      GRAINS.map((g) => [g, terms[g].map((t) => `${t.sign === 1 ? '+' : '-'}${iso(t.lo)}..${iso(t.hi)}`)]),
    )
  const iso = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z')
  const utc = (s: string) => Date.parse(s)

  it.each([
    {
      why: 'a day but its last quarter-hour: the day row minus that quarter-hour',
      from: '2026-03-10T00:00Z',
      to: '2026-03-10T23:45Z',
      grains: COMPANY,
      now: FAR,
      expected: {
        days: ['+2026-03-10T00:00Z..2026-03-11T00:00Z'],
        slots: ['-2026-03-10T23:45Z..2026-03-11T00:00Z'],
      },
    },
    {
      why: 'a month but its last day: the month row minus that day',
      from: '2026-03-01T00:00Z',
      to: '2026-03-31T00:00Z',
      grains: ALL,
      now: FAR,
      expected: {
        months: ['+2026-03-01T00:00Z..2026-04-01T00:00Z'],
        days: ['-2026-03-31T00:00Z..2026-04-01T00:00Z'],
      },
    },
    {
      why: '16 of 31 days, as cheap either way: the finer rows',
      from: '2026-03-01T00:00Z',
      to: '2026-03-17T00:00Z',
      grains: ALL,
      now: FAR,
      expected: { days: ['+2026-03-01T00:00Z..2026-03-17T00:00Z'] },
    },
    {
      why: '7 months inside a year: the year row minus the 5 months around them',
      from: '2026-03-01T00:00Z',
      to: '2026-10-01T00:00Z',
      grains: ALL,
      now: FAR,
      expected: {
        years: ['+2026-01-01T00:00Z..2027-01-01T00:00Z'],
        months: ['-2026-01-01T00:00Z..2026-03-01T00:00Z', '-2026-10-01T00:00Z..2027-01-01T00:00Z'],
      },
    },
    {
      why: 'half an hour when the next quarter-hour has begun: its two quarter-hours',
      from: '2026-03-10T00:00Z',
      to: '2026-03-10T00:30Z',
      grains: COMPANY,
      now: utc('2026-03-10T00:37Z'),
      expected: { slots: ['+2026-03-10T00:00Z..2026-03-10T00:30Z'] },
    },
    {
      why: 'half an hour when now is in the second quarter-hour after it: its two quarter-hours (day row minus 2 is 3)',
      from: '2026-03-10T00:00Z',
      to: '2026-03-10T00:30Z',
      grains: COMPANY,
      now: utc('2026-03-10T00:50Z'),
      expected: { slots: ['+2026-03-10T00:00Z..2026-03-10T00:30Z'] },
    },
    {
      why: 'half an hour up to now: the day row, as nothing after now has rows yet',
      from: '2026-03-10T00:00Z',
      to: '2026-03-10T00:30Z',
      grains: COMPANY,
      now: utc('2026-03-10T00:30Z'),
      expected: {
        days: ['+2026-03-10T00:00Z..2026-03-11T00:00Z'],
        slots: ['-2026-03-10T00:30Z..2026-03-11T00:00Z'],
      },
    },
    {
      why: 'a period after now, which has no rows at all: the finest rows',
      from: '2026-03-10T00:00Z',
      to: '2026-03-10T12:15Z',
      grains: COMPANY,
      now: utc('2026-03-01T00:00Z'),
      expected: { slots: ['+2026-03-10T00:00Z..2026-03-10T12:15Z'] },
    },
  ])('reads $why', ({ from, to, grains, now, expected }) => {
    const terms = rangeTerms([{ from: utc(from), to: utc(to) }], grains, now)
    expect(readable(terms)).toEqual({ years: [], months: [], days: [], slots: [], ...expected })
  })

  it('keeps each range under its own key', () => {
    const terms = rangeTerms(
      [
        { from: Date.UTC(2026, 0, 5, 10), to: Date.UTC(2026, 0, 5, 11) },
        { from: Date.UTC(2026, 0, 6), to: Date.UTC(2026, 0, 7) },
      ],
      ALL,
      FAR,
    )
    expect(terms.slots).toEqual([
      { k: 0, sign: 1, lo: Date.UTC(2026, 0, 5, 10), hi: Date.UTC(2026, 0, 5, 11) },
    ])
    expect(terms.days).toEqual([{ k: 1, sign: 1, lo: Date.UTC(2026, 0, 6), hi: Date.UTC(2026, 0, 7) }])
  })
})
