import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { countRoundTrips, createActivity, createFavorite, createUser } from '../../support/database'
import { userToken } from '../../support/tokens'

type Page = {
  items: { id: string; activityId: string; createdAt: string; activity: { type: string } }[]
  nextCursor: string | null
}

async function page(token: string, query = ''): Promise<Page> {
  const response = await api(`/favorites${query}`, { token })
  expect(response.status).toBe(200)
  return (await response.json()) as Page
}

/** Follows `nextCursor` to the end and returns every item, in order. */
async function walk(token: string, limit: number, extra = '') {
  const items: Page['items'] = []
  let cursor: string | null = null
  do {
    const query: string = `?limit=${limit}${extra}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    const result = await page(token, query)
    expect(result.items.length).toBeLessThanOrEqual(limit)
    items.push(...result.items)
    cursor = result.nextCursor
  } while (cursor)
  return items
}

/** A user with `count` favourites, one second apart, newest last. */
async function userWithFavorites(count: number, types: ('SLOT_BASED' | 'SERVICE')[] = ['SLOT_BASED']) {
  const userId = await createUser()
  const start = Date.parse('2026-01-01T00:00:00.000Z')
  const favorites = []
  for (let i = 0; i < count; i++) {
    const activity = await createActivity({ type: types[i % types.length] })
    favorites.push(await createFavorite(userId, activity.id, new Date(start + i * 1000)))
  }
  return { userId, token: await userToken(userId), favorites }
}

describe('GET /favorites', () => {
  describe('happy path', () => {
    it('lists the favourites newest first with their activities, 20 by default', async () => {
      const { token, favorites } = await userWithFavorites(22)
      const result = await page(token)
      expect(result.items).toHaveLength(20)
      expect(result.items.map((i) => i.id)).toEqual(
        favorites
          .slice()
          .reverse()
          .slice(0, 20)
          .map((f) => f.id),
      )
      expect(result.nextCursor).toEqual(expect.any(String))
    })

    it('answers an empty page with a null cursor for a user with no favourites', async () => {
      expect(await page(await userToken(await createUser()))).toEqual({
        items: [],
        nextCursor: null,
        changesCursor: expect.any(String),
      })
    })

    it('walks every favourite exactly once, and the last page has a null cursor', async () => {
      const { token, favorites } = await userWithFavorites(7)
      const items = await walk(token, 3)
      expect(items.map((i) => i.id)).toEqual(favorites.map((f) => f.id).reverse())
    })

    it('orders favourites with the same createdAt by id, without skipping any', async () => {
      const userId = await createUser()
      const at = new Date('2026-02-02T02:02:02.222Z')
      const favorites = []
      for (let i = 0; i < 5; i++)
        favorites.push(await createFavorite(userId, (await createActivity()).id, at))
      const items = await walk(await userToken(userId), 2)
      expect(items.map((i) => i.id)).toEqual(
        favorites
          .map((f) => f.id)
          .sort()
          .reverse(),
      )
    })

    it('keeps favourites a microsecond apart distinct across pages', async () => {
      const userId = await createUser()
      const ids: string[] = []
      // Three rows inside the same millisecond: a cursor that kept only milliseconds would skip one.
      const { testDb } = await import('../../support/database')
      const { sql } = await import('drizzle-orm')
      for (const micros of ['000100', '000200', '000300']) {
        const activity = await createActivity()
        const { rows } = await testDb.execute<{ id: string }>(sql`
          INSERT INTO activities.user_activity_favorites (user_id, activity_id, created_at)
          VALUES (${userId}, ${activity.id}, ${`2026-05-05 05:05:05.${micros}+00`}) RETURNING id`)
        ids.push(rows[0]?.id ?? '')
      }
      const items = await walk(await userToken(userId), 1)
      expect(items.map((i) => i.id)).toEqual(ids.reverse())
    })

    it('filters by activity type, and the filter holds across pages', async () => {
      const { token, favorites } = await userWithFavorites(6, ['SLOT_BASED', 'SERVICE'])
      const services = await walk(token, 2, '&type=SERVICE')
      expect(services.map((i) => i.activity.type)).toEqual(['SERVICE', 'SERVICE', 'SERVICE'])
      expect(services.map((i) => i.id)).toEqual(
        favorites
          .filter((_, i) => i % 2 === 1)
          .map((f) => f.id)
          .reverse(),
      )
    })

    it('neither skips nor repeats when favourites are added during the walk', async () => {
      const { userId, token, favorites } = await userWithFavorites(6)
      const first = await page(token, '?limit=3')
      // Added during the walk: newer than everything, so it belongs before the cursor.
      await createFavorite(userId, (await createActivity()).id, new Date('2026-06-01T00:00:00.000Z'))
      const second = await page(token, `?limit=3&cursor=${encodeURIComponent(first.nextCursor ?? '')}`)
      const seen = [...first.items, ...second.items].map((i) => i.id)
      expect(seen).toEqual(favorites.map((f) => f.id).reverse())
      expect(second.nextCursor).toBeNull()
    })

    it('answers 304 to If-None-Match while the list is unchanged', async () => {
      const { token } = await userWithFavorites(2)
      const first = await api('/favorites', { token })
      const etag = first.headers.get('ETag') ?? ''
      expect((await api('/favorites', { token, headers: { 'If-None-Match': etag } })).status).toBe(304)
    })

    it('uses exactly one database round trip per page', async () => {
      const { token } = await userWithFavorites(3)
      const first = await page(token, '?limit=2')
      expect(await countRoundTrips(() => api('/favorites?limit=2', { token }))).toBe(1)
      const next = `/favorites?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`
      expect(await countRoundTrips(() => api(next, { token }))).toBe(1)
    })

    it('returns every favourite once, in order, for random data and page sizes (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 0, maxLength: 12 }),
          fc.integer({ min: 1, max: 5 }),
          async (offsetsMs, limit) => {
            const userId = await createUser()
            const base = Date.parse('2026-04-01T00:00:00.000Z')
            const created = []
            for (const offset of offsetsMs) {
              created.push(await createFavorite(userId, (await createActivity()).id, new Date(base + offset)))
            }
            const expected = created
              .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
              .map((f) => f.id)
            const items = await walk(await userToken(userId), limit)
            expect(items.map((i) => i.id)).toEqual(expected)
          },
        ),
        { numRuns: 15 },
      )
    })
  })

  describe('errors', () => {
    it('answers 400 listing every bad query parameter', async () => {
      const token = await userToken(await createUser())
      const problem = await expectProblem(await api('/favorites?limit=0&type=PARTY', { token }), 400)
      expect(problem.issues?.map((i) => i.path).sort()).toEqual(['query.limit', 'query.type'])
    })

    it.each(['101', 'abc', '-1', '2.5'])('answers 400 for limit=%s', async (limit) => {
      const token = await userToken(await createUser())
      await expectProblem(await api(`/favorites?limit=${limit}`, { token }), 400)
    })

    it('answers 400 for a cursor that is junk or was tampered with', async () => {
      const { token } = await userWithFavorites(3)
      const { nextCursor } = await page(token, '?limit=1')
      const [body, signature] = (nextCursor ?? '').split('.')
      const forged = `${btoa('["1","00000000-0000-4000-8000-000000000000"]').replaceAll('=', '')}.${signature}`
      for (const cursor of ['junk', `${body}.AAAA`, forged, `${nextCursor}.x`]) {
        const problem = await expectProblem(
          await api(`/favorites?cursor=${encodeURIComponent(cursor)}`, { token }),
          400,
        )
        expect(problem.issues?.[0]?.path).toBe('query.cursor')
      }
    })

    it("answers 400 for another user's cursor, or one issued for another filter", async () => {
      const alice = await userWithFavorites(3)
      const { nextCursor } = await page(alice.token, '?limit=1')
      const cursor = encodeURIComponent(nextCursor ?? '')
      const bob = await userToken(await createUser())
      await expectProblem(await api(`/favorites?cursor=${cursor}`, { token: bob }), 400)
      await expectProblem(await api(`/favorites?type=SERVICE&cursor=${cursor}`, { token: alice.token }), 400)
    })

    it('answers 400 for a cursor issued for one type and sent with another, or with none', async () => {
      const { token } = await userWithFavorites(3)
      const { nextCursor } = await page(token, '?limit=1&type=SLOT_BASED')
      const cursor = encodeURIComponent(nextCursor ?? '')
      await expectProblem(await api(`/favorites?type=SERVICE&cursor=${cursor}`, { token }), 400)
      await expectProblem(await api(`/favorites?cursor=${cursor}`, { token }), 400)
      expect((await api(`/favorites?type=SLOT_BASED&cursor=${cursor}`, { token })).status).toBe(200)
    })
  })

  describe('the token subject', () => {
    it('is one user however its UUID is cased: a cursor issued under an upper-case sub continues under a lower-case one', async () => {
      const { userId, favorites } = await userWithFavorites(3)
      const upper = await userToken(userId.toUpperCase())
      const lower = await userToken(userId.toLowerCase())
      const first = await page(upper, '?limit=2')
      expect(first.items.map((item) => item.id)).toEqual([favorites[2]?.id, favorites[1]?.id])
      const rest = await page(lower, `?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`)
      expect(rest.items.map((item) => item.id)).toEqual([favorites[0]?.id])
      expect(rest.nextCursor).toBeNull()
    })
  })

  describe('security', () => {
    it("never lists another user's favourites", async () => {
      const alice = await userWithFavorites(2)
      const bob = await userWithFavorites(1)
      const items = await walk(bob.token, 10)
      expect(items.map((i) => i.id)).toEqual(bob.favorites.map((f) => f.id))
      expect(items.some((i) => alice.favorites.some((f) => f.id === i.id))).toBe(false)
    })
  })
})
