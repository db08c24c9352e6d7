import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import {
  countRoundTrips,
  createActivity,
  createFavorite,
  createUser,
  favoriteRows,
} from '../../support/database'
import { userToken } from '../../support/tokens'

describe('DELETE /favorites/{activityId}', () => {
  describe('happy path', () => {
    it('removes the favourite and answers 204 with no body', async () => {
      const userId = await createUser()
      const activity = await createActivity()
      await createFavorite(userId, activity.id)
      const response = await api(`/favorites/${activity.id}`, {
        method: 'DELETE',
        token: await userToken(userId),
      })
      expect(response.status).toBe(204)
      expect(await response.text()).toBe('')
      expect((await favoriteRows(userId)).rows).toEqual([])
    })

    it('answers 204 when the activity was not a favourite, or does not exist', async () => {
      const token = await userToken(await createUser())
      const activity = await createActivity()
      expect((await api(`/favorites/${activity.id}`, { method: 'DELETE', token })).status).toBe(204)
      expect((await api(`/favorites/${crypto.randomUUID()}`, { method: 'DELETE', token })).status).toBe(204)
    })

    it('uses exactly one database round trip', async () => {
      const token = await userToken(await createUser())
      const activity = await createActivity()
      const trips = await countRoundTrips(() => api(`/favorites/${activity.id}`, { method: 'DELETE', token }))
      expect(trips).toBe(1)
    })
  })

  describe('errors', () => {
    it('answers 400 for an activity id that is not a UUID', async () => {
      const token = await userToken(await createUser())
      const problem = await expectProblem(
        await api('/favorites/not-a-uuid', { method: 'DELETE', token }),
        400,
      )
      expect(problem.issues?.[0]?.path).toBe('param.activityId')
    })
  })

  describe('security', () => {
    it("never removes another user's favourite", async () => {
      const owner = await createUser()
      const other = await createUser()
      const activity = await createActivity()
      await createFavorite(owner, activity.id)
      const response = await api(`/favorites/${activity.id}`, {
        method: 'DELETE',
        token: await userToken(other),
      })
      expect(response.status).toBe(204)
      expect((await favoriteRows(owner)).rows).toHaveLength(1)
    })
  })
})
