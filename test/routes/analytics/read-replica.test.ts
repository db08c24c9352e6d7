/**
 * `ANALYTICS_DATABASE_URL`: the business surface reads from it (a Neon read replica in production), the client
 * surface and health from `DATABASE_URL`. Routing is counted per endpoint by the local server on both backends; on
 * CI's PostgreSQL pass the analytics endpoint is a real streaming replica, which every analytics test then reads.
 */
import { env } from 'cloudflare:test'
import { neon } from '@neondatabase/serverless'
import { describe, expect, it } from 'vitest'
import { directApi } from '../../reliability/direct'
import { api } from '../../support/api'
import {
  createActivity,
  createUser,
  databaseRequestsByEndpoint,
  newCompanyId,
  onReplica,
} from '../../support/database'
import { staffToken, userToken } from '../../support/tokens'

const endpointOf = (url: string) => new URL(url).hostname.split('.')[0] ?? ''
const PRIMARY = endpointOf(env.DATABASE_URL)
const ANALYTICS = endpointOf(env.ANALYTICS_DATABASE_URL)

/** The requests `action` sent to each endpoint. Test files run one at a time, so the counts are exact. */
async function requestsPerEndpoint(
  action: () => Promise<unknown>,
): Promise<{ primary: number; analytics: number }> {
  const before = await databaseRequestsByEndpoint()
  await action()
  const after = await databaseRequestsByEndpoint()
  const sent = (name: string) => (after[name] ?? 0) - (before[name] ?? 0)
  return { primary: sent(PRIMARY), analytics: sent(ANALYTICS) }
}

describe('ANALYTICS_DATABASE_URL', () => {
  it('is another endpoint than DATABASE_URL in this test run', () => {
    expect(PRIMARY).toBe('db')
    expect(ANALYTICS).toBe('replica')
  })

  it('the dashboard reads from it: table and timeseries', async () => {
    const token = await staffToken(newCompanyId())
    for (const path of ['/analytics/favorites', '/analytics/favorites/timeseries']) {
      const sent = await requestsPerEndpoint(async () => {
        expect((await api(path, { token })).status).toBe(200)
      })
      expect(sent, path).toEqual({ primary: 0, analytics: 1 })
    }
  })

  it('the app and health use DATABASE_URL, so the app reads its own writes', async () => {
    const user = await createUser()
    const activity = await createActivity()
    const token = await userToken(user)
    const write = await requestsPerEndpoint(async () => {
      expect(
        (await api('/favorites', { method: 'POST', token, json: { activityId: activity.id } })).status,
      ).toBe(201)
    })
    expect(write).toEqual({ primary: 1, analytics: 0 })
    const read = await requestsPerEndpoint(async () => {
      const response = await api(`/favorites/status?activityIds=${activity.id}`, { token })
      const body = (await response.json()) as { items: { favorited: boolean }[] }
      expect(body.items[0]?.favorited).toBe(true)
    })
    expect(read).toEqual({ primary: 1, analytics: 0 })
    const health = await requestsPerEndpoint(async () => {
      expect((await api('/health')).status).toBe(200)
    })
    expect(health).toEqual({ primary: 1, analytics: 0 })
  })

  it("the dashboard counts the app's write", async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    const added = await api('/favorites', {
      method: 'POST',
      token: await userToken(await createUser()),
      json: { activityId: activity.id },
    })
    expect(added.status).toBe(201)
    const response = await api('/analytics/favorites', { token: await staffToken(companyId) })
    const body = (await response.json()) as { items: { activityId: string; totalFavorites: number }[] }
    expect(body.items).toEqual([expect.objectContaining({ activityId: activity.id, totalFavorites: 1 })])
  })

  it('unset (or empty), the dashboard reads from DATABASE_URL', async () => {
    const bindings = { ...env, ANALYTICS_DATABASE_URL: '' }
    const token = await staffToken(newCompanyId())
    const sent = await requestsPerEndpoint(async () => {
      expect((await directApi('/analytics/favorites', { token }, bindings)).status).toBe(200)
    })
    expect(sent).toEqual({ primary: 1, analytics: 0 })
  })

  it('not a postgres URL: 500, as every invalid setting', async () => {
    const bindings = { ...env, ANALYTICS_DATABASE_URL: 'https://replica.example.com' }
    const response = await directApi(
      '/analytics/favorites',
      { token: await staffToken(newCompanyId()) },
      bindings,
    )
    expect(response.status).toBe(500)
  })

  it.skipIf(!onReplica)('on a real replica: the endpoint is a standby that refuses writes', async () => {
    const replica = neon(env.ANALYTICS_DATABASE_URL)
    expect(await replica`SELECT pg_is_in_recovery() AS standby`).toEqual([{ standby: true }])
    await expect(replica`CREATE TABLE public.written_on_replica (id int)`).rejects.toMatchObject({
      code: '25006',
    })
  })
})
