import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { countRoundTrips, createActivity, createFavorite, createUser } from '../../support/database'
import { userToken } from '../../support/tokens'

describe('GET /favorites/status', () => {
  describe('happy path', () => {
    it('answers one entry per asked id, in the asked order', async () => {
      const userId = await createUser()
      const liked = await createActivity()
      const notLiked = await createActivity()
      const unknown = crypto.randomUUID()
      await createFavorite(userId, liked.id, new Date('2026-07-07T07:07:07.007Z'))
      const ids = [notLiked.id, liked.id, unknown, liked.id]
      const response = await api(`/favorites/status?activityIds=${ids.join(',')}`, {
        token: await userToken(userId),
      })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({
        items: [
          { activityId: notLiked.id, favorited: false, favoritedAt: null, favoriteCount: 0 },
          {
            activityId: liked.id,
            favorited: true,
            favoritedAt: '2026-07-07T07:07:07.007Z',
            favoriteCount: 1,
          },
          { activityId: unknown, favorited: false, favoritedAt: null, favoriteCount: 0 },
          {
            activityId: liked.id,
            favorited: true,
            favoritedAt: '2026-07-07T07:07:07.007Z',
            favoriteCount: 1,
          },
        ],
      })
    })

    it('accepts 100 ids in one database round trip', async () => {
      const token = await userToken(await createUser())
      const ids = Array.from({ length: 100 }, () => crypto.randomUUID())
      let body: { items: unknown[] } = { items: [] }
      const trips = await countRoundTrips(async () => {
        body = await (await api(`/favorites/status?activityIds=${ids.join(',')}`, { token })).json()
      })
      expect(trips).toBe(1)
      expect(body.items).toHaveLength(100)
    })
  })

  describe('errors', () => {
    it('answers 400 for more than 100 ids', async () => {
      const token = await userToken(await createUser())
      const ids = Array.from({ length: 101 }, () => crypto.randomUUID())
      await expectProblem(await api(`/favorites/status?activityIds=${ids.join(',')}`, { token }), 400)
    })

    it('answers 400 naming each malformed id, and for a missing or empty list', async () => {
      const token = await userToken(await createUser())
      const good = crypto.randomUUID()
      const problem = await expectProblem(
        await api(`/favorites/status?activityIds=${good},nope,${good},x`, { token }),
        400,
      )
      expect(problem.issues?.map((i) => i.path)).toEqual(['query.activityIds.1', 'query.activityIds.3'])
      const missing = await expectProblem(await api('/favorites/status', { token }), 400)
      expect(missing.issues?.map((i) => i.path)).toEqual(['query.activityIds'])
      await expectProblem(await api('/favorites/status?activityIds=', { token }), 400)
    })
  })

  describe('security', () => {
    it("never reveals another user's favourites", async () => {
      const owner = await createUser()
      const activity = await createActivity()
      await createFavorite(owner, activity.id)
      const other = await userToken(await createUser())
      const body = await (await api(`/favorites/status?activityIds=${activity.id}`, { token: other })).json()
      // The count is public (how many, never who); the heart is the caller's own.
      expect(body).toEqual({
        items: [{ activityId: activity.id, favorited: false, favoritedAt: null, favoriteCount: 1 }],
      })
    })
  })
})
