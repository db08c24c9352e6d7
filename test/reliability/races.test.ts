/**
 * Concurrency on a real PostgreSQL server (PGlite has one connection, so its requests never overlap): double taps,
 * POST/DELETE storms, and a paged walk while another worker writes. The walk also runs on PGlite, interleaved.
 */
import { type SQL, sql } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { postgresErrorOf } from '../../src/db/errors'
import {
  createActivity,
  createFavorite,
  createUser,
  favoriteRows,
  onPostgres,
  testDb,
} from '../support/database'
import { userToken } from '../support/tokens'
import { directApi } from './direct'

type FavoriteRecord = { id: string; activityId: string; createdAt: string }

// Direct calls to the Worker's fetch handler (see direct.ts): as concurrent as SELF, without its slowdown.
const favourite = (token: string, activityId: string) =>
  directApi('/favorites', { method: 'POST', token, json: { activityId } })
const unfavourite = (token: string, activityId: string) =>
  directApi(`/favorites/${activityId}`, { method: 'DELETE', token })

async function retriedOnDeadlock(statement: SQL): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await testDb.execute(statement)
      return
    } catch (error) {
      if (postgresErrorOf(error)?.code !== '40P01' || attempt >= 5) throw error
    }
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

/** The Worker's warnings and errors (it runs in this isolate), to say why a request failed. */
function captureWorkerProblems(): string[] {
  const lines: string[] = []
  const keep = (...args: unknown[]) => {
    const text = args.map(String).join(' ')
    if (/"level":"(warn|error)"/.test(text)) lines.push(text)
  }
  vi.spyOn(console, 'log').mockImplementation(keep)
  vi.spyOn(console, 'error').mockImplementation(keep)
  return lines
}

describe('races on PostgreSQL', () => {
  it.runIf(onPostgres)(
    '100 parallel POSTs of one favourite store one row and all answer its id',
    async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const activity = await createActivity()
      const responses = await Promise.all(Array.from({ length: 100 }, () => favourite(token, activity.id)))
      const statuses = responses.map((r) => r.status)
      expect(statuses.filter((s) => s === 201)).toHaveLength(1)
      expect(statuses.filter((s) => s === 200)).toHaveLength(99)
      const records = await Promise.all(responses.map((r) => r.json() as Promise<FavoriteRecord>))
      expect(new Set(records.map((r) => r.id)).size).toBe(1)
      expect(new Set(records.map((r) => r.createdAt)).size).toBe(1)
      const rows = (await favoriteRows(userId)).rows
      expect(rows).toEqual([{ id: records[0]?.id, activity_id: activity.id }])
    },
  )

  it.runIf(onPostgres)(
    'storms of interleaved POST/DELETE for one favourite: never a 5xx, at most one row (10 rounds x 60)',
    async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const activity = await createActivity()
      const problems = captureWorkerProblems()
      for (let round = 0; round < 10; round++) {
        const requests = Array.from({ length: 60 }, (_, n) =>
          (n + round) % 2 === 0 ? favourite(token, activity.id) : unfavourite(token, activity.id),
        )
        const responses = await Promise.all(requests)
        for (const [n, response] of responses.entries()) {
          expect(response.status, `round ${round} request ${n}: ${problems.join('\n')}`).toBeLessThan(500)
          // 409: a POST that waited for a DELETE which arrived after it (the last tap wins; without `tappedAt`,
          // a tap's time is its arrival).
          expect([200, 201, 204, 409]).toContain(response.status)
        }
        const rows = (await favoriteRows(userId)).rows
        expect(rows.length).toBeLessThanOrEqual(1)
        // The API agrees with the table.
        const status = await directApi(`/favorites/status?activityIds=${activity.id}`, { token })
        const body = (await status.json()) as { items: { favorited: boolean }[] }
        expect(body.items[0]?.favorited).toBe(rows.length === 1)
      }
    },
    60_000,
  )

  it.runIf(onPostgres)(
    'favouriting while the activity or the user is deleted: 201/200/404/403 only, never an orphan row',
    async () => {
      for (let round = 0; round < 5; round++) {
        const users = await Promise.all(Array.from({ length: 10 }, () => createUser()))
        const tokens = await Promise.all(users.map((id) => userToken(id)))
        const activity = await createActivity()
        // The two deletions can deadlock on each other's cascades (both reach the favourites and the counts): the
        // platform retries a deletion so aborted, as here. The favourites are what the test watches.
        const deleteActivity = retriedOnDeadlock(
          sql`DELETE FROM activities.activities WHERE id = ${activity.id}`,
        )
        const deleteUser = retriedOnDeadlock(sql`DELETE FROM users.users WHERE id = ${users[0]}`)
        const [responses] = await Promise.all([
          Promise.all(tokens.map((token) => favourite(token, activity.id))),
          deleteActivity,
          deleteUser,
        ])
        for (const response of responses) expect([200, 201, 403, 404]).toContain(response.status)
        const orphans = await testDb.execute<{ n: string }>(sql`
          SELECT count(*)::text AS n FROM activities.user_activity_favorites f
          WHERE NOT EXISTS (SELECT 1 FROM activities.activities a WHERE a.id = f.activity_id)
             OR NOT EXISTS (SELECT 1 FROM users.users u WHERE u.id = f.user_id)
        `)
        expect(orphans.rows[0]?.n).toBe('0')
      }
    },
    60_000,
  )
})

describe('walking a list while another worker writes', () => {
  it('never repeats an item and never skips one that existed throughout (ties on created_at included)', async () => {
    const userId = await createUser()
    const token = await userToken(userId)
    const base = Date.now() - 3_600_000
    // 40 favourites that stay, in 20 pairs sharing a created_at (the keyset breaks ties by id).
    const stable = new Set<string>()
    const stableTimes: Date[] = []
    for (let n = 0; n < 40; n++) {
      const at = new Date(base - Math.floor(n / 2) * 60_000)
      stableTimes.push(at)
      const activity = await createActivity()
      stable.add((await createFavorite(userId, activity.id, at)).id)
    }
    const churn = await Promise.all(Array.from({ length: 10 }, () => createActivity()))

    // The other worker: adds and removes favourites through the API (newest) and inserts/deletes rows dated
    // exactly on the stable items' timestamps (as an import would), all while the walk goes on.
    let walking = true
    let writes = 0
    const other = (async () => {
      let n = 0
      while (walking) {
        const activity = churn[n % churn.length]
        if (!activity) break
        const at = stableTimes[(n * 7) % stableTimes.length] ?? new Date(base)
        if (n % 2 === 0) {
          await favourite(token, activity.id)
          await testDb.execute(sql`
            INSERT INTO activities.user_activity_favorites (user_id, activity_id, created_at)
            VALUES (${userId}, ${churn[(n + 5) % churn.length]?.id}, ${at.toISOString()})
            ON CONFLICT DO NOTHING`)
        } else {
          await unfavourite(token, activity.id)
          await testDb.execute(sql`
            DELETE FROM activities.user_activity_favorites
            WHERE user_id = ${userId} AND activity_id = ${churn[(n + 4) % churn.length]?.id}`)
        }
        writes++
        n++
        // On PGlite nothing overlaps: yield so that writes land between pages.
        if (!onPostgres) await new Promise((resolve) => setTimeout(resolve, 0))
      }
    })()

    const seen: string[] = []
    try {
      for (let walk = 0; walk < 3; walk++) {
        seen.length = 0
        let cursor: string | null = null
        let pages = 0
        do {
          const query: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3'
          const response = await directApi(`/favorites${query}`, { token })
          expect(response.status).toBe(200)
          const page = (await response.json()) as { items: FavoriteRecord[]; nextCursor: string | null }
          seen.push(...page.items.map((item) => item.id))
          cursor = page.nextCursor
          pages++
        } while (cursor && pages < 100)
        expect(new Set(seen).size, 'an item was repeated').toBe(seen.length)
        for (const id of stable) expect(seen, `stable favourite ${id} was skipped`).toContain(id)
      }
    } finally {
      walking = false
      await other
    }
    expect(writes).toBeGreaterThan(0)
  }, 60_000)
})
