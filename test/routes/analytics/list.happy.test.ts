/** GET /analytics/favorites: exact counts, zero counts, periods, sorting and pagination. */
import { describe, expect, it, vi } from 'vitest'
import type { FavoriteActivityAnalyticsItemDto } from '../../../src/contracts/analytics'
import { api, expectProblem } from '../../support/api'
import { createActivity, createFavorite, createUser, newCompanyId } from '../../support/database'
import { staffToken } from '../../support/tokens'

type Item = FavoriteActivityAnalyticsItemDto
type Page = { items: Item[]; period: { from: string; to: string; tz: string }; nextCursor: string | null }

const DAY = 86_400_000

async function getPage(token: string, query: string): Promise<Page> {
  const response = await api(`/analytics/favorites${query}`, { token })
  expect(response.status, await response.clone().text()).toBe(200)
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
  return (await response.json()) as Page
}

async function users(count: number): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, () => createUser()))
}

/** Every page of a query, following `nextCursor`. */
async function walk(token: string, query: string): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const separator = query ? '&' : '?'
    const page = await getPage(
      token,
      cursor ? `${query}${separator}cursor=${encodeURIComponent(cursor)}` : query,
    )
    items.push(...page.items)
    cursor = page.nextCursor
    pages += 1
    expect(pages).toBeLessThan(50)
  } while (cursor)
  return { items, pages }
}

/** The start of the UTC hour of an instant, as the API writes it. */
const hourOf = (date: Date) => `${date.toISOString().slice(0, 13)}:00:00Z`

describe('GET /analytics/favorites', () => {
  it('lists every activity of the company with exact counts, zero counts included', async () => {
    const companyId = newCompanyId()
    const popular = await createActivity({ companyId, name: 'Popular', type: 'SLOT_BASED' })
    const quiet = await createActivity({ companyId, name: 'Quiet', type: 'SERVICE' })
    const [u1, u2, u3] = await users(3)
    const now = Date.now()
    const recent = new Date(now - 2 * DAY)
    const old = new Date(now - 90 * DAY)
    await createFavorite(u1 as string, popular.id, recent)
    await createFavorite(u2 as string, popular.id, old)
    await createFavorite(u3 as string, popular.id, new Date(now - 5 * DAY))

    const page = await getPage(await staffToken(companyId), '')
    expect(page.nextCursor).toBeNull()
    expect(page.items).toEqual([
      {
        activityId: popular.id,
        activityName: 'Popular',
        activityType: 'SLOT_BASED',
        totalFavorites: 3,
        favoritesInPeriod: 2,
        // The hour it falls in, never the instant.
        lastFavoritedAt: hourOf(recent),
      },
      {
        activityId: quiet.id,
        activityName: 'Quiet',
        activityType: 'SERVICE',
        totalFavorites: 0,
        favoritesInPeriod: 0,
        lastFavoritedAt: null,
      },
    ])
  })

  it('defaults the period to the last 30 days in UTC, ending at the next whole hour', async () => {
    const companyId = newCompanyId()
    await createActivity({ companyId })
    const before = Date.now()
    const { period } = await getPage(await staffToken(companyId), '')
    const to = Date.parse(period.to)
    expect(period.tz).toBe('UTC')
    expect(to % 3_600_000).toBe(0)
    expect(to).toBeGreaterThanOrEqual(before)
    expect(to).toBeLessThanOrEqual(Date.now() + 3_600_000)
    expect(to - Date.parse(period.from)).toBe(30 * DAY)
  })

  it('counts favourites in the half-open period [from, to) only, and takes dates or date-times', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    const [u1, u2, u3, u4] = await users(4)
    await createFavorite(u1 as string, activity.id, new Date('2026-01-01T00:00:00.000Z')) // at from: in
    await createFavorite(u2 as string, activity.id, new Date('2026-01-31T23:59:59.999Z')) // last ms: in
    await createFavorite(u3 as string, activity.id, new Date('2026-02-01T00:00:00.000Z')) // at to: out
    await createFavorite(u4 as string, activity.id, new Date('2025-12-31T23:59:59.999Z')) // before: out
    const token = await staffToken(companyId)

    const byDate = await getPage(token, '?from=2026-01-01&to=2026-02-01')
    expect(byDate.period).toEqual({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', tz: 'UTC' })
    expect(byDate.items[0]).toMatchObject({
      totalFavorites: 4,
      favoritesInPeriod: 2,
      lastFavoritedAt: '2026-02-01T00:00:00Z',
    })

    // The same instants with offsets.
    const byOffset = await getPage(
      token,
      `?from=${encodeURIComponent('2026-01-01T01:00:00+01:00')}&to=${encodeURIComponent('2026-01-31T19:00:00-05:00')}`,
    )
    expect(byOffset.period).toEqual(byDate.period)
    expect(byOffset.items[0]?.favoritesInPeriod).toBe(2)

    // Only `to`: the 30 days before it.
    const toOnly = await getPage(token, '?to=2026-01-31')
    expect(toOnly.period.from).toBe('2026-01-01T00:00:00Z')
    expect(toOnly.items[0]?.favoritesInPeriod).toBe(1)
  })

  it('takes only `from` as "from then until now"', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    const [u1, u2] = await users(2)
    const now = Date.now()
    await createFavorite(u1 as string, activity.id, new Date(now - 5 * DAY))
    await createFavorite(u2 as string, activity.id, new Date(now - 20 * DAY))
    const from = `${new Date(now - 10 * DAY).toISOString().slice(0, 13)}:00:00Z`
    const page = await getPage(await staffToken(companyId), `?from=${from}`)
    expect(page.period.from).toBe(from)
    expect(Date.parse(page.period.to)).toBeGreaterThanOrEqual(now)
    expect(page.items[0]).toMatchObject({ totalFavorites: 2, favoritesInPeriod: 1 })
  })

  it('filters by activity type under every sort and order, page by page', async () => {
    const companyId = newCompanyId()
    const types = ['SLOT_BASED', 'SERVICE', 'SLOT_BASED', 'SERVICE'] as const
    const made = await Promise.all(types.map((type) => createActivity({ companyId, type })))
    // Favourited 1 to 4 times each, all in the period: the most favourited in the period are of both types.
    for (const [i, activity] of made.entries()) {
      for (const userId of await users(i + 1)) await createFavorite(userId, activity.id)
    }
    const token = await staffToken(companyId)
    for (const type of ['SLOT_BASED', 'SERVICE']) {
      const ofType = made.filter((a) => a.type === type).map((a) => a.id)
      for (const sort of ['total', 'inPeriod', 'name', 'lastFavorited']) {
        for (const order of ['asc', 'desc']) {
          const { items } = await walk(token, `?type=${type}&sort=${sort}&order=${order}&limit=1`)
          expect(items.map((i) => i.activityId).sort(), `${type} ${sort} ${order}`).toEqual(ofType.sort())
        }
      }
    }
  })

  it('sorts by every key in both directions, ties broken by activity id, and walks all pages exactly once', async () => {
    const companyId = newCompanyId()
    const count = 13
    const activities = []
    for (let n = 0; n < count; n++) {
      activities.push(
        await createActivity({
          companyId,
          name: `Activity ${String(n % 7).padStart(2, '0')}`,
          type: 'SERVICE',
        }),
      )
    }
    const people = await users(4)
    const base = Date.parse('2026-03-01T00:00:00.000Z')
    // Activity n gets (n % 5) favourites; some share counts and timestamps to exercise the id tie-break.
    for (const [n, activity] of activities.entries()) {
      for (let k = 0; k < n % 5; k++) {
        await createFavorite(people[k] as string, activity.id, new Date(base + (n % 3) * DAY + k * 1000))
      }
    }
    const token = await staffToken(companyId)
    const query = '?from=2026-03-02&to=2026-03-10'
    const all = (await getPage(token, `${query}&limit=100`)).items
    expect(all).toHaveLength(count)

    const compare = {
      total: (a: Item, b: Item) => a.totalFavorites - b.totalFavorites,
      inPeriod: (a: Item, b: Item) => a.favoritesInPeriod - b.favoritesInPeriod,
      lastFavorited: (a: Item, b: Item) =>
        (a.lastFavoritedAt === null ? -1 : Date.parse(a.lastFavoritedAt)) -
        (b.lastFavoritedAt === null ? -1 : Date.parse(b.lastFavoritedAt)),
      // Names here are ASCII of one shape, so every collation orders them alike.
      name: (a: Item, b: Item) =>
        a.activityName < b.activityName ? -1 : a.activityName > b.activityName ? 1 : 0,
    }
    const byId = (a: Item, b: Item) =>
      a.activityId < b.activityId ? -1 : a.activityId > b.activityId ? 1 : 0

    for (const [sort, cmp] of Object.entries(compare)) {
      for (const order of ['asc', 'desc'] as const) {
        const sign = order === 'asc' ? 1 : -1
        const expected = [...all].sort((a, b) => sign * (cmp(a, b) || byId(a, b)))
        const walked = await walk(token, `${query}&sort=${sort}&order=${order}&limit=4`)
        expect(walked.pages, `${sort} ${order}`).toBe(4)
        expect(
          walked.items.map((i) => i.activityId),
          `${sort} ${order}`,
        ).toEqual(expected.map((i) => i.activityId))
      }
    }
  })

  it('sorts by last favourited on the zone’s hours: ties within an hour go by id, whatever the minute', async () => {
    const companyId = newCompanyId()
    const [person] = await users(1)
    // Kathmandu's hours start at :15 UTC. 10:16 and 11:14 UTC are one Kathmandu hour (16:00), 10:14 the one before.
    const times = ['10:14', '10:16', '11:14', '10:16', '11:14', '10:14', '11:16', null, null]
    const made: { id: string; hour: number }[] = []
    for (const time of times) {
      const activity = await createActivity({ companyId })
      if (time === null) {
        made.push({ id: activity.id, hour: Number.NEGATIVE_INFINITY })
        continue
      }
      const at = Date.parse(`2026-03-01T${time}:00.000Z`)
      await createFavorite(person as string, activity.id, new Date(at))
      const quarterPast = 15 * 60_000
      made.push({ id: activity.id, hour: Math.floor((at - quarterPast) / 3_600_000) })
    }
    const token = await staffToken(companyId)
    for (const order of ['asc', 'desc'] as const) {
      const sign = order === 'asc' ? 1 : -1
      const expected = [...made]
        .sort((a, b) => sign * (a.hour - b.hour || (a.id < b.id ? -1 : 1)))
        .map((a) => a.id)
      const walked = await walk(token, `?tz=Asia/Kathmandu&sort=lastFavorited&order=${order}&limit=2`)
      expect(walked.pages, order).toBe(5)
      expect(
        walked.items.map((i) => i.activityId),
        order,
      ).toEqual(expected)
    }

    // A company whose activities were never favourited: all tie as the oldest, in id order.
    const quiet = newCompanyId()
    const ids = []
    for (let n = 0; n < 3; n++) ids.push((await createActivity({ companyId: quiet })).id)
    ids.sort()
    const quietToken = await staffToken(quiet)
    for (const order of ['asc', 'desc'] as const) {
      const walked = await walk(quietToken, `?sort=lastFavorited&order=${order}&limit=2`)
      expect(walked.items.map((i) => i.activityId)).toEqual(order === 'asc' ? ids : [...ids].reverse())
    }
  })

  it('orders by total descending by default, and by name ascending for sort=name', async () => {
    const companyId = newCompanyId()
    const b = await createActivity({ companyId, name: 'B' })
    const a = await createActivity({ companyId, name: 'A' })
    const c = await createActivity({ companyId, name: 'C' })
    const [u1, u2] = await users(2)
    await createFavorite(u1 as string, c.id)
    await createFavorite(u2 as string, c.id)
    await createFavorite(u1 as string, a.id)
    const token = await staffToken(companyId)
    expect((await getPage(token, '')).items.map((i) => i.activityId)).toEqual([c.id, a.id, b.id])
    expect((await getPage(token, '?sort=name')).items.map((i) => i.activityId)).toEqual([a.id, b.id, c.id])
  })

  it('pages with the default limit of 20 and a next link', async () => {
    const companyId = newCompanyId()
    for (let n = 0; n < 21; n++) await createActivity({ companyId })
    const token = await staffToken(companyId)
    const response = await api('/analytics/favorites', { token })
    const first = (await response.json()) as Page
    expect(first.items).toHaveLength(20)
    expect(first.nextCursor).toEqual(expect.any(String))
    const link = response.headers.get('Link')
    expect(link).toMatch(/^<\/analytics\/favorites\?.*cursor=.*>; rel="next"$/)
    const nextUrl = /^<([^>]+)>/.exec(link ?? '')?.[1] as string
    const second = await getPage(token, nextUrl.replace('/analytics/favorites', ''))
    expect(second.items).toHaveLength(1)
    expect(second.nextCursor).toBeNull()
    // The default period is carried by the cursor, so it does not drift while paging.
    expect(second.period).toEqual(first.period)
    expect(new Set([...first.items, ...second.items].map((i) => i.activityId)).size).toBe(21)
  })

  it('carries every stated parameter in the next link, and the default period through a later hour', async () => {
    const companyId = newCompanyId()
    for (let n = 0; n < 3; n++) await createActivity({ companyId, type: 'SERVICE' })
    const token = await staffToken(companyId)
    const query =
      'from=2026-01-01&to=2026-02-01&tz=Europe%2FBerlin&compare=previous&type=SERVICE&sort=total&order=asc&limit=1'
    const response = await api(`/analytics/favorites?${query}`, { token })
    const page = (await response.json()) as Page & { previousPeriod?: unknown }
    expect(page.previousPeriod).toEqual({
      from: '2025-12-01T00:00:00+01:00',
      to: '2026-01-01T00:00:00+01:00',
      tz: 'Europe/Berlin',
    })
    const next = new URL(/^<([^>]+)>/.exec(response.headers.get('Link') ?? '')?.[1] ?? '', 'https://api.test')
    expect([...next.searchParams.keys()]).toEqual([
      'from',
      'to',
      'tz',
      'compare',
      'type',
      'sort',
      'order',
      'limit',
      'cursor',
    ])
    expect(next.searchParams.get('limit')).toBe('1')
    expect(next.searchParams.get('cursor')).toBe(page.nextCursor)

    // A default period's cursor is bound to "the default", not to the hour it was issued in.
    const first = await api('/analytics/favorites?limit=1', { token })
    const { nextCursor } = (await first.json()) as Page
    const realNow = Date.now.bind(Date)
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 2 * 3_600_000)
    try {
      const later = await api(`/analytics/favorites?limit=1&cursor=${nextCursor}`, { token })
      expect(later.status).toBe(200)
    } finally {
      vi.restoreAllMocks()
    }
  })

  // Version 2 of the contract: a parameter the route does not know is a 400 naming it (it used to be ignored).
  // Either way a company id in the query never widens the scope: the company is the token's.
  it('refuses parameters it does not know, such as a company id, with a 400 naming them', async () => {
    const companyId = newCompanyId()
    const other = newCompanyId()
    await createActivity({ companyId })
    await createActivity({ companyId: other })
    const response = await api(`/analytics/favorites?companyId=${other}&company_id=${other}`, {
      token: await staffToken(companyId),
    })
    const problem = await expectProblem(response, 400)
    expect(problem.detail).toContain('"companyId"')
    expect(problem.detail).toContain('"company_id"')
  })
})
