import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { countRoundTrips, createActivity, createFavorite, createUser } from '../../support/database'
import { userToken } from '../../support/tokens'

describe('GET /favorites/{activityId}', () => {
  describe('happy path', () => {
    it('answers 200 with the favourite and its activity', async () => {
      const userId = await createUser()
      const activity = await createActivity({ type: 'SLOT_BASED' })
      const favorite = await createFavorite(userId, activity.id, new Date('2026-03-04T05:06:07.089Z'))
      const response = await api(`/favorites/${activity.id}`, { token: await userToken(userId) })
      expect(response.status).toBe(200)
      expect(response.headers.get('Cache-Control')).toBe('private, no-cache')
      expect(await response.json()).toEqual({
        id: favorite.id,
        activityId: activity.id,
        createdAt: '2026-03-04T05:06:07.089Z',
        activity: {
          id: activity.id,
          name: activity.name,
          type: 'SLOT_BASED',
          companyId: activity.companyId,
          imageUrl: null,
          favoriteCount: 1,
        },
      })
    })

    it('answers 304 to If-None-Match with the current ETag, and 200 once it changed', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const activity = await createActivity()
      await createFavorite(userId, activity.id)
      const first = await api(`/favorites/${activity.id}`, { token })
      const etag = first.headers.get('ETag')
      expect(etag).toBeTruthy()
      const revalidated = await api(`/favorites/${activity.id}`, {
        token,
        headers: { 'If-None-Match': etag ?? '' },
      })
      expect(revalidated.status).toBe(304)
      await api(`/favorites/${activity.id}`, { method: 'DELETE', token })
      await api('/favorites', { method: 'POST', token, json: { activityId: activity.id } })
      const changed = await api(`/favorites/${activity.id}`, {
        token,
        headers: { 'If-None-Match': etag ?? '' },
      })
      expect(changed.status).toBe(200)
    })

    it('answers HEAD with the ETag and Cache-Control a GET gets, and 304 to If-None-Match, with no body', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const activity = await createActivity()
      await createFavorite(userId, activity.id)
      const get = await api(`/favorites/${activity.id}`, { token })
      const head = await api(`/favorites/${activity.id}`, { method: 'HEAD', token })
      expect(head.status).toBe(200)
      expect(head.headers.get('ETag')).toBe(get.headers.get('ETag'))
      expect(head.headers.get('Cache-Control')).toBe('private, no-cache')
      expect(await head.text()).toBe('')
      const revalidated = await api(`/favorites/${activity.id}`, {
        method: 'HEAD',
        token,
        headers: { 'If-None-Match': get.headers.get('ETag') ?? '' },
      })
      expect(revalidated.status).toBe(304)
    })

    it('uses exactly one database round trip', async () => {
      const token = await userToken(await createUser())
      const activity = await createActivity()
      expect(await countRoundTrips(() => api(`/favorites/${activity.id}`, { token }))).toBe(1)
    })
  })

  describe('errors', () => {
    it('answers 404 when the activity is not a favourite', async () => {
      const token = await userToken(await createUser())
      const activity = await createActivity()
      const problem = await expectProblem(await api(`/favorites/${activity.id}`, { token }), 404)
      expect(problem.detail).toBe(`Activity ${activity.id} is not one of your favourites`)
    })

    it('answers 400 for an activity id that is not a UUID', async () => {
      const token = await userToken(await createUser())
      await expectProblem(await api('/favorites/123', { token }), 400)
    })
  })

  describe('security', () => {
    it("answers 404 for another user's favourite", async () => {
      const owner = await createUser()
      const activity = await createActivity()
      await createFavorite(owner, activity.id)
      const other = await userToken(await createUser())
      await expectProblem(await api(`/favorites/${activity.id}`, { token: other }), 404)
    })
  })
})
