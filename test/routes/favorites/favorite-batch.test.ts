import { describe, expect, it } from 'vitest'
import { MAX_BATCH_BODY_BYTES } from '../../../src/middleware/body-limit'
import { api, expectProblem } from '../../support/api'
import {
  countRoundTrips,
  createActivity,
  createFavorite,
  createUser,
  favoriteRows,
} from '../../support/database'
import { batch, isFavorite, secondsFromNow, tap } from '../../support/taps'
import { userToken } from '../../support/tokens'

type BatchResult = { activityId: string; result: string; favorited: boolean }

async function resultsOf(response: Response | undefined): Promise<BatchResult[]> {
  if (!response) throw new Error('no response')
  expect(response.status).toBe(200)
  return ((await response.json()) as { results: BatchResult[] }).results
}

async function activities(count: number) {
  return Promise.all(Array.from({ length: count }, () => createActivity()))
}

describe('POST /favorites/batch', () => {
  describe('happy path', () => {
    it('applies every change and answers one result per change, in order', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const [added, kept, removed, neverWas] = await activities(4)
      if (!added || !kept || !removed || !neverWas) throw new Error('no activities')
      await createFavorite(userId, kept.id)
      await createFavorite(userId, removed.id)
      const unknown = crypto.randomUUID()
      const response = await batch(token, [
        { activityId: added.id, favorited: true },
        { activityId: kept.id, favorited: true },
        { activityId: removed.id, favorited: false },
        { activityId: neverWas.id, favorited: false },
        { activityId: unknown, favorited: true },
      ])
      expect(await resultsOf(response)).toEqual([
        { activityId: added.id, result: 'created', favorited: true },
        { activityId: kept.id, result: 'existing', favorited: true },
        { activityId: removed.id, result: 'removed', favorited: false },
        { activityId: neverWas.id, result: 'removed', favorited: false },
        { activityId: unknown, result: 'unknown-activity', favorited: false },
      ])
      const stored = (await favoriteRows(userId)).rows.map((row) => row.activity_id).sort()
      expect(stored).toEqual([added.id, kept.id].sort())
    })

    it('resolves several changes to one activity by tappedAt, whatever their order in the batch', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const [first, second] = await activities(2)
      if (!first || !second) throw new Error('no activities')
      const response = await batch(token, [
        { activityId: first.id, favorited: false, tappedAt: secondsFromNow(-10) },
        { activityId: first.id, favorited: true, tappedAt: secondsFromNow(-30) },
        { activityId: second.id, favorited: true, tappedAt: secondsFromNow(-10) },
        { activityId: second.id, favorited: false, tappedAt: secondsFromNow(-30) },
      ])
      expect(await resultsOf(response)).toEqual([
        { activityId: first.id, result: 'removed', favorited: false },
        { activityId: first.id, result: 'superseded', favorited: false },
        { activityId: second.id, result: 'created', favorited: true },
        { activityId: second.id, result: 'superseded', favorited: true },
      ])
      expect(await isFavorite(userId, first.id)).toBe(false)
      expect(await isFavorite(userId, second.id)).toBe(true)
    })

    it('of two changes with the same tappedAt, the later entry wins', async () => {
      const userId = await createUser()
      const [activity] = await activities(1)
      if (!activity) throw new Error('no activity')
      const at = secondsFromNow(-10)
      const response = await batch(await userToken(userId), [
        { activityId: activity.id, favorited: true, tappedAt: at },
        { activityId: activity.id, favorited: false, tappedAt: at },
      ])
      expect((await resultsOf(response)).map((r) => r.result)).toEqual(['superseded', 'removed'])
      expect(await isFavorite(userId, activity.id)).toBe(false)
    })

    it('ignores a change older than one already applied, and says what the state is', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const [removedLater, addedLater] = await activities(2)
      if (!removedLater || !addedLater) throw new Error('no activities')
      await tap(token, removedLater.id, false, secondsFromNow(-10))
      await tap(token, addedLater.id, true, secondsFromNow(-10))
      const response = await batch(token, [
        { activityId: removedLater.id, favorited: true, tappedAt: secondsFromNow(-60) },
        { activityId: addedLater.id, favorited: false, tappedAt: secondsFromNow(-60) },
      ])
      expect(await resultsOf(response)).toEqual([
        { activityId: removedLater.id, result: 'superseded', favorited: false },
        { activityId: addedLater.id, result: 'superseded', favorited: true },
      ])
    })

    it('applies 100 changes in one database round trip', async () => {
      const token = await userToken(await createUser())
      const many = await activities(100)
      let response: Response | undefined
      const trips = await countRoundTrips(async () => {
        response = await batch(
          token,
          many.map((activity, i) => ({
            activityId: activity.id,
            favorited: true,
            tappedAt: secondsFromNow(-i),
          })),
        )
      })
      expect(trips).toBe(1)
      const results = await resultsOf(response)
      expect(results).toHaveLength(100)
      expect(results.every((r) => r.result === 'created')).toBe(true)
    })

    it("only ever changes the caller's own favourites", async () => {
      const owner = await createUser()
      const [activity] = await activities(1)
      if (!activity) throw new Error('no activity')
      await createFavorite(owner, activity.id)
      const response = await batch(await userToken(await createUser()), [
        { activityId: activity.id, favorited: false },
      ])
      expect(await resultsOf(response)).toEqual([
        { activityId: activity.id, result: 'removed', favorited: false },
      ])
      expect(await isFavorite(owner, activity.id)).toBe(true)
    })
  })

  describe('errors', () => {
    it('answers 400 for an empty batch and for 101 changes, applying nothing', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const empty = await expectProblem(await batch(token, []), 400)
      expect(empty.issues?.map((issue) => issue.path)).toEqual(['json.changes'])
      const [activity] = await activities(1)
      if (!activity) throw new Error('no activity')
      const tooMany = Array.from({ length: 101 }, () => ({ activityId: activity.id, favorited: true }))
      const problem = await expectProblem(await batch(token, tooMany), 400)
      expect(problem.issues?.map((issue) => issue.path)).toEqual(['json.changes'])
      expect((await favoriteRows(userId)).rows).toEqual([])
    })

    it('answers 400 naming every bad entry field, applying nothing', async () => {
      const userId = await createUser()
      const [activity] = await activities(1)
      if (!activity) throw new Error('no activity')
      const response = await api('/favorites/batch', {
        method: 'POST',
        token: await userToken(userId),
        json: {
          changes: [
            { activityId: activity.id, favorited: true },
            { activityId: 'nope', favorited: 'yes', tappedAt: 'later' },
          ],
        },
      })
      const problem = await expectProblem(response, 400)
      expect(problem.issues?.map((issue) => issue.path).sort()).toEqual([
        'json.changes.1.activityId',
        'json.changes.1.favorited',
        'json.changes.1.tappedAt',
      ])
      expect(await isFavorite(userId, activity.id)).toBe(false)
    })

    it('answers 400 for malformed JSON', async () => {
      const token = await userToken(await createUser())
      await expectProblem(
        await api('/favorites/batch', {
          method: 'POST',
          token,
          body: '{"changes": [',
          headers: { 'Content-Type': 'application/json' },
        }),
        400,
      )
    })

    it(`accepts 100 changes as the app sends them, and refuses a body past ${MAX_BATCH_BODY_BYTES} bytes with 413`, async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const many = await activities(100)
      const changes = many.map((activity) => ({
        activityId: activity.id,
        favorited: true,
        tappedAt: '2026-11-27T20:50:36.123456+05:45',
      }))
      expect(JSON.stringify({ changes }).length).toBeLessThan(MAX_BATCH_BODY_BYTES)
      expect((await batch(token, changes)).status).toBe(200)
      const padded = JSON.stringify({ changes }).replace(
        '{"changes":',
        `{"changes":${' '.repeat(MAX_BATCH_BODY_BYTES)}`,
      )
      const response = await api('/favorites/batch', {
        method: 'POST',
        token,
        body: padded,
        headers: { 'Content-Type': 'application/json' },
      })
      await expectProblem(response, 413)
    })

    it('answers 403 unknown-user for a valid token of an unregistered user', async () => {
      const [activity] = await activities(1)
      if (!activity) throw new Error('no activity')
      const problem = await expectProblem(
        await batch(await userToken(crypto.randomUUID()), [{ activityId: activity.id, favorited: true }]),
        403,
      )
      expect(problem.type).toBe('urn:problem-type:unknown-user')
    })
  })
})
