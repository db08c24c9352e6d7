/**
 * The sync feed's statement on its own (src/queries/favorite-sync.ts): the exact page bounds, which the route's
 * tests see only through the cursors, for adds and for removal markers, each read from its own index.
 */
import { describe, expect, it } from 'vitest'
import { type ChangePosition, FEED_START, listFavoriteChanges } from '../../src/queries/favorite-sync'
import { createActivity, createUser, queryDb } from '../support/database'
import { tap } from '../support/taps'
import { userToken } from '../support/tokens'

/** Reads the whole feed `limit` entries at a time: each page's size and `hasMore`. */
async function pages(userId: string, limit: number) {
  const read: { size: number; hasMore: boolean }[] = []
  let since: ChangePosition = FEED_START
  for (let page = 0; page < 10; page++) {
    const feed = await listFavoriteChanges(queryDb, { userId, since, limit })
    if (!feed) throw new Error('unknown user')
    read.push({ size: feed.entries.length, hasMore: feed.hasMore })
    since = feed.entries.at(-1)?.position ?? since
    if (!feed.hasMore) break
  }
  return read
}

/** A user with `adds` current favourites and `removals` removal markers (favourited, then un-favourited). */
async function userWithChanges(adds: number, removals: number) {
  const userId = await createUser()
  const token = await userToken(userId)
  for (let n = 0; n < adds + removals; n++) {
    const activity = await createActivity()
    await tap(token, activity.id, true)
    if (n >= adds) await tap(token, activity.id, false)
  }
  return userId
}

describe('listFavoriteChanges', () => {
  it('answers no entries, nothing purged and no more for a user without changes', async () => {
    const feed = await listFavoriteChanges(queryDb, {
      userId: await createUser(),
      since: FEED_START,
      limit: 3,
    })
    expect(feed).toEqual({ purgedThrough: 0, entries: [], hasMore: false })
  })

  it('answers undefined for a user who is not registered', async () => {
    const userId = crypto.randomUUID()
    expect(await listFavoriteChanges(queryDb, { userId, since: FEED_START, limit: 3 })).toBeUndefined()
  })

  it.each([
    { adds: 6, removals: 0, expected: [3, 3] },
    { adds: 0, removals: 4, expected: [3, 1] },
    { adds: 2, removals: 4, expected: [3, 3] },
    { adds: 0, removals: 3, expected: [3] },
  ])(
    'pages $adds adds and $removals removals 3 at a time: $expected',
    async ({ adds, removals, expected }) => {
      const read = await pages(await userWithChanges(adds, removals), 3)
      expect(read).toEqual(expected.map((size, i) => ({ size, hasMore: i < expected.length - 1 })))
    },
  )
})
