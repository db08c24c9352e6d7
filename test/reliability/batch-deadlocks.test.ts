/**
 * Offline queues flushed at once by many users of one company's activities: each batch adds and removes, so its
 * two count triggers touch the same count rows as the others' (the activities' totals, days, months, years,
 * quarter-hours and the company's). They must queue on those rows, never deadlock: PostgreSQL breaks a deadlock
 * after `deadlock_timeout` (1 s) by aborting one statement, which the API answers 503. PostgreSQL only: PGlite runs
 * one statement at a time.
 */
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { arrayLiteral } from '../../src/queries/array-literal'
import {
  createActivity,
  createFavorite,
  createUser,
  newCompanyId,
  onPostgres,
  testDb,
} from '../support/database'
import { userToken } from '../support/tokens'
import { directApi } from './direct'

const USERS = 24
const ACTIVITIES = 16
const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

/** Each activity's kept total and its day rows' sum equal a recount of its favourites. */
async function expectCountsMatchFavourites(activityIds: readonly string[]): Promise<void> {
  const rows = await testDb.execute<{ activity_id: string; kept: number; days: number; actual: number }>(sql`
    SELECT c.activity_id, c.favorites AS kept,
           (SELECT coalesce(sum(d.favorites), 0) FROM activities.activity_favorite_day_counts d
            WHERE d.activity_id = c.activity_id)::int AS days,
           (SELECT count(*) FROM activities.user_activity_favorites f WHERE f.activity_id = c.activity_id)::int AS actual
    FROM activities.activity_favorite_counts c
    WHERE c.activity_id = ANY(${arrayLiteral(activityIds)}::uuid[])`)
  expect(rows.rows).toHaveLength(activityIds.length)
  for (const row of rows.rows) expect([row.kept, row.days], row.activity_id).toEqual([row.actual, row.actual])
}

/** A copy of `items` in a random order. */
const shuffled = <T>(items: readonly T[]): T[] =>
  items
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item)

describe('concurrent batches that add and remove', () => {
  it.runIf(onPostgres)(
    'of 24 users flipping every one of a company’s 16 activities all apply (200), three rounds, counts exact',
    async () => {
      const companyId = newCompanyId()
      const activities = await Promise.all(
        Array.from({ length: ACTIVITIES }, () => createActivity({ companyId })),
      )
      const users = await Promise.all(
        Array.from({ length: USERS }, async () => ({ id: await createUser(), favorites: new Set<string>() })),
      )
      // Half the activities as each user's favourites, made over the last two days, so that the removals touch
      // other days' and quarter-hours' count rows than the additions (today's, now's).
      for (const [u, user] of users.entries()) {
        for (const [a, activity] of activities.entries()) {
          if ((a + u) % 2 !== 0) continue
          await createFavorite(user.id, activity.id, new Date(Date.now() - ((a * 23 + u * 7) % 48) * HOUR_MS))
          user.favorites.add(activity.id)
        }
      }
      const tokens = await Promise.all(users.map((user) => userToken(user.id)))
      for (let round = 0; round < 3; round++) {
        const responses = await Promise.all(
          users.map((user, u) =>
            directApi('/favorites/batch', {
              method: 'POST',
              token: tokens[u],
              // Every activity flipped: the favourites removed, the others added, in a random order.
              json: {
                changes: shuffled(activities).map((a) => ({
                  activityId: a.id,
                  favorited: !user.favorites.has(a.id),
                })),
              },
            }),
          ),
        )
        expect(responses.map((r) => r.status)).toEqual(users.map(() => 200))
        for (const user of users) {
          const next = new Set(activities.map((a) => a.id).filter((id) => !user.favorites.has(id)))
          user.favorites = next
        }
      }
      // And the counts the triggers kept agree with the favourites the users meant to leave.
      const counts = await testDb.execute<{ activity_id: string; favorites: number }>(sql`
        SELECT activity_id, favorites FROM activities.activity_favorite_counts
        WHERE activity_id = ANY(${arrayLiteral(activities.map((a) => a.id))}::uuid[])`)
      const expected = new Map(
        activities.map((a) => [a.id, users.filter((user) => user.favorites.has(a.id)).length]),
      )
      expect(new Map(counts.rows.map((row) => [row.activity_id, Number(row.favorites)]))).toEqual(expected)
    },
    60_000,
  )

  it.runIf(onPostgres)(
    'of 32 users (50 adds, 50 removals each), beside single taps and a user’s deletion, all apply, three rounds',
    async () => {
      const companyId = newCompanyId()
      const activities = await Promise.all(Array.from({ length: 60 }, () => createActivity({ companyId })))
      const users = await Promise.all(Array.from({ length: 32 }, () => createUser()))
      const tappers = await Promise.all(Array.from({ length: 16 }, () => createUser()))
      // One old favourite each, in months and years of their own, so the removals reach those rows.
      for (const [u, userId] of [...users, ...tappers].entries()) {
        const activity = activities[u % activities.length]
        if (activity) await createFavorite(userId, activity.id, new Date(Date.now() - (u + 1) * 40 * DAY_MS))
      }
      const tokens = await Promise.all(users.map((userId) => userToken(userId)))
      const tapperTokens = await Promise.all(tappers.map((userId) => userToken(userId)))
      for (let round = 0; round < 3; round++) {
        // A leaving user: their favourites go by cascade, counted down by the same trigger.
        const leaving = await createUser()
        for (const activity of shuffled(activities).slice(0, 20)) await createFavorite(leaving, activity.id)
        const [batches, taps] = await Promise.all([
          Promise.all(
            users.map((_, u) =>
              directApi('/favorites/batch', {
                method: 'POST',
                token: tokens[u],
                json: {
                  changes: shuffled(activities)
                    .concat(shuffled(activities))
                    .slice(0, 100)
                    .map((a, n) => ({ activityId: a.id, favorited: n % 2 === 0 })),
                },
              }),
            ),
          ),
          Promise.all(
            tappers.map((_, t) => {
              const activity = activities[(t * 7 + round) % activities.length]
              if (!activity) throw new Error('no activity')
              return t % 2 === 0
                ? directApi('/favorites', {
                    method: 'POST',
                    token: tapperTokens[t],
                    json: { activityId: activity.id },
                  })
                : directApi(`/favorites/${activity.id}`, { method: 'DELETE', token: tapperTokens[t] })
            }),
          ),
          testDb.execute(sql`DELETE FROM users.users WHERE id = ${leaving}`),
        ])
        expect(batches.map((r) => r.status)).toEqual(users.map(() => 200))
        for (const response of taps) expect([200, 201, 204]).toContain(response.status)
      }
      await expectCountsMatchFavourites(activities.map((a) => a.id))
    },
    60_000,
  )
})
