/** The app's taps as requests, and what they left in the database: shared by the sync tests. */
import { sql } from 'drizzle-orm'
import { api } from './api'
import { testDb } from './database'

/** An instant `seconds` from now (negative: in the past), as the app sends `tappedAt`. */
export const secondsFromNow = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString()

/** POST (favourite) or DELETE (un-favourite) one activity, with `tappedAt` when given. */
export function tap(token: string, activityId: string, favorited: boolean, tappedAt?: string) {
  if (favorited) {
    return api('/favorites', {
      method: 'POST',
      token,
      json: { activityId, ...(tappedAt ? { tappedAt } : {}) },
    })
  }
  const query = tappedAt ? `?tappedAt=${encodeURIComponent(tappedAt)}` : ''
  return api(`/favorites/${activityId}${query}`, { method: 'DELETE', token })
}

export function batch(
  token: string,
  changes: { activityId: string; favorited: boolean; tappedAt?: string }[],
) {
  return api('/favorites/batch', { method: 'POST', token, json: { changes } })
}

/** Whether the favourite is stored. */
export async function isFavorite(userId: string, activityId: string): Promise<boolean> {
  const result = await testDb.execute(sql`
    SELECT 1 FROM activities.user_activity_favorites WHERE user_id = ${userId} AND activity_id = ${activityId}`)
  return result.rows.length === 1
}

/** The user's removal markers, by activity. */
export async function removalMarkers(userId: string): Promise<Map<string, { tappedAt: string }>> {
  const result = await testDb.execute<{ activity_id: string; tapped_at: string }>(sql`
    SELECT activity_id, to_char(tapped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS tapped_at
    FROM activities.user_activity_favorite_removals WHERE user_id = ${userId}`)
  return new Map(result.rows.map((row) => [row.activity_id, { tappedAt: row.tapped_at }]))
}
