/**
 * Cascades and integrity through the API, on both backends: a user or an activity deleted directly in the database
 * takes its favourites with it, and every route reflects that at once (list, status, get, analytics counts).
 * A favourite can never point at a user or an activity that does not exist.
 */
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { api } from '../support/api'
import {
  createActivity,
  createFavorite,
  createUser,
  favoriteRows,
  newCompanyId,
  testDb,
} from '../support/database'
import { staffToken, userToken } from '../support/tokens'

type AnalyticsItem = { activityId: string; totalFavorites: number; favoritesInPeriod: number }

// Analytics answers are cached 60 s per exact question (documented). Each call below asks a fresh question (its
// own `to`), so what is proven is that the database side (rollups included) is in step at once.
let analyticsCall = 0
function freshPeriod(): string {
  analyticsCall++
  const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 86_400_000 + analyticsCall * 3_600_000)
  const from = new Date(to.getTime() - 30 * 86_400_000)
  return `from=${from.toISOString()}&to=${to.toISOString()}`
}

async function analyticsCounts(companyId: string): Promise<Map<string, number>> {
  const response = await api(`/analytics/favorites?limit=100&${freshPeriod()}`, {
    token: await staffToken(companyId),
  })
  expect(response.status).toBe(200)
  expect(response.headers.get('X-Analytics-Cache')).toBe('miss')
  const body = (await response.json()) as { items: AnalyticsItem[] }
  return new Map(body.items.map((item) => [item.activityId, item.totalFavorites]))
}

async function timeseriesTotal(companyId: string): Promise<number> {
  const response = await api(`/analytics/favorites/timeseries?${freshPeriod()}`, {
    token: await staffToken(companyId),
  })
  expect(response.status).toBe(200)
  const body = (await response.json()) as { buckets: { favorites: number }[] }
  return body.buckets.reduce((sum, bucket) => sum + bucket.favorites, 0)
}

async function statusOf(token: string, activityIds: string[]) {
  const response = await api(`/favorites/status?activityIds=${activityIds.join(',')}`, { token })
  const body = (await response.json()) as { items: { activityId: string; favorited: boolean }[] }
  return body.items.map((item) => item.favorited)
}

async function listIds(token: string): Promise<string[]> {
  const body = (await (await api('/favorites?limit=100', { token })).json()) as {
    items: { activityId: string }[]
  }
  return body.items.map((item) => item.activityId)
}

describe('cascades', () => {
  it("deleting a user removes their favourites: the company's counts drop at once", async () => {
    const companyId = newCompanyId()
    const a = await createActivity({ companyId })
    const b = await createActivity({ companyId })
    const leaving = await createUser()
    const staying = await createUser()
    for (const activity of [a, b]) {
      await createFavorite(leaving, activity.id)
      await createFavorite(staying, activity.id)
    }
    expect(Object.fromEntries(await analyticsCounts(companyId))).toEqual({ [a.id]: 2, [b.id]: 2 })
    expect(await timeseriesTotal(companyId)).toBe(4)

    await testDb.execute(sql`DELETE FROM users.users WHERE id = ${leaving}`)

    expect((await favoriteRows(leaving)).rows).toEqual([])
    expect(Object.fromEntries(await analyticsCounts(companyId))).toEqual({ [a.id]: 1, [b.id]: 1 })
    expect(await timeseriesTotal(companyId)).toBe(2)
    // The user that stays still sees both.
    expect((await listIds(await userToken(staying))).sort()).toEqual([a.id, b.id].sort())
    // A token of the deleted user can no longer write: 403 unknown user, never a foreign-key 500.
    const again = await api('/favorites', {
      method: 'POST',
      token: await userToken(leaving),
      json: { activityId: a.id },
    })
    expect(again.status).toBe(403)
  })

  it('deleting an activity removes its favourites from list, status, get and analytics at once', async () => {
    const companyId = newCompanyId()
    const gone = await createActivity({ companyId })
    const kept = await createActivity({ companyId })
    const userId = await createUser()
    const other = await createUser()
    const token = await userToken(userId)
    for (const activity of [gone, kept]) {
      expect(
        (await api('/favorites', { method: 'POST', token, json: { activityId: activity.id } })).status,
      ).toBe(201)
    }
    await createFavorite(other, gone.id)
    expect(await statusOf(token, [gone.id, kept.id])).toEqual([true, true])
    expect(Object.fromEntries(await analyticsCounts(companyId))).toEqual({ [gone.id]: 2, [kept.id]: 1 })

    await testDb.execute(sql`DELETE FROM activities.activities WHERE id = ${gone.id}`)

    expect(await listIds(token)).toEqual([kept.id])
    expect(await statusOf(token, [gone.id, kept.id])).toEqual([false, true])
    expect((await api(`/favorites/${gone.id}`, { token })).status).toBe(404)
    expect((await api(`/favorites/${kept.id}`, { token })).status).toBe(200)
    expect(Object.fromEntries(await analyticsCounts(companyId))).toEqual({ [kept.id]: 1 })
    expect(await timeseriesTotal(companyId)).toBe(1)
    const series = await api(`/analytics/favorites/timeseries?activityId=${gone.id}`, {
      token: await staffToken(companyId),
    })
    expect(series.status).toBe(404)
    // Favouriting it now is a 404, and deleting the favourite again is still a 204.
    expect((await api('/favorites', { method: 'POST', token, json: { activityId: gone.id } })).status).toBe(
      404,
    )
    expect((await api(`/favorites/${gone.id}`, { method: 'DELETE', token })).status).toBe(204)
    const rows = await testDb.execute(
      sql`SELECT 1 FROM activities.user_activity_favorites WHERE activity_id = ${gone.id}`,
    )
    expect(rows.rows).toEqual([])
  })
})

describe('integrity', () => {
  it('the database refuses a favourite of a missing user or activity', async () => {
    const userId = await createUser()
    const activity = await createActivity()
    await expect(createFavorite(crypto.randomUUID(), activity.id)).rejects.toThrow()
    await expect(createFavorite(userId, crypto.randomUUID())).rejects.toThrow()
    expect((await favoriteRows(userId)).rows).toEqual([])
  })

  it('the API answers 404 for a missing activity and 403 for a missing user, storing nothing', async () => {
    const userId = await createUser()
    const activity = await createActivity()
    const unknownActivity = await api('/favorites', {
      method: 'POST',
      token: await userToken(userId),
      json: { activityId: crypto.randomUUID() },
    })
    expect(unknownActivity.status).toBe(404)
    const ghost = crypto.randomUUID()
    const unknownUser = await api('/favorites', {
      method: 'POST',
      token: await userToken(ghost),
      json: { activityId: activity.id },
    })
    expect(unknownUser.status).toBe(403)
    expect((await favoriteRows(userId)).rows).toEqual([])
    expect((await favoriteRows(ghost)).rows).toEqual([])
  })

  it('no favourite in the whole database points at a missing user or activity', async () => {
    const orphans = await testDb.execute<{ n: string }>(sql`
      SELECT count(*)::text AS n FROM activities.user_activity_favorites f
      WHERE NOT EXISTS (SELECT 1 FROM activities.activities a WHERE a.id = f.activity_id)
         OR NOT EXISTS (SELECT 1 FROM users.users u WHERE u.id = f.user_id)
    `)
    expect(orphans.rows[0]?.n).toBe('0')
  })
})
