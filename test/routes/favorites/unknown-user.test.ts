/**
 * A valid end-user token whose user is not registered on the platform (never was, or was deleted): every client
 * route answers the same 403 `unknown-user` problem, in its single statement, and changes nothing.
 */
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { countRoundTrips, createActivity, createFavorite, createUser, testDb } from '../../support/database'
import { userToken } from '../../support/tokens'

async function clientRequests(activityId: string) {
  return [
    { method: 'POST', path: '/favorites', json: { activityId } },
    { method: 'GET', path: `/favorites/${activityId}` },
    { method: 'DELETE', path: `/favorites/${activityId}` },
    { method: 'GET', path: '/favorites' },
    { method: 'GET', path: '/favorites?type=SERVICE&limit=5' },
    { method: 'GET', path: `/favorites/status?activityIds=${activityId}` },
  ]
}

describe('a token of a user the platform does not know', () => {
  it('gets 403 unknown-user on every client route, in one round trip each', async () => {
    const token = await userToken(crypto.randomUUID())
    const activity = await createActivity()
    for (const { path, ...request } of await clientRequests(activity.id)) {
      let response: Response | undefined
      const trips = await countRoundTrips(async () => {
        response = await api(path, { ...request, token })
      })
      const problem = await expectProblem(response as Response, 403)
      expect(problem.type, `${request.method} ${path}`).toBe('urn:problem-type:unknown-user')
      expect(trips, `${request.method} ${path}`).toBe(1)
    }
  })

  it('a deleted user gets the same 403, and a registered user without favourites does not', async () => {
    const activity = await createActivity()
    const leaving = await createUser()
    await createFavorite(leaving, activity.id)
    await testDb.execute(sql`DELETE FROM users.users WHERE id = ${leaving}`)
    const gone = await userToken(leaving)
    for (const { path, ...request } of await clientRequests(activity.id)) {
      const problem = await expectProblem(await api(path, { ...request, token: gone }), 403)
      expect(problem.type).toBe('urn:problem-type:unknown-user')
    }

    const fresh = await userToken(await createUser())
    expect((await api('/favorites', { token: fresh })).status).toBe(200)
    expect((await api(`/favorites/${activity.id}`, { token: fresh })).status).toBe(404)
    expect((await api(`/favorites/${activity.id}`, { method: 'DELETE', token: fresh })).status).toBe(204)
    expect((await api(`/favorites/status?activityIds=${activity.id}`, { token: fresh })).status).toBe(200)
  })
})
