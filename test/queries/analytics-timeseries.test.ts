/**
 * The timeseries statement on its own (src/queries/analytics-timeseries.ts): one count per bucket, zeros included,
 * the previous period's apart, and no counts for an activity that is not the company's. The route fills gaps and
 * picks its buckets itself, so only here does a missing zero or a stray previous count show.
 */
import { describe, expect, it } from 'vitest'
import { favoriteTimeseries } from '../../src/queries/analytics-timeseries'
import { createActivity, createFavorite, createUser, newCompanyId, queryDb } from '../support/database'

const HOUR = 3_600_000
const at = (iso: string) => Date.parse(iso)
/** `n` one-hour buckets from `start`. */
const hours = (start: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ from: at(start) + i * HOUR, to: at(start) + (i + 1) * HOUR }))

async function companyWithFavorites(...instants: string[]) {
  const companyId = newCompanyId()
  const activity = await createActivity({ companyId })
  for (const instant of instants) await createFavorite(await createUser(), activity.id, new Date(instant))
  return { companyId, activityId: activity.id }
}

describe('favoriteTimeseries', () => {
  it('answers one count per bucket, zeros included, and the previous buckets apart', async () => {
    const { companyId, activityId } = await companyWithFavorites(
      '2026-06-01T10:30:00Z',
      '2026-06-01T07:15:00Z',
    )
    const buckets = hours('2026-06-01T09:00:00Z', 3)
    const previousBuckets = hours('2026-06-01T06:00:00Z', 3)
    const expected = { found: true, counts: [0, 1, 0], previousCounts: [0, 1, 0] }
    expect(await favoriteTimeseries(queryDb, { companyId, buckets, previousBuckets })).toEqual(expected)
    expect(await favoriteTimeseries(queryDb, { companyId, buckets, previousBuckets, activityId })).toEqual(
      expected,
    )
    expect(await favoriteTimeseries(queryDb, { companyId, buckets })).toEqual({
      found: true,
      counts: [0, 1, 0],
    })
  })

  it('answers zeros for buckets without favourites', async () => {
    const { companyId } = await companyWithFavorites()
    const buckets = hours('2026-06-01T00:00:00Z', 4)
    expect(await favoriteTimeseries(queryDb, { companyId, buckets })).toEqual({
      found: true,
      counts: [0, 0, 0, 0],
    })
  })

  it("answers no counts for an activity that is not the company's", async () => {
    const mine = await companyWithFavorites('2026-06-01T10:30:00Z')
    const theirs = await companyWithFavorites('2026-06-01T10:30:00Z')
    const buckets = hours('2026-06-01T09:00:00Z', 3)
    const params = {
      companyId: mine.companyId,
      buckets,
      previousBuckets: buckets,
      activityId: theirs.activityId,
    }
    expect(await favoriteTimeseries(queryDb, params)).toEqual({ found: false, counts: [] })
  })
})
