/** GET /analytics/favorites/timeseries: every bucket, zeros included, UTC; and every 400. */
import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import {
  countRoundTrips,
  createActivity,
  createFavorite,
  createUser,
  newCompanyId,
} from '../../support/database'
import { staffToken } from '../../support/tokens'

type Series = {
  period: { from: string; to: string; tz: string }
  interval: string
  activityId: string | null
  buckets: { start: string; favorites: number }[]
}

const DAY = 86_400_000

async function series(token: string, query: string): Promise<Series> {
  const response = await api(`/analytics/favorites/timeseries${query}`, { token })
  expect(response.status, await response.clone().text()).toBe(200)
  expect(response.headers.get('Cache-Control')).toBe('private, max-age=60')
  return (await response.json()) as Series
}

async function favouriteAt(activityId: string, ...instants: string[]) {
  for (const instant of instants) await createFavorite(await createUser(), activityId, new Date(instant))
}

describe('GET /analytics/favorites/timeseries', () => {
  it('has one bucket per UTC day, zeros included, counting [from, to) only', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    await favouriteAt(
      activity.id,
      '2026-03-01T00:00:00Z',
      '2026-03-01T23:59:59.999Z',
      '2026-03-03T12:00:00Z',
      '2026-03-05T00:00:00Z', // at `to`: out
      '2026-02-28T23:59:59.999Z', // before `from`: out
    )
    const result = await series(await staffToken(companyId), '?from=2026-03-01&to=2026-03-05&interval=day')
    expect(result).toEqual({
      period: { from: '2026-03-01T00:00:00Z', to: '2026-03-05T00:00:00Z', tz: 'UTC' },
      interval: 'day',
      activityId: null,
      buckets: [
        { start: '2026-03-01T00:00:00Z', favorites: 2 },
        { start: '2026-03-02T00:00:00Z', favorites: 0 },
        { start: '2026-03-03T00:00:00Z', favorites: 1 },
        { start: '2026-03-04T00:00:00Z', favorites: 0 },
      ],
    })
  })

  it('uses ISO weeks starting on Monday, with partial first and last buckets', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    // 2026-03-01 is a Sunday; 2026-03-02 a Monday.
    await favouriteAt(
      activity.id,
      '2026-02-28T10:00:00Z', // Saturday, before `from`: out
      '2026-03-01T10:00:00Z', // Sunday: week of Mon 2026-02-23
      '2026-03-02T00:00:00Z', // Monday: week of 2026-03-02
      '2026-03-08T23:59:59Z', // Sunday: week of 2026-03-02
      '2026-03-16T09:00:00Z', // Monday: week of 2026-03-16
    )
    const result = await series(await staffToken(companyId), '?from=2026-03-01&to=2026-03-17&interval=week')
    expect(result.buckets).toEqual([
      { start: '2026-02-23T00:00:00Z', favorites: 1 },
      { start: '2026-03-02T00:00:00Z', favorites: 2 },
      { start: '2026-03-09T00:00:00Z', favorites: 0 },
      { start: '2026-03-16T00:00:00Z', favorites: 1 },
    ])
  })

  it('has calendar-month buckets in UTC, whatever the offset of the query', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    await favouriteAt(activity.id, '2026-01-31T23:30:00Z', '2026-02-01T00:30:00Z', '2026-04-15T00:00:00Z')
    // 2026-01-01T00:00:00Z, written with a +02:00 offset.
    const from = encodeURIComponent('2026-01-01T02:00:00+02:00')
    const result = await series(await staffToken(companyId), `?from=${from}&to=2026-05-01&interval=month`)
    expect(result.period.from).toBe('2026-01-01T00:00:00Z')
    expect(result.buckets).toEqual([
      { start: '2026-01-01T00:00:00Z', favorites: 1 },
      { start: '2026-02-01T00:00:00Z', favorites: 1 },
      { start: '2026-03-01T00:00:00Z', favorites: 0 },
      { start: '2026-04-01T00:00:00Z', favorites: 1 },
    ])
  })

  it('narrows to one activity with activityId', async () => {
    const companyId = newCompanyId()
    const one = await createActivity({ companyId })
    const two = await createActivity({ companyId })
    await favouriteAt(one.id, '2026-03-01T10:00:00Z')
    await favouriteAt(two.id, '2026-03-01T11:00:00Z', '2026-03-02T11:00:00Z')
    const token = await staffToken(companyId)
    const query = '?from=2026-03-01&to=2026-03-03'
    const all = await series(token, query)
    expect(all.buckets.map((b) => b.favorites)).toEqual([2, 1])
    const onlyTwo = await series(token, `${query}&activityId=${two.id}`)
    expect(onlyTwo.activityId).toBe(two.id)
    expect(onlyTwo.buckets.map((b) => b.favorites)).toEqual([1, 1])
    const upper = await series(token, `${query}&activityId=${one.id.toUpperCase()}`)
    expect(upper.activityId).toBe(one.id)
    expect(upper.buckets.map((b) => b.favorites)).toEqual([1, 0])
  })

  it('answers all-zero buckets for a company without activities or favourites', async () => {
    const result = await series(await staffToken(newCompanyId()), '?from=2026-03-01&to=2026-03-04')
    expect(result.buckets.map((b) => b.favorites)).toEqual([0, 0, 0])
  })

  it('defaults to the last 30 days by day, the first bucket holding `from`', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    const now = Date.now()
    await createFavorite(await createUser(), activity.id, new Date(now - 3 * DAY))
    await createFavorite(await createUser(), activity.id, new Date(now - 40 * DAY))
    const result = await series(await staffToken(companyId), '')
    expect(result.interval).toBe('day')
    expect(Date.parse(result.period.to) - Date.parse(result.period.from)).toBe(30 * DAY)
    expect(result.buckets[0]?.start.slice(0, 10)).toBe(result.period.from.slice(0, 10))
    expect([30, 31]).toContain(result.buckets.length)
    expect(result.buckets.reduce((sum, b) => sum + b.favorites, 0)).toBe(1)
  })

  it('takes up to 400 buckets', async () => {
    const token = await staffToken(newCompanyId())
    const days = await series(token, '?from=2025-01-01&to=2026-02-05&interval=day')
    expect(days.buckets).toHaveLength(400)
    const months = await series(token, '?from=2000-01-01&to=2033-05-01&interval=month')
    expect(months.buckets).toHaveLength(400)
    expect(months.buckets.at(-1)?.start).toBe('2033-04-01T00:00:00Z')
  })
})

describe('GET /analytics/favorites/timeseries: 400 and 404', () => {
  async function issues(query: string) {
    const token = await staffToken(newCompanyId())
    let response: Response | undefined
    const trips = await countRoundTrips(async () => {
      response = await api(`/analytics/favorites/timeseries${query}`, { token })
    })
    expect(trips).toBe(0)
    const problem = await expectProblem(response as Response, 400)
    return (problem.issues ?? []).map((i) => i.path).sort()
  }

  it('refuses more than 400 buckets', async () => {
    expect(await issues('?from=2025-01-01&to=2026-02-06&interval=day')).toEqual(['query.interval'])
    expect(await issues('?from=2000-01-01&to=2050-01-01&interval=week')).toEqual(['query.interval'])
    expect(await issues('?from=1970-01-01&to=2026-01-01&interval=month')).toEqual(['query.interval'])
  })

  it('says how many buckets the period spans and what to do about it', async () => {
    const token = await staffToken(newCompanyId())
    const response = await api('/analytics/favorites/timeseries?from=2025-01-01&to=2026-02-06&interval=day', {
      token,
    })
    const problem = await expectProblem(response, 400)
    expect(problem.issues).toEqual([
      {
        path: 'query.interval',
        code: 'custom',
        message: 'The period spans 401 day buckets; at most 400: use a coarser interval or a shorter period',
      },
    ])
  })

  it('counts no buckets of a period that is itself refused', async () => {
    // 26 years of days would be too many buckets too, but the bound off the hour is the error to fix first.
    expect(await issues('?from=2000-01-01&to=2026-01-01T00:30:00Z&interval=day')).toEqual(['query.to'])
  })

  it.each([
    ['?interval=hour', ['query.interval']],
    ['?activityId=42', ['query.activityId']],
    ['?from=2026-03-02&to=2026-03-01', ['query.to']],
    ['?from=2026-03-01&to=2026-03-01', ['query.to']],
    ['?from=soon', ['query.from']],
    ['?from=2026-03-01T00:30:00Z&to=2026-03-02T00:30:00Z', ['query.from', 'query.to']],
    ['?to=2026-03-02T00:30:00Z', ['query.to']], // not the default `from` derived from it
    [
      '?from=soon&to=later&interval=hour&activityId=x',
      ['query.activityId', 'query.from', 'query.interval', 'query.to'],
    ],
    ['?from=2026-03-02&to=2026-03-01&activityId=x', ['query.activityId', 'query.to']],
  ])('lists every issue of %s', async (query, expected) => {
    expect(await issues(query)).toEqual(expected)
  })

  it('answers 404 for an activity that does not exist', async () => {
    const token = await staffToken(newCompanyId())
    const activityId = crypto.randomUUID()
    const problem = await expectProblem(
      await api(`/analytics/favorites/timeseries?activityId=${activityId}`, { token }),
      404,
    )
    expect(problem.type).toBe('urn:problem-type:not-found')
    expect(problem.detail).toBe(`Activity ${activityId} is not one of your company's activities`)
  })

  it('filters by activity type, alone or with one activity', async () => {
    const companyId = newCompanyId()
    const slot = await createActivity({ companyId, type: 'SLOT_BASED' })
    const service = await createActivity({ companyId, type: 'SERVICE' })
    await favouriteAt(slot.id, '2026-03-01T10:00:00Z', '2026-03-02T10:00:00Z')
    await favouriteAt(service.id, '2026-03-01T11:00:00Z')
    const token = await staffToken(companyId)
    const period = '?from=2026-03-01&to=2026-03-03'
    const counts = async (query: string) =>
      (await series(token, `${period}${query}`)).buckets.map((bucket) => bucket.favorites)
    expect(await counts('')).toEqual([2, 1])
    expect(await counts('&type=SLOT_BASED')).toEqual([1, 1])
    expect(await counts('&type=SERVICE')).toEqual([1, 0])
    expect((await series(token, `${period}&type=SERVICE`)) as Series & { type?: string }).toMatchObject({
      type: 'SERVICE',
    })
    // One activity of another type than asked: found, and nothing counted.
    expect(await counts(`&type=SERVICE&activityId=${slot.id}`)).toEqual([0, 0])
    expect(await counts(`&type=SLOT_BASED&activityId=${slot.id}`)).toEqual([1, 1])
  })

  it('answers CSV on Accept: text/csv, with the previous period on compare=previous', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    await favouriteAt(activity.id, '2026-03-01T10:00:00Z', '2026-02-27T10:00:00Z')
    const token = await staffToken(companyId)
    const response = await api(
      '/analytics/favorites/timeseries?from=2026-03-01&to=2026-03-03&compare=previous',
      {
        token,
        headers: { Accept: 'text/csv' },
      },
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('Content-Disposition')).toBe(
      'attachment; filename="favorites-timeseries-2026-03-01-2026-03-03.csv"',
    )
    expect(await response.text()).toBe(
      'start,favorites,previousCount\r\n2026-03-01T00:00:00Z,1,1\r\n2026-03-02T00:00:00Z,0,0\r\n',
    )
  })

  it('answers CSV without comparison as start and favourites per bucket, varying on Accept and Authorization', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    await favouriteAt(activity.id, '2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z')
    const token = await staffToken(companyId)
    const response = await api('/analytics/favorites/timeseries?from=2026-03-01&to=2026-03-03', {
      token,
      headers: { Accept: 'text/csv' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('Vary')).toBe('Accept, Authorization')
    expect(await response.text()).toBe(
      'start,favorites\r\n2026-03-01T00:00:00Z,0\r\n2026-03-02T00:00:00Z,2\r\n',
    )
  })

  it('names the previous period in JSON on compare=previous, with each bucket’s previousCount', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    await favouriteAt(activity.id, '2026-03-01T10:00:00Z', '2026-02-28T10:00:00Z', '2026-02-28T12:00:00Z')
    const token = await staffToken(companyId)
    const body = (await series(
      token,
      '?from=2026-03-01T00:00:00%2B01:00&to=2026-03-03T00:00:00%2B01:00&tz=Europe/Berlin&compare=previous',
    )) as Omit<Series, 'buckets'> & {
      previousPeriod?: unknown
      buckets: { start: string; favorites: number; previousCount?: number }[]
    }
    expect(body.previousPeriod).toEqual({
      from: '2026-02-27T00:00:00+01:00',
      to: '2026-03-01T00:00:00+01:00',
      tz: 'Europe/Berlin',
    })
    expect(body.buckets.map((b) => [b.start, b.favorites, b.previousCount])).toEqual([
      ['2026-03-01T00:00:00+01:00', 1, 0],
      ['2026-03-02T00:00:00+01:00', 0, 2],
    ])
  })
})
