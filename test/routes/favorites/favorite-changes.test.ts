/** GET /favorites/changes: the offline-sync feed, its cursor from the list, and the purge of old removals. */
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { countRoundTrips, createActivity, createFavorite, createUser, testDb } from '../../support/database'
import { logLinesDuring } from '../../support/logs'
import { PURGE_CRON, runScheduledPurge } from '../../support/scheduled'
import { secondsFromNow, tap } from '../../support/taps'
import { userToken } from '../../support/tokens'

type Change = {
  activityId: string
  favorited: boolean
  tappedAt: string
  favorite: { id: string; activityId: string } | null
}
type Feed = { items: Change[]; nextCursor: string; hasMore: boolean }

async function changes(token: string, query = ''): Promise<Feed> {
  const response = await api(`/favorites/changes${query}`, { token })
  expect(response.status).toBe(200)
  return (await response.json()) as Feed
}

const since = (cursor: string, extra = '') => `?since=${encodeURIComponent(cursor)}${extra}`

async function listCursor(token: string): Promise<string> {
  const response = await api('/favorites', { token })
  const body = (await response.json()) as { changesCursor: string }
  return body.changesCursor
}

/** Makes the user's removal markers look `days` old (the purge keeps them 30 days). */
async function ageMarkers(userId: string, days: number, activityId?: string) {
  await testDb.execute(sql`
    UPDATE activities.user_activity_favorite_removals SET removed_at = now() - make_interval(days => ${days})
    WHERE user_id = ${userId} AND (${activityId ?? null}::uuid IS NULL OR activity_id = ${activityId ?? null}::uuid)`)
}

async function markerCount(userId: string): Promise<number> {
  const result = await testDb.execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM activities.user_activity_favorite_removals WHERE user_id = ${userId}`,
  )
  return Number(result.rows[0]?.n)
}

describe('GET /favorites/changes', () => {
  describe('happy path', () => {
    it('answers adds and removals after the cursor, oldest first, with the favourite for an add', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const [first, second, third] = await Promise.all([createActivity(), createActivity(), createActivity()])
      await createFavorite(userId, second.id, new Date(Date.now() - 60_000))
      const cursor = await listCursor(token)
      const addedAt = secondsFromNow(-30)
      await tap(token, first.id, true, addedAt)
      await tap(token, second.id, false, secondsFromNow(-20))
      await tap(token, third.id, false, secondsFromNow(-10))
      const feed = await changes(token, since(cursor))
      expect(feed.items.map(({ activityId, favorited }) => ({ activityId, favorited }))).toEqual([
        { activityId: first.id, favorited: true },
        { activityId: second.id, favorited: false },
        { activityId: third.id, favorited: false },
      ])
      expect(feed.items[0]).toMatchObject({ tappedAt: addedAt, favorite: { activityId: first.id } })
      expect(feed.items[1]?.favorite).toBeNull()
      expect(feed.hasMore).toBe(false)
    })

    it('lists each activity once, in its latest state', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const activity = await createActivity()
      const cursor = await listCursor(token)
      await tap(token, activity.id, true)
      await tap(token, activity.id, false)
      await tap(token, activity.id, true)
      const feed = await changes(token, since(cursor))
      expect(feed.items.map((c) => [c.activityId, c.favorited])).toEqual([[activity.id, true]])
    })

    it('answers nothing new from its own nextCursor, and continues from it (also when it was empty)', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const activity = await createActivity()
      const empty = await changes(token, since(await listCursor(token)))
      expect(empty.items).toEqual([])
      await tap(token, activity.id, true)
      const next = await changes(token, since(empty.nextCursor))
      expect(next.items.map((c) => c.activityId)).toEqual([activity.id])
      expect((await changes(token, since(next.nextCursor))).items).toEqual([])
    })

    it('pages with limit and hasMore, every change exactly once', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const made = await Promise.all(Array.from({ length: 7 }, () => createActivity()))
      const cursor = await listCursor(token)
      for (const activity of made) await tap(token, activity.id, true)
      const seen: string[] = []
      let position = cursor
      for (let page = 0; page < 10; page++) {
        const feed = await changes(token, since(position, '&limit=3'))
        seen.push(...feed.items.map((c) => c.activityId))
        position = feed.nextCursor
        if (!feed.hasMore) break
      }
      expect(seen).toEqual(made.map((a) => a.id))
    })

    it('without a cursor, starts from everything kept: favourites made before the feed existed included', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const [old, removed] = await Promise.all([createActivity(), createActivity()])
      await createFavorite(userId, old.id)
      await tap(token, removed.id, false)
      const feed = await changes(token)
      expect(feed.items.map((c) => [c.activityId, c.favorited])).toEqual([
        [old.id, true],
        [removed.id, false],
      ])
    })

    it('is one database round trip', async () => {
      const token = await userToken(await createUser())
      expect(await countRoundTrips(() => api('/favorites/changes', { token }))).toBe(1)
    })

    it("never shows another user's changes", async () => {
      const owner = await createUser()
      const activity = await createActivity()
      await tap(await userToken(owner), activity.id, true)
      const other = await userToken(await createUser())
      expect((await changes(other)).items).toEqual([])
    })
  })

  describe('errors', () => {
    it("answers 400 naming query.since for a junk cursor, a list page cursor, or another user's cursor", async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const othersCursor = await listCursor(await userToken(await createUser()))
      for (const cursor of ['junk', 'a.b', othersCursor]) {
        const problem = await expectProblem(await api(`/favorites/changes${since(cursor)}`, { token }), 400)
        expect(problem.issues?.map((issue) => issue.path)).toEqual(['query.since'])
      }
    })

    it('answers 400 for limit=0 and limit=101, and for an unknown parameter', async () => {
      const token = await userToken(await createUser())
      for (const query of ['?limit=0', '?limit=101', '?cursor=x']) {
        await expectProblem(await api(`/favorites/changes${query}`, { token }), 400)
      }
    })

    it('answers 403 unknown-user for a valid token of an unregistered user', async () => {
      const problem = await expectProblem(
        await api('/favorites/changes', { token: await userToken(crypto.randomUUID()) }),
        403,
      )
      expect(problem.type).toBe('urn:problem-type:unknown-user')
    })
  })

  describe('the scheduled purge of removal markers', () => {
    it('purges markers older than 30 days, keeps younger ones, and answers 410 to a cursor from before them', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const [old, recent] = await Promise.all([createActivity(), createActivity()])
      const before = await listCursor(token)
      await tap(token, old.id, false)
      const between = (await changes(token, since(before))).nextCursor
      await tap(token, recent.id, false)
      await ageMarkers(userId, 31, old.id)
      await ageMarkers(userId, 29, recent.id)
      await runScheduledPurge()
      expect(await markerCount(userId)).toBe(1)

      const problem = await expectProblem(await api(`/favorites/changes${since(before)}`, { token }), 410)
      expect(problem.type).toBe('urn:problem-type:changes-cursor-expired')
      expect(problem.detail).toBe('Changes before this cursor are no longer kept: re-read the list')
      // A cursor from after the purged removal still works, and so does re-reading the list.
      expect((await changes(token, since(between))).items.map((c) => c.activityId)).toEqual([recent.id])
      expect((await changes(token, since(await listCursor(token)))).items).toEqual([])
    })

    it('deletes at most REMOVAL_MARKER_PURGE_BATCH markers per run, oldest first', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const [older, old] = await Promise.all([createActivity(), createActivity()])
      await tap(token, older.id, false)
      await tap(token, old.id, false)
      // Older than anything another test leaves behind, so these two are first in line.
      await ageMarkers(userId, 4001, older.id)
      await ageMarkers(userId, 4000, old.id)
      await runScheduledPurge({ REMOVAL_MARKER_PURGE_BATCH: '1' })
      const left = await testDb.execute<{ activity_id: string }>(
        sql`SELECT activity_id FROM activities.user_activity_favorite_removals WHERE user_id = ${userId}`,
      )
      expect(left.rows.map((row) => row.activity_id)).toEqual([old.id])
    })

    it('logs each run with its cron and how many markers it purged', async () => {
      const logged = await logLinesDuring('log', () => runScheduledPurge())
      const runs = logged.filter((entry) => entry.msg === 'removal markers purged')
      expect(runs).toEqual([
        { level: 'info', msg: 'removal markers purged', cron: PURGE_CRON, purged: expect.any(Number) },
      ])
    })

    it('a removal tapped again keeps protecting against an older add', async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const activity = await createActivity()
      await tap(token, activity.id, false, secondsFromNow(-60))
      await tap(token, activity.id, false, secondsFromNow(-30))
      await expectProblem(await tap(token, activity.id, true, secondsFromNow(-45)), 409)
    })
  })
})
