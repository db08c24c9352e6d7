/**
 * `favoriteCount`: how many users saved an activity, on every status entry and on every record's activity, in the
 * request's single statement, from the counts the write statements keep in step (never who).
 */
import { describe, expect, it } from 'vitest'
import { api } from '../../support/api'
import { countRoundTrips, createActivity, createFavorite, createUser } from '../../support/database'
import { userToken } from '../../support/tokens'

type Status = { items: { activityId: string; favoriteCount: number }[] }
type Activity = { activity: { favoriteCount: number } }

describe('favoriteCount', () => {
  it('follows adds and removals by any user, on status, GET, the list and POST', async () => {
    const activity = await createActivity()
    const others = await Promise.all([createUser(), createUser(), createUser()])
    for (const userId of others) await createFavorite(userId, activity.id)
    const me = await createUser()
    const token = await userToken(me)
    const statusCount = async () =>
      ((await (await api(`/favorites/status?activityIds=${activity.id}`, { token })).json()) as Status)
        .items[0]?.favoriteCount

    expect(await statusCount()).toBe(3)
    // My own favourite counts in the answer to the very POST that adds it.
    const created = await api('/favorites', { method: 'POST', token, json: { activityId: activity.id } })
    expect(created.status).toBe(201)
    expect(((await created.json()) as Activity).activity.favoriteCount).toBe(4)
    const again = await api('/favorites', { method: 'POST', token, json: { activityId: activity.id } })
    expect(again.status).toBe(200)
    expect(((await again.json()) as Activity).activity.favoriteCount).toBe(4)
    expect(await statusCount()).toBe(4)
    const one = (await (await api(`/favorites/${activity.id}`, { token })).json()) as Activity
    expect(one.activity.favoriteCount).toBe(4)
    const list = (await (await api('/favorites', { token })).json()) as { items: Activity[] }
    expect(list.items.map((item) => item.activity.favoriteCount)).toEqual([4])

    const [leaving] = others
    await api(`/favorites/${activity.id}`, { method: 'DELETE', token: await userToken(leaving as string) })
    expect(await statusCount()).toBe(3)
  })

  it('is 0 for an activity nobody saved and for an id that is no activity, in one round trip', async () => {
    const token = await userToken(await createUser())
    const quiet = await createActivity()
    const ids = [quiet.id, crypto.randomUUID()]
    let body: Status = { items: [] }
    const trips = await countRoundTrips(async () => {
      body = (await (await api(`/favorites/status?activityIds=${ids.join(',')}`, { token })).json()) as Status
    })
    expect(trips).toBe(1)
    expect(body.items.map((item) => item.favoriteCount)).toEqual([0, 0])
  })
})
