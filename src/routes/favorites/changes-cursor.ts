/**
 * Changes-feed cursors: a position in one user's changes (see `ChangePosition`), signed for that user. The list
 * hands one out (`changesCursor`) and the feed hands out the next one (`nextCursor`).
 */
import { z } from '@hono/zod-openapi'
import { decodeCursor, encodeCursor } from '../../lib/cursor'
import type { ChangePosition } from '../../queries/favorite-sync'

const ChangesCursorSchema = z.object({ v: z.number().int().min(-1), a: z.uuid() })

const scopeOf = (userId: string) => `favorite-changes|${userId}`

export const encodeChangesCursor = (position: ChangePosition, userId: string, secret: string) =>
  encodeCursor({ v: position.version, a: position.activityId }, scopeOf(userId), secret)

/** The position, or a 400 naming `query.since` for anything this API did not issue to this user. */
export async function decodeChangesCursor(
  cursor: string,
  userId: string,
  secret: string,
): Promise<ChangePosition> {
  const { v, a } = await decodeCursor(cursor, ChangesCursorSchema, scopeOf(userId), secret, 'query.since')
  return { version: v, activityId: a }
}
