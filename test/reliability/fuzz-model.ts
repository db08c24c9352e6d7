/**
 * The fuzz test's model of the fuzz user's favourites: what the accepted writes of a batch make them, and what the
 * database holds, so that the test can check that a rejected request changed nothing.
 */
import { sql } from 'drizzle-orm'
import { expect } from 'vitest'
import { testDb } from '../support/database'
import type { FuzzRequest } from './fuzz-requests'

export type Outcome = { request: FuzzRequest; status: number; body: unknown }

export async function favouritesInDatabase(userId: string): Promise<Map<string, string>> {
  const result = await testDb.execute<{ activity_id: string; id: string }>(sql`
    SELECT activity_id, id FROM activities.user_activity_favorites WHERE user_id = ${userId}
  `)
  return new Map(result.rows.map((row) => [row.activity_id, row.id]))
}

export async function companyFingerprint(companyId: string, userId: string): Promise<string> {
  const result = await testDb.execute<{ n: string; m: string }>(sql`
    SELECT (SELECT count(*) FROM activities.activities WHERE company_id = ${companyId})::text AS n,
           (SELECT count(*) FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
            WHERE a.company_id = ${companyId} AND f.user_id <> ${userId})::text AS m
  `)
  return JSON.stringify(result.rows)
}

/**
 * Applies a batch's accepted writes to `model` (the fuzz user's favourites as the accepted writes left them:
 * activity id -> favourite id); returns activities whose final state the batch left open.
 */
export function applyWrites(
  model: Map<string, string>,
  outcomes: Outcome[],
  concurrent: boolean,
): Set<string> {
  const writes = new Map<string, { adds: string[]; removes: number }>()
  // Activities whose state the model cannot tell from the answer: the test reads them back.
  const unknown = new Set<string>()
  for (const { request, status, body } of outcomes) {
    // Only the fuzz user's own accepted token writes the fuzz user's favourites.
    const asFuzzUser = request.token === 'valid' || request.token === 'lowercase-scheme'
    const operationId = asFuzzUser ? request.operationId : undefined
    if (operationId === 'applyFavoriteBatch' && status === 200) {
      // Each result names an activity the batch may have changed (a created favourite's id is not in the answer).
      for (const result of (body as { results: { activityId: string }[] }).results)
        unknown.add(result.activityId)
    } else if (operationId === 'deleteFavorite' && status === 204 && request.path.includes('tappedAt=')) {
      // With a tap time, a DELETE older than the favourite leaves it (the last tap wins): still 204.
      if (request.pathId) unknown.add(request.pathId)
    } else if (operationId === 'createFavorite' && (status === 200 || status === 201)) {
      const record = body as { id: string; activityId: string }
      const entry = writes.get(record.activityId) ?? { adds: [], removes: 0 }
      entry.adds.push(record.id)
      writes.set(record.activityId, entry)
      if (!concurrent) {
        const known = model.get(record.activityId)
        // 201 only when it was not a favourite; 200 only with the record that already was.
        if (status === 201)
          expect(known, `201 for an existing favourite ${record.activityId}`).toBeUndefined()
        else expect(record.id, `200 with another record for ${record.activityId}`).toBe(known)
        model.set(record.activityId, record.id)
      }
    } else if (operationId === 'deleteFavorite' && status === 204 && request.pathId) {
      const entry = writes.get(request.pathId) ?? { adds: [], removes: 0 }
      entry.removes++
      writes.set(request.pathId, entry)
      if (!concurrent) model.delete(request.pathId)
    }
  }
  const open = new Set<string>(unknown)
  if (concurrent) {
    for (const [activityId, { adds, removes }] of writes) {
      if (adds.length > 0 && removes > 0) open.add(activityId)
      else if (adds.length > 0) model.set(activityId, adds[0] ?? '')
      else model.delete(activityId)
    }
  }
  return open
}
