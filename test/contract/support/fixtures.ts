/** Rows and tokens for the contract tests: straight into the local database, like test/support/database.ts. */
import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import type { ActivityTypeValue } from '../../../src/db/schema'
import { activities, userActivityFavorites, users } from '../../../src/db/schema'
import { mintStaffToken, mintUserToken } from '../../../tools/auth/mint-token'
import { connectNeonHttp } from '../../../tools/db/connect'

export const worker = inject('contractWorker')
const db = connectNeonHttp(worker.databaseUrl, worker.neonEndpoint)

export async function createUser(): Promise<string> {
  const [user] = await db.insert(users).values({}).returning({ id: users.id })
  if (!user) throw new Error('no user created')
  return user.id
}

export async function createActivity(companyId: string, name: string, type: ActivityTypeValue) {
  const [activity] = await db
    .insert(activities)
    .values({ companyId, name, type, imageUrl: null })
    .returning({ id: activities.id })
  if (!activity) throw new Error('no activity created')
  return activity.id
}

export async function createFavorite(userId: string, activityId: string, createdAt: Date): Promise<void> {
  await db.insert(userActivityFavorites).values({ userId, activityId, createdAt })
}

export const newCompanyId = (): string => randomUUID()

const TOKEN_TTL_SECONDS = 600

export async function userToken(userId: string): Promise<string> {
  return (await mintUserToken(worker.jwt, userId, TOKEN_TTL_SECONDS)).token
}

export async function staffToken(companyId: string): Promise<string> {
  return (await mintStaffToken(worker.jwt, companyId, TOKEN_TTL_SECONDS)).token
}
