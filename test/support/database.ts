/** Direct database access for tests: fixtures and assertions on rows, over the same Neon HTTP path. */

import { env } from 'cloudflare:test'
import { neon, neonConfig } from '@neondatabase/serverless'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/neon-http'
import type { Db } from '../../src/db/client'
import type { ActivityTypeValue } from '../../src/db/schema'
import * as schema from '../../src/db/schema'

neonConfig.fetchEndpoint = env.NEON_HTTP_ENDPOINT
export const testDb = drizzle({ client: neon(env.DATABASE_URL), schema })
/** A client as the routes make one (without their per-request deadline), to call src/queries/ on its own. */
export const queryDb: Db = drizzle({ client: neon(env.DATABASE_URL) })

export const onPostgres = env.DATABASE_BACKEND === 'postgres'

/** Whether the business surface reads from a real streaming replica in this run (else the primary serves it). */
export const onReplica = env.DATABASE_REPLICA === 'true'

type ServerStats = { requests: number; endpoints: Record<string, number> }

async function serverStats(): Promise<ServerStats> {
  const response = await fetch(env.NEON_HTTP_ENDPOINT.replace(/\/sql$/, '/stats'))
  return (await response.json()) as ServerStats
}

/** Requests the local Neon-protocol server has served so far (all clients). */
export async function databaseRequests(): Promise<number> {
  return (await serverStats()).requests
}

/** Requests served so far per endpoint (the first label of the connection string's host: `db`, `replica`). */
export async function databaseRequestsByEndpoint(): Promise<Record<string, number>> {
  return (await serverStats()).endpoints
}

/** How many database round trips `action` caused. Test files run one at a time, so the count is exact. */
export async function countRoundTrips(action: () => Promise<unknown>): Promise<number> {
  const before = await databaseRequests()
  await action()
  return (await databaseRequests()) - before
}

export async function createUser(): Promise<string> {
  const [user] = await testDb.insert(schema.users).values({}).returning({ id: schema.users.id })
  if (!user) throw new Error('no user created')
  return user.id
}

/** Companies live in another service; here a company is only the id its activities carry. */
export const newCompanyId = (): string => crypto.randomUUID()

export async function createActivity(
  fields: { companyId?: string; name?: string; type?: ActivityTypeValue; imageUrl?: string | null } = {},
): Promise<schema.Activity> {
  const [activity] = await testDb
    .insert(schema.activities)
    .values({
      companyId: fields.companyId ?? newCompanyId(),
      name: fields.name ?? `Activity ${crypto.randomUUID().slice(0, 8)}`,
      type: fields.type ?? 'SLOT_BASED',
      imageUrl: fields.imageUrl === undefined ? null : fields.imageUrl,
    })
    .returning()
  if (!activity) throw new Error('no activity created')
  return activity
}

export async function createFavorite(userId: string, activityId: string, createdAt?: Date) {
  const [favorite] = await testDb
    .insert(schema.userActivityFavorites)
    .values({ userId, activityId, ...(createdAt ? { createdAt } : {}) })
    .returning()
  if (!favorite) throw new Error('no favourite created')
  return favorite
}

export async function favoriteRows(userId: string) {
  return testDb.execute<{ id: string; activity_id: string }>(
    sql`SELECT id, activity_id FROM activities.user_activity_favorites WHERE user_id = ${userId}`,
  )
}

export type DatabaseFault =
  | { kind: 'none' | 'unreachable' | 'http-500' | 'garbage' }
  | { kind: 'slow'; delayMs: number }

/** Makes the local Neon-protocol server misbehave for every following request (see tools/neon-local/faults.ts). */
export async function injectDatabaseFault(fault: DatabaseFault): Promise<void> {
  const response = await fetch(env.NEON_HTTP_ENDPOINT.replace(/\/sql$/, '/faults'), {
    method: 'PUT',
    body: JSON.stringify(fault),
  })
  if (!response.ok) throw new Error(`fault not accepted: ${await response.text()}`)
}
