/**
 * The mobile sync model under concurrency on a real PostgreSQL server: opposite taps racing end in the state of
 * the later tap, and a device that reads its list then follows the changes feed converges to the stored state
 * while another device writes. (The walk also runs on PGlite, where the writes interleave between pages.)
 */
import { describe, expect, it } from 'vitest'
import { createActivity, createUser, onPostgres } from '../support/database'
import { isFavorite } from '../support/taps'
import { userToken } from '../support/tokens'
import { directApi } from './direct'

type Change = { activityId: string; favorited: boolean }
type Feed = { items: Change[]; nextCursor: string; hasMore: boolean }
type ListPage = { items: { activityId: string }[]; nextCursor: string | null; changesCursor: string | null }

const at = (base: number, offsetMs: number) => new Date(base + offsetMs).toISOString()

const tapDirect = (token: string, activityId: string, favorited: boolean, tappedAt: string) =>
  favorited
    ? directApi('/favorites', { method: 'POST', token, json: { activityId, tappedAt } })
    : directApi(`/favorites/${activityId}?tappedAt=${encodeURIComponent(tappedAt)}`, {
        method: 'DELETE',
        token,
      })

describe('sync races on PostgreSQL', () => {
  it.runIf(onPostgres)(
    'two concurrent opposite taps end in the state of the later tappedAt, in either arrival order (40 pairs x 2)',
    async () => {
      const userId = await createUser()
      const token = await userToken(userId)
      const activities = await Promise.all(Array.from({ length: 40 }, () => createActivity()))
      for (const [round, laterIsAdd] of [true, false].entries()) {
        const base = Date.now() - 60_000 + round * 10_000
        // Each pair: the later tap and the earlier one, sent at the same moment; half the pairs send the later first.
        const requests = activities.flatMap((activity, n) => {
          const later = tapDirect(token, activity.id, laterIsAdd, at(base, 2_000 + n))
          const earlier = tapDirect(token, activity.id, !laterIsAdd, at(base, 1_000 + n))
          return n % 2 === 0 ? [later, earlier] : [earlier, later]
        })
        const responses = await Promise.all(requests)
        for (const response of responses) expect([200, 201, 204, 409]).toContain(response.status)
        for (const activity of activities) {
          expect(await isFavorite(userId, activity.id), activity.id).toBe(laterIsAdd)
        }
      }
    },
    60_000,
  )
})

describe('a fresh device: the list, then the changes feed, while another device writes', () => {
  it('converges to the stored favourites, each feed answer listing an activity at most once', async () => {
    const userId = await createUser()
    const token = await userToken(userId)
    const activities = await Promise.all(Array.from({ length: 12 }, () => createActivity()))
    for (const activity of activities.slice(0, 6)) {
      await directApi('/favorites', { method: 'POST', token, json: { activityId: activity.id } })
    }

    let writing = true
    let writes = 0
    const otherDevice = (async () => {
      for (let n = 0; writing || writes < 20; n++) {
        const activity = activities[(n * 5) % activities.length]
        if (!activity) break
        const response = await directApi(
          n % 3 === 0 ? `/favorites/${activity.id}` : '/favorites',
          n % 3 === 0
            ? { method: 'DELETE', token }
            : { method: 'POST', token, json: { activityId: activity.id } },
        )
        expect(response.status).toBeLessThan(500)
        writes++
        if (!onPostgres) await new Promise((resolve) => setTimeout(resolve, 0))
      }
    })()

    // The device reads its whole list, 2 per page, keeping the first page's changesCursor.
    const state = new Set<string>()
    let changesCursor: string | null = null
    let cursor: string | null = null
    do {
      const response = await directApi(`/favorites?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token })
      const page = (await response.json()) as ListPage
      changesCursor ??= page.changesCursor
      for (const item of page.items) state.add(item.activityId)
      cursor = page.nextCursor
    } while (cursor)
    expect(changesCursor).toEqual(expect.any(String))

    // Then it follows the feed while the other device goes on, and once more after it stopped.
    const follow = async () => {
      for (let pages = 0; pages < 200; pages++) {
        const response = await directApi(
          `/favorites/changes?limit=3&since=${encodeURIComponent(changesCursor ?? '')}`,
          { token },
        )
        expect(response.status).toBe(200)
        const feed = (await response.json()) as Feed
        const ids = feed.items.map((change) => change.activityId)
        expect(new Set(ids).size).toBe(ids.length)
        for (const change of feed.items) {
          if (change.favorited) state.add(change.activityId)
          else state.delete(change.activityId)
        }
        changesCursor = feed.nextCursor
        if (!feed.hasMore) return
      }
    }
    await follow()
    writing = false
    await otherDevice
    await follow()

    expect(writes).toBeGreaterThanOrEqual(20)
    const stored = new Set<string>()
    for (const activity of activities) if (await isFavorite(userId, activity.id)) stored.add(activity.id)
    expect([...state].sort()).toEqual([...stored].sort())
  }, 60_000)
})
