/**
 * The period model of both analytics routes: an IANA zone's days, weeks and months (DST included), whole hours only
 * (the privacy floor), and answers that do not change when a favourite moves inside its hour.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { createActivity, createFavorite, createUser, newCompanyId } from '../../support/database'
import { staffToken } from '../../support/tokens'

type Bucket = { start: string; favorites: number; previousCount?: number }
type Series = { period: { from: string; to: string; tz: string }; buckets: Bucket[] }

async function get<T>(token: string, path: string): Promise<T> {
  const response = await api(path, { token })
  expect(response.status, await response.clone().text()).toBe(200)
  return (await response.json()) as T
}

async function companyWithFavourites(...instants: string[]) {
  const companyId = newCompanyId()
  const activity = await createActivity({ companyId, name: 'Zoned' })
  for (const instant of instants) await createFavorite(await createUser(), activity.id, new Date(instant))
  return { token: await staffToken(companyId), activity }
}

describe('analytics in a time zone', () => {
  // The period is [from, to): a favourite at exactly `to`, or a millisecond before a mid-day `from`, is outside.
  it('counts a favourite at exactly `from` and one a millisecond before `to`, never one at `to` or before `from`', async () => {
    const { token, activity } = await companyWithFavourites(
      '2026-05-10T12:59:59.999Z', // before a mid-day from, on the same day
      '2026-05-10T13:00:00.000Z', // exactly from
      '2026-05-11T08:59:59.999Z', // a millisecond before to
      '2026-05-11T09:00:00.000Z', // exactly to
    )
    const period = 'from=2026-05-10T13:00:00Z&to=2026-05-11T09:00:00Z'
    const table = await get<{ items: { favoritesInPeriod: number; totalFavorites: number }[] }>(
      token,
      `/analytics/favorites?${period}`,
    )
    expect(table.items).toMatchObject([{ favoritesInPeriod: 2, totalFavorites: 4 }])
    const series = await get<Series>(
      token,
      `/analytics/favorites/timeseries?${period}&activityId=${activity.id}&compare=previous`,
    )
    // The first bucket starts at midnight but counts only from 13:00. Each bucket's previousCount is its part of the
    // period shifted back 20 hours: the second's, [10th 04:00, 13:00), holds the favourite at 12:59:59.999.
    expect(series.buckets).toEqual([
      { start: '2026-05-10T00:00:00Z', favorites: 1, previousCount: 0 },
      { start: '2026-05-11T00:00:00Z', favorites: 1, previousCount: 1 },
    ])
  })

  it("has Berlin's 23-hour spring day and 25-hour autumn day as day buckets", async () => {
    const { token } = await companyWithFavourites(
      '2026-03-28T23:30:00Z', // 00:30 CET on the 29th
      '2026-03-29T21:30:00Z', // 23:30 CEST on the 29th: still the 29th, the day had 23 hours
      '2026-03-29T22:30:00Z', // 00:30 CEST on the 30th
      '2026-10-25T22:30:00Z', // 23:30 CET on the 25th, the day had 25 hours
      '2026-10-25T23:30:00Z', // 00:30 CET on the 26th
      '2026-10-24T12:00:00Z', // two days before the 26th: its bucket in the previous period
    )
    const spring = await get<Series>(
      token,
      '/analytics/favorites/timeseries?from=2026-03-28&to=2026-03-31&tz=Europe/Berlin',
    )
    expect(spring.period).toEqual({
      from: '2026-03-28T00:00:00+01:00',
      to: '2026-03-31T00:00:00+02:00',
      tz: 'Europe/Berlin',
    })
    expect(spring.buckets).toEqual([
      { start: '2026-03-28T00:00:00+01:00', favorites: 0 },
      { start: '2026-03-29T00:00:00+01:00', favorites: 2 },
      { start: '2026-03-30T00:00:00+02:00', favorites: 1 },
    ])
    const autumn = await get<Series>(
      token,
      '/analytics/favorites/timeseries?from=2026-10-25&to=2026-10-27&tz=Europe/Berlin&compare=previous',
    )
    expect(autumn.buckets).toEqual([
      { start: '2026-10-25T00:00:00+02:00', favorites: 1, previousCount: 0 },
      { start: '2026-10-26T00:00:00+01:00', favorites: 1, previousCount: 1 },
    ])
  })

  it('starts Kathmandu days at 18:15 UTC and refuses bounds off its whole hours', async () => {
    const { token } = await companyWithFavourites('2026-01-01T18:14:00Z', '2026-01-01T18:15:00Z')
    const days = await get<Series>(
      token,
      '/analytics/favorites/timeseries?from=2026-01-01&to=2026-01-03&tz=Asia/Kathmandu',
    )
    expect(days.buckets).toEqual([
      { start: '2026-01-01T00:00:00+05:45', favorites: 1 },
      { start: '2026-01-02T00:00:00+05:45', favorites: 1 },
    ])
    const table = await get<{ items: { lastFavoritedAt: string; favoritesInPeriod: number }[] }>(
      token,
      '/analytics/favorites?from=2026-01-02&to=2026-01-03&tz=Asia/Kathmandu',
    )
    // 18:15Z is 00:00 in Kathmandu: the hour of the newest favourite, in the zone.
    expect(table.items[0]).toMatchObject({
      favoritesInPeriod: 1,
      lastFavoritedAt: '2026-01-02T00:00:00+05:45',
    })
    // A whole UTC hour is not a whole Kathmandu hour.
    const problem = await expectProblem(
      await api('/analytics/favorites?from=2026-01-01T00:00:00Z&to=2026-01-02&tz=Asia/Kathmandu', { token }),
      400,
    )
    expect(problem.issues?.map((issue) => issue.path)).toEqual(['query.from'])
  })

  it('echoes the zone as written, and counts the same for any spelling of it', async () => {
    const { token } = await companyWithFavourites('2026-01-01T18:15:00Z')
    const asked = (tz: string) =>
      get<Series>(token, `/analytics/favorites/timeseries?from=2026-01-01&to=2026-01-03&tz=${tz}`)
    const [canonical, lower, renamed] = await Promise.all([
      asked('Asia/Kathmandu'),
      asked('asia/kathmandu'),
      asked('Asia/Katmandu'),
    ])
    expect(canonical.period.tz).toBe('Asia/Kathmandu')
    expect(lower.period.tz).toBe('asia/kathmandu')
    expect(renamed.period.tz).toBe('Asia/Katmandu')
    expect(lower.buckets).toEqual(canonical.buckets)
    expect(renamed.buckets).toEqual(canonical.buckets)
    expect(canonical.buckets.map((bucket) => bucket.favorites)).toEqual([0, 1])
  })

  it('starts ISO weeks on Monday in the zone', async () => {
    // Sunday 2026-03-01 20:00 UTC is Monday 05:00 in Tokyo.
    const { token } = await companyWithFavourites('2026-03-01T20:00:00Z')
    const tokyo = await get<Series>(
      token,
      '/analytics/favorites/timeseries?from=2026-02-23&to=2026-03-09&interval=week&tz=Asia/Tokyo',
    )
    expect(tokyo.buckets).toEqual([
      { start: '2026-02-23T00:00:00+09:00', favorites: 0 },
      { start: '2026-03-02T00:00:00+09:00', favorites: 1 },
    ])
    const utc = await get<Series>(
      token,
      '/analytics/favorites/timeseries?from=2026-02-23&to=2026-03-09&interval=week',
    )
    expect(utc.buckets.map((bucket) => bucket.favorites)).toEqual([1, 0])
  })

  it.each([
    ['from=2026-01-01T10:30:00Z', 'query.from'],
    ['to=2026-01-01T10:00:00.001Z', 'query.to'],
    ['from=2026-01-01T10:00:01%2B01:00&to=2026-01-02', 'query.from'],
    ['tz=Mars/Olympus', 'query.tz'],
    ['tz=%2B05:45', 'query.tz'],
    ['compare=next', 'query.compare'],
  ])('refuses %s on both routes, naming %s', async (query, path) => {
    const token = await staffToken(newCompanyId())
    for (const route of ['/analytics/favorites', '/analytics/favorites/timeseries']) {
      const problem = await expectProblem(await api(`${route}?${query}`, { token }), 400)
      expect(problem.issues?.map((issue) => issue.path)).toEqual([path])
    }
  })

  it('answers the same, to the byte, when favourites move anywhere inside their hour', async () => {
    const hour = fc.integer({ min: 0, max: 24 * 40 - 1 })
    const moment = fc.record({
      hour,
      a: fc.integer({ min: 0, max: 3_599_999 }),
      b: fc.integer({ min: 0, max: 3_599_999 }),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.array(moment, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('UTC', 'Asia/Kathmandu', 'Europe/Berlin'),
        async (moments, tz) => {
          // Hours of the zone: Kathmandu's start at :15 UTC.
          const shift = tz === 'Asia/Kathmandu' ? 15 * 60_000 : 0
          const base = Date.parse('2026-03-10T00:00:00Z') + shift
          const at = (m: { hour: number }, within: number) =>
            new Date(base + m.hour * 3_600_000 + within).toISOString()
          const first = await companyWithFavourites(...moments.map((m) => at(m, m.a)))
          const second = await companyWithFavourites(...moments.map((m) => at(m, m.b)))
          const answers = async (c: { token: string; activity: { id: string } }) => {
            const query = `from=2026-03-01&to=2026-05-01&tz=${tz}&compare=previous`
            const bodies = await Promise.all(
              [
                `/analytics/favorites?${query}&sort=lastFavorited`,
                `/analytics/favorites/timeseries?${query}`,
                `/analytics/favorites/timeseries?${query}&interval=week`,
              ].map(async (path) => (await api(path, { token: c.token })).text()),
            )
            const csv = await (
              await api(`/analytics/favorites?${query}`, { token: c.token, headers: { Accept: 'text/csv' } })
            ).text()
            return [...bodies, csv].map((body) => body.replaceAll(c.activity.id, '<activity>'))
          }
          expect(await answers(second)).toEqual(await answers(first))
        },
      ),
      { numRuns: 12 },
    )
  }, 60_000)
})
