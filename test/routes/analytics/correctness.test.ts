/**
 * Random favourites at random times, in UTC and in Asia/Kathmandu (+05:45, no daylight saving time, so the test can
 * do its own calendar math by shifting the offset): every count of the table and every timeseries bucket, with the
 * previous period's, must equal what the test computes on its own from the rows it inserted; `lastFavoritedAt` is
 * the zone's hour. Berlin's DST days are in time-zones.test.ts.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { FavoriteActivityAnalyticsItemDto } from '../../../src/contracts/analytics'
import * as schema from '../../../src/db/schema'
import { api } from '../../support/api'
import { newCompanyId, testDb } from '../../support/database'
import { staffToken } from '../../support/tokens'

const DAY = 86_400_000
const HOUR = 3_600_000
const MINUTE = 60_000
const ZONES = [
  { tz: 'UTC', offset: 0, suffix: 'Z' },
  { tz: 'Asia/Kathmandu', offset: 345 * MINUTE, suffix: '+05:45' },
] as const
type Zone = (typeof ZONES)[number]

/** An instant as the API writes it in the zone: wall time with the zone's offset, whole seconds. */
const inZone = (ms: number, zone: Zone) =>
  `${new Date(ms + zone.offset).toISOString().slice(0, 19)}${zone.suffix}`
const hourIn = (ms: number, zone: Zone) => Math.floor((ms + zone.offset) / HOUR) * HOUR - zone.offset
// A Sunday, so that weeks straddle the window.
const BASE = Date.parse('2026-03-01T00:00:00.000Z')

type Item = FavoriteActivityAnalyticsItemDto
type Interval = 'day' | 'week' | 'month'

const scenario = fc.record({
  activities: fc.array(fc.constantFrom<schema.ActivityTypeValue>('SLOT_BASED', 'SERVICE'), {
    minLength: 1,
    maxLength: 4,
  }),
  users: fc.integer({ min: 1, max: 5 }),
  // (user, activity, time) with the time in minutes around BASE plus some milliseconds; unique per user+activity.
  favourites: fc.uniqueArray(
    fc.record({
      user: fc.nat(4),
      activity: fc.nat(3),
      minute: fc.integer({ min: -20 * 24 * 60, max: 45 * 24 * 60 }),
      ms: fc.constantFrom(0, 0, 1, 999, 59_999),
    }),
    { selector: (f) => `${f.user}/${f.activity}`, maxLength: 20 },
  ),
  fromHour: fc.integer({ min: -10 * 24, max: 20 * 24 }),
  lengthHours: fc.integer({ min: 1, max: 40 * 24 }),
  zone: fc.constantFrom(...ZONES),
  compare: fc.boolean(),
  interval: fc.constantFrom<Interval>('day', 'week', 'month'),
  sort: fc.constantFrom('total', 'inPeriod', 'lastFavorited', 'name'),
  order: fc.constantFrom('asc', 'desc'),
})

function bucketOf(ms: number, interval: Interval): number {
  const d = new Date(ms)
  if (interval === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  return interval === 'day' ? day : day - ((d.getUTCDay() + 6) % 7) * DAY
}

function nextBucket(start: number, interval: Interval): number {
  if (interval === 'day') return start + DAY
  if (interval === 'week') return start + 7 * DAY
  const d = new Date(start)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
}

/** The buckets in the zone: the UTC calendar math on wall times (the zone's offset is constant). */
function expectedBuckets(
  times: number[],
  from: number,
  to: number,
  interval: Interval,
  zone: Zone,
  compare: boolean,
) {
  const length = to - from
  const count = (lo: number, hi: number) => times.filter((t) => t >= lo && t < hi).length
  const buckets: { start: string; favorites: number; previousCount?: number }[] = []
  const wallFrom = from + zone.offset
  const wallTo = to + zone.offset
  for (let start = bucketOf(wallFrom, interval); start < wallTo; start = nextBucket(start, interval)) {
    const lo = Math.max(start, wallFrom) - zone.offset
    const hi = Math.min(nextBucket(start, interval), wallTo) - zone.offset
    buckets.push({
      start: inZone(start - zone.offset, zone),
      favorites: count(lo, hi),
      ...(compare ? { previousCount: count(lo - length, hi - length) } : {}),
    })
  }
  return buckets
}

describe('analytics correctness against independently computed counts', () => {
  it('matches every count and every bucket', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const companyId = newCompanyId()
        const activities = await testDb
          .insert(schema.activities)
          .values(s.activities.map((type, n) => ({ companyId, type, name: `Random ${n}` })))
          .returning()
        const users = await testDb
          .insert(schema.users)
          .values(Array.from({ length: s.users }, () => ({})))
          .returning()
        const rows = s.favourites
          .filter((f) => f.user < users.length && f.activity < activities.length)
          .map((f) => ({
            userId: users[f.user]?.id as string,
            activityId: activities[f.activity]?.id as string,
            createdAt: new Date(BASE + f.minute * MINUTE + f.ms),
          }))
        if (rows.length > 0) await testDb.insert(schema.userActivityFavorites).values(rows)

        const zone = s.zone
        const from = BASE - zone.offset + s.fromHour * HOUR
        const to = from + s.lengthHours * HOUR
        const period =
          `from=${encodeURIComponent(inZone(from, zone))}&to=${encodeURIComponent(inZone(to, zone))}&tz=${zone.tz}` +
          (s.compare ? '&compare=previous' : '')
        const before = from - (to - from)
        const token = await staffToken(companyId)

        // The table.
        const expected: Item[] = activities.map((a) => {
          const times = rows.filter((r) => r.activityId === a.id).map((r) => r.createdAt.getTime())
          return {
            activityId: a.id,
            activityName: a.name,
            activityType: a.type,
            totalFavorites: times.length,
            favoritesInPeriod: times.filter((t) => t >= from && t < to).length,
            ...(s.compare
              ? { favoritesInPreviousPeriod: times.filter((t) => t >= before && t < from).length }
              : {}),
            lastFavoritedAt: times.length ? inZone(hourIn(Math.max(...times), zone), zone) : null,
          }
        })
        const key = (i: Item): number | string =>
          s.sort === 'total'
            ? i.totalFavorites
            : s.sort === 'inPeriod'
              ? i.favoritesInPeriod
              : s.sort === 'name'
                ? i.activityName
                : i.lastFavoritedAt === null
                  ? Number.NEGATIVE_INFINITY
                  : Date.parse(i.lastFavoritedAt)
        const sign = s.order === 'asc' ? 1 : -1
        expected.sort((a, b) => {
          const [ka, kb] = [key(a), key(b)]
          const byKey = ka < kb ? -1 : ka > kb ? 1 : 0
          return sign * (byKey || (a.activityId < b.activityId ? -1 : 1))
        })
        const list = await api(`/analytics/favorites?${period}&sort=${s.sort}&order=${s.order}&limit=2`, {
          token,
        })
        expect(list.status).toBe(200)
        const items: Item[] = []
        let page = (await list.json()) as { items: Item[]; nextCursor: string | null }
        items.push(...page.items)
        while (page.nextCursor) {
          const next = await api(
            `/analytics/favorites?${period}&sort=${s.sort}&order=${s.order}&limit=2&cursor=${page.nextCursor}`,
            { token },
          )
          page = (await next.json()) as typeof page
          items.push(...page.items)
        }
        expect(items).toEqual(expected)
        expect(page).toMatchObject({
          period: { from: inZone(from, zone), to: inZone(to, zone), tz: zone.tz },
        })

        // The timeseries, for the company and for each activity.
        const allTimes = rows.map((r) => r.createdAt.getTime())
        const series = await api(`/analytics/favorites/timeseries?${period}&interval=${s.interval}`, {
          token,
        })
        expect(((await series.json()) as { buckets: unknown }).buckets).toEqual(
          expectedBuckets(allTimes, from, to, s.interval, zone, s.compare),
        )
        for (const activity of activities) {
          const times = rows.filter((r) => r.activityId === activity.id).map((r) => r.createdAt.getTime())
          const one = await api(
            `/analytics/favorites/timeseries?${period}&interval=${s.interval}&activityId=${activity.id}`,
            { token },
          )
          expect(((await one.json()) as { buckets: unknown }).buckets).toEqual(
            expectedBuckets(times, from, to, s.interval, zone, s.compare),
          )
        }
      }),
      { numRuns: 20 },
    )
  }, 60_000)
})
