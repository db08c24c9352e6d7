/**
 * Taps converge to the user's last tap, whatever order they arrive in (product.md, "Version 2"): `tappedAt` on
 * POST (body) and DELETE (query).
 */
import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { countRoundTrips, createActivity, createFavorite, createUser } from '../../support/database'
import { isFavorite, removalMarkers, secondsFromNow, tap } from '../../support/taps'
import { userToken } from '../../support/tokens'

async function userWithActivity() {
  const userId = await createUser()
  return { userId, token: await userToken(userId), activityId: (await createActivity()).id }
}

describe('last tap wins (tappedAt on POST and DELETE)', () => {
  describe('out-of-order pairs', () => {
    it('favourite then un-favourite, arriving in order: not a favourite', async () => {
      const { userId, token, activityId } = await userWithActivity()
      expect((await tap(token, activityId, true, secondsFromNow(-20))).status).toBe(201)
      expect((await tap(token, activityId, false, secondsFromNow(-10))).status).toBe(204)
      expect(await isFavorite(userId, activityId)).toBe(false)
    })

    it('favourite then un-favourite, arriving as DELETE then POST: the POST is 409 superseded and stores nothing', async () => {
      const { userId, token, activityId } = await userWithActivity()
      expect((await tap(token, activityId, false, secondsFromNow(-10))).status).toBe(204)
      const problem = await expectProblem(await tap(token, activityId, true, secondsFromNow(-20)), 409)
      expect(problem.type).toBe('urn:problem-type:superseded')
      expect(problem.detail).toContain(activityId)
      expect(await isFavorite(userId, activityId)).toBe(false)
    })

    it('un-favourite then favourite, arriving in order: a favourite', async () => {
      const { userId, token, activityId } = await userWithActivity()
      await createFavorite(userId, activityId, new Date(Date.now() - 60_000))
      expect((await tap(token, activityId, false, secondsFromNow(-20))).status).toBe(204)
      expect((await tap(token, activityId, true, secondsFromNow(-10))).status).toBe(201)
      expect(await isFavorite(userId, activityId)).toBe(true)
    })

    it('un-favourite then favourite, arriving as POST then DELETE: the DELETE is 204 and the favourite stays', async () => {
      const { userId, token, activityId } = await userWithActivity()
      const created = await tap(token, activityId, true, secondsFromNow(-10))
      expect(created.status).toBe(201)
      const record = await created.json()
      expect((await tap(token, activityId, false, secondsFromNow(-20))).status).toBe(204)
      expect(await isFavorite(userId, activityId)).toBe(true)
      // The same favourite, not a new one.
      const again = await tap(token, activityId, true, secondsFromNow(-30))
      expect(again.status).toBe(200)
      expect(await again.json()).toEqual(record)
    })

    it('add, remove, add arriving as add, add, remove: a repeated add moves the time, so the heart stays on', async () => {
      const { userId, token, activityId } = await userWithActivity()
      expect((await tap(token, activityId, true, secondsFromNow(-30))).status).toBe(201)
      expect((await tap(token, activityId, true, secondsFromNow(-10))).status).toBe(200)
      expect((await tap(token, activityId, false, secondsFromNow(-20))).status).toBe(204)
      expect(await isFavorite(userId, activityId)).toBe(true)
    })

    it('remove, add, remove arriving as remove, remove, add: the later removal holds', async () => {
      const { userId, token, activityId } = await userWithActivity()
      expect((await tap(token, activityId, false, secondsFromNow(-30))).status).toBe(204)
      expect((await tap(token, activityId, false, secondsFromNow(-10))).status).toBe(204)
      await expectProblem(await tap(token, activityId, true, secondsFromNow(-20)), 409)
      expect(await isFavorite(userId, activityId)).toBe(false)
    })
  })

  describe('without tappedAt (applied as now)', () => {
    it('a POST without tappedAt beats an older DELETE that arrives later', async () => {
      const { userId, token, activityId } = await userWithActivity()
      expect((await tap(token, activityId, true)).status).toBe(201)
      expect((await tap(token, activityId, false, secondsFromNow(-60))).status).toBe(204)
      expect(await isFavorite(userId, activityId)).toBe(true)
    })

    it('a DELETE without tappedAt beats an older POST that arrives later', async () => {
      const { userId, token, activityId } = await userWithActivity()
      expect((await tap(token, activityId, false)).status).toBe(204)
      await expectProblem(await tap(token, activityId, true, secondsFromNow(-60)), 409)
      expect(await isFavorite(userId, activityId)).toBe(false)
    })

    it('requests without tappedAt keep the behaviour of the first version: the last request wins', async () => {
      const { userId, token, activityId } = await userWithActivity()
      expect((await tap(token, activityId, true)).status).toBe(201)
      expect((await tap(token, activityId, false)).status).toBe(204)
      expect(await isFavorite(userId, activityId)).toBe(false)
      expect((await tap(token, activityId, true)).status).toBe(201)
      expect(await isFavorite(userId, activityId)).toBe(true)
    })

    it('a favourite made before tap times existed counts as tapped when it was created', async () => {
      const { userId, token, activityId } = await userWithActivity()
      await createFavorite(userId, activityId, new Date(Date.now() - 60_000))
      expect((await tap(token, activityId, false, secondsFromNow(-120))).status).toBe(204)
      expect(await isFavorite(userId, activityId)).toBe(true)
      expect((await tap(token, activityId, false, secondsFromNow(-30))).status).toBe(204)
      expect(await isFavorite(userId, activityId)).toBe(false)
    })
  })

  describe('clock skew', () => {
    it('a tappedAt more than 5 minutes ahead counts as now, so a later tap without tappedAt still wins', async () => {
      const { userId, token, activityId } = await userWithActivity()
      expect((await tap(token, activityId, true, secondsFromNow(3600))).status).toBe(201)
      expect((await tap(token, activityId, false)).status).toBe(204)
      expect(await isFavorite(userId, activityId)).toBe(false)
    })

    it('a tappedAt up to 5 minutes ahead is taken as sent', async () => {
      const { userId, token, activityId } = await userWithActivity()
      expect((await tap(token, activityId, true, secondsFromNow(240))).status).toBe(201)
      expect((await tap(token, activityId, false)).status).toBe(204)
      expect(await isFavorite(userId, activityId)).toBe(true)
    })

    it('accepts any RFC 3339 offset and compares instants, not wall clocks', async () => {
      const { userId, token, activityId } = await userWithActivity()
      // 10:00 in Kathmandu is 04:15 UTC, i.e. earlier than 05:00 UTC.
      expect((await tap(token, activityId, false, '2026-01-01T05:00:00Z')).status).toBe(204)
      await expectProblem(await tap(token, activityId, true, '2026-01-01T10:00:00+05:45'), 409)
      expect((await tap(token, activityId, true, '2026-01-01T11:00:00+05:45')).status).toBe(201)
      expect(await isFavorite(userId, activityId)).toBe(true)
    })
  })

  describe('removal markers', () => {
    it('a removal is kept as a marker with its tap time, and a later add clears it', async () => {
      const { userId, token, activityId } = await userWithActivity()
      const removedAt = '2026-03-01T12:00:00.000Z'
      await tap(token, activityId, false, removedAt)
      expect((await removalMarkers(userId)).get(activityId)).toEqual({ tappedAt: removedAt })
      await tap(token, activityId, true, '2026-03-01T12:00:01.000Z')
      expect((await removalMarkers(userId)).has(activityId)).toBe(false)
    })

    it("one user's taps never touch another user's favourite or markers", async () => {
      const owner = await userWithActivity()
      await tap(owner.token, owner.activityId, true, secondsFromNow(-10))
      const other = await userToken(await createUser())
      expect((await tap(other, owner.activityId, false)).status).toBe(204)
      expect(await isFavorite(owner.userId, owner.activityId)).toBe(true)
      expect((await removalMarkers(owner.userId)).size).toBe(0)
    })
  })

  describe('errors', () => {
    it.each([
      ['not a date', 'yesterday'],
      ['no offset', '2026-01-01T10:00:00'],
      ['a date only', '2026-01-01'],
      ['a number', 1767261600000],
    ])('answers 400 for a body tappedAt that is %s, storing nothing', async (_, tappedAt) => {
      const { userId, token, activityId } = await userWithActivity()
      const response = await api('/favorites', { method: 'POST', token, json: { activityId, tappedAt } })
      const problem = await expectProblem(response, 400)
      expect(problem.issues?.map((issue) => issue.path)).toEqual(['json.tappedAt'])
      expect(await isFavorite(userId, activityId)).toBe(false)
    })

    it('answers 400 for a DELETE tappedAt that is not RFC 3339, removing nothing', async () => {
      const { userId, token, activityId } = await userWithActivity()
      await createFavorite(userId, activityId)
      const problem = await expectProblem(await tap(token, activityId, false, 'soon'), 400)
      expect(problem.issues?.map((issue) => issue.path)).toEqual(['query.tappedAt'])
      expect(await isFavorite(userId, activityId)).toBe(true)
    })
  })

  describe('one round trip', () => {
    it('POST and DELETE with tappedAt are each one database round trip, superseded or not', async () => {
      const { token, activityId } = await userWithActivity()
      expect(await countRoundTrips(() => tap(token, activityId, true, secondsFromNow(-10)))).toBe(1)
      expect(await countRoundTrips(() => tap(token, activityId, false, secondsFromNow(-20)))).toBe(1)
      expect(await countRoundTrips(() => tap(token, activityId, false, secondsFromNow(-5)))).toBe(1)
      expect(await countRoundTrips(() => tap(token, activityId, true, secondsFromNow(-30)))).toBe(1)
    })
  })
})
