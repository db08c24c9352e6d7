import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { countRoundTrips, createActivity, createUser, favoriteRows, onPostgres } from '../../support/database'
import { staffToken, userToken } from '../../support/tokens'

async function favourite(token: string, activityId: string) {
  return api('/favorites', { method: 'POST', token, json: { activityId } })
}

describe('POST /favorites', () => {
  describe('happy path', () => {
    it('creates a favourite and answers 201 with the record and its activity', async () => {
      const userId = await createUser()
      const activity = await createActivity({ type: 'SERVICE', imageUrl: 'https://img.example/a.jpg' })
      const response = await favourite(await userToken(userId), activity.id)

      expect(response.status).toBe(201)
      const body = await response.json()
      expect(body).toEqual({
        id: expect.any(String),
        activityId: activity.id,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        activity: {
          id: activity.id,
          name: activity.name,
          type: 'SERVICE',
          companyId: activity.companyId,
          imageUrl: 'https://img.example/a.jpg',
          favoriteCount: 1,
        },
      })
      const rows = await favoriteRows(userId)
      expect(rows.rows).toEqual([{ id: (body as { id: string }).id, activity_id: activity.id }])
    })

    it('answers 200 with the same record when the activity already is a favourite', async () => {
      const token = await userToken(await createUser())
      const activity = await createActivity()
      const first = await (await favourite(token, activity.id)).json()
      const again = await favourite(token, activity.id)
      expect(again.status).toBe(200)
      expect(await again.json()).toEqual(first)
    })

    it('uses exactly one database round trip', async () => {
      const token = await userToken(await createUser())
      const activity = await createActivity()
      expect(await countRoundTrips(() => favourite(token, activity.id))).toBe(1)
      expect(await countRoundTrips(() => favourite(token, activity.id))).toBe(1)
    })

    it.runIf(onPostgres)(
      'stores one row when 50 identical requests race, all answering the same id',
      async () => {
        const userId = await createUser()
        const token = await userToken(userId)
        const activity = await createActivity()
        const responses = await Promise.all(Array.from({ length: 50 }, () => favourite(token, activity.id)))
        const statuses = responses.map((r) => r.status)
        expect(statuses.filter((s) => s === 201)).toHaveLength(1)
        expect(statuses.filter((s) => s === 200)).toHaveLength(49)
        const ids = new Set(
          await Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id)),
        )
        expect(ids.size).toBe(1)
        expect((await favoriteRows(userId)).rows).toHaveLength(1)
      },
    )
  })

  describe('errors', () => {
    it('answers 404 for an activity that does not exist, and stores nothing', async () => {
      const userId = await createUser()
      const problem = await expectProblem(await favourite(await userToken(userId), crypto.randomUUID()), 404)
      expect(problem.detail).toContain('does not exist')
      expect((await favoriteRows(userId)).rows).toEqual([])
    })

    it('answers 400 listing the issue for an activityId that is not a UUID', async () => {
      const problem = await expectProblem(await favourite(await userToken(await createUser()), 'nope'), 400)
      expect(problem.issues).toEqual([expect.objectContaining({ path: 'json.activityId' })])
    })

    it('answers 400 for a missing activityId and for a wrong type', async () => {
      const token = await userToken(await createUser())
      const missing = await expectProblem(await api('/favorites', { method: 'POST', token, json: {} }), 400)
      expect(missing.issues?.[0]?.path).toBe('json.activityId')
      const wrongType = await api('/favorites', { method: 'POST', token, json: { activityId: 42 } })
      await expectProblem(wrongType, 400)
      const notAnObject = await api('/favorites', { method: 'POST', token, json: [1, 2] })
      await expectProblem(notAnObject, 400)
    })

    it('answers 400 for malformed JSON', async () => {
      const token = await userToken(await createUser())
      const response = await api('/favorites', {
        method: 'POST',
        token,
        body: '{"activityId": ',
        headers: { 'Content-Type': 'application/json' },
      })
      const problem = await expectProblem(response, 400)
      expect(problem.detail).toMatch(/JSON/)
    })

    it('answers 415 for a body that is not JSON', async () => {
      const token = await userToken(await createUser())
      const response = await api('/favorites', {
        method: 'POST',
        token,
        body: 'activityId=x',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      })
      const problem = await expectProblem(response, 415)
      // The wording the document's example shows.
      expect(problem.detail).toBe('The request body must be application/json')
    })

    it('answers 413 for a huge body, and stores nothing', async () => {
      const userId = await createUser()
      const activity = await createActivity()
      const response = await api('/favorites', {
        method: 'POST',
        token: await userToken(userId),
        json: { activityId: activity.id, padding: 'x'.repeat(64 * 1024) },
      })
      await expectProblem(response, 413)
      expect((await favoriteRows(userId)).rows).toEqual([])
    })
  })

  describe('security', () => {
    it('answers 403 with a clear problem for a valid token whose user does not exist', async () => {
      const activity = await createActivity()
      const problem = await expectProblem(
        await favourite(await userToken(crypto.randomUUID()), activity.id),
        403,
      )
      expect(problem.type).toBe('urn:problem-type:unknown-user')
    })

    it('refuses a company staff token with 403', async () => {
      const activity = await createActivity()
      await expectProblem(await favourite(await staffToken(activity.companyId), activity.id), 403)
    })
  })
})
