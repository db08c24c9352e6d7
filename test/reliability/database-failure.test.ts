/** A database that is down, failing, talking nonsense or slow: 503 with Retry-After, nothing leaked, nothing lost. */
import { env } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import { api, expectProblem } from '../support/api'
import {
  countRoundTrips,
  createActivity,
  createFavorite,
  createUser,
  type DatabaseFault,
  favoriteRows,
  injectDatabaseFault,
  newCompanyId,
} from '../support/database'
import { logLinesDuring } from '../support/logs'
import { PURGE_CRON, runScheduledPurge } from '../support/scheduled'
import { staffToken, userToken } from '../support/tokens'

afterEach(() => injectDatabaseFault({ kind: 'none' }))

async function expectUnavailable(response: Response) {
  const problem = await expectProblem(response, 503)
  expect(problem.detail).toBe('The database is unavailable. Retry later.')
  expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0)
  // Nothing about the database's internals reaches the client.
  expect(JSON.stringify(problem)).not.toMatch(
    /select|insert|activities\.|sql|stack|at .*\.ts|127\.0\.0\.1|http status/i,
  )
  return problem
}

const faults: DatabaseFault[] = [{ kind: 'unreachable' }, { kind: 'http-500' }, { kind: 'garbage' }]

describe('when the database fails', () => {
  it.each(faults)(
    'answers 503 to a write when it is $kind, then serves normally once it is back',
    async (fault) => {
      const userId = await createUser()
      const token = await userToken(userId)
      const activity = await createActivity()

      await injectDatabaseFault(fault)
      await expectUnavailable(
        await api('/favorites', { method: 'POST', token, json: { activityId: activity.id } }),
      )
      await injectDatabaseFault({ kind: 'none' })

      expect((await favoriteRows(userId)).rows).toEqual([])
      const retried = await api('/favorites', { method: 'POST', token, json: { activityId: activity.id } })
      expect(retried.status).toBe(201)
    },
  )

  it.each(faults)('answers 503 to reads when it is $kind', async (fault) => {
    const token = await userToken(await createUser())
    const activity = await createActivity()
    await injectDatabaseFault(fault)
    await expectUnavailable(await api('/favorites', { token }))
    await expectUnavailable(await api(`/favorites/${activity.id}`, { token }))
    await expectUnavailable(await api(`/favorites/status?activityIds=${activity.id}`, { token }))
    await expectUnavailable(await api(`/favorites/${activity.id}`, { method: 'DELETE', token }))
    await expectUnavailable(await api('/health'))
  })

  it('gives up on a slow database at DB_TIMEOUT_MS, and a retry finds exactly one favourite', async () => {
    const userId = await createUser()
    const token = await userToken(userId)
    const activity = await createActivity()
    const timeoutMs = Number(env.DB_TIMEOUT_MS)

    await injectDatabaseFault({ kind: 'slow', delayMs: timeoutMs + 8_000 })
    const started = Date.now()
    await expectUnavailable(
      await api('/favorites', { method: 'POST', token, json: { activityId: activity.id } }),
    )
    // Generous margin: this only proves the API did not wait for the slow database (8 s longer).
    expect(Date.now() - started).toBeLessThan(timeoutMs + 5_000)
    await injectDatabaseFault({ kind: 'none' })

    // The timed-out statement may still commit later (it is one atomic statement): either way a retry is safe.
    const retried = await api('/favorites', { method: 'POST', token, json: { activityId: activity.id } })
    expect([200, 201]).toContain(retried.status)
    expect((await favoriteRows(userId)).rows).toHaveLength(1)
  }, 30_000)
})

describe('when the database fails: the business surface', () => {
  const analyticsPaths = (activityId: string) => [
    { path: '/analytics/favorites', accept: 'application/json' },
    { path: '/analytics/favorites', accept: 'text/csv' },
    { path: '/analytics/favorites?sort=name&limit=5', accept: 'application/json' },
    { path: '/analytics/favorites/timeseries', accept: 'application/json' },
    {
      path: `/analytics/favorites/timeseries?activityId=${activityId}&interval=week`,
      accept: 'application/json',
    },
  ]

  it.each(faults)('answers 503 problem+json (never CSV, never cached) when it is $kind', async (fault) => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    await createFavorite(await createUser(), activity.id)
    const token = await staffToken(companyId)
    await injectDatabaseFault(fault)
    for (const { path, accept } of analyticsPaths(activity.id)) {
      const response = await api(path, { token, headers: { Accept: accept } })
      await expectUnavailable(response)
      expect(response.headers.get('Content-Disposition')).toBeNull()
    }
    await injectDatabaseFault({ kind: 'none' })
    // The 503 was not stored: the same questions now reach the database and answer 200.
    for (const { path, accept } of analyticsPaths(activity.id)) {
      const response = await api(path, { token, headers: { Accept: accept } })
      expect(response.status, path).toBe(200)
      expect(response.headers.get('X-Analytics-Cache'), path).toBe('miss')
    }
  })

  it('gives up on a slow database at DB_TIMEOUT_MS on analytics too', async () => {
    const token = await staffToken(newCompanyId())
    const timeoutMs = Number(env.DB_TIMEOUT_MS)
    await injectDatabaseFault({ kind: 'slow', delayMs: timeoutMs + 8_000 })
    const started = Date.now()
    const [table, series] = await Promise.all([
      api('/analytics/favorites', { token }),
      api('/analytics/favorites/timeseries', { token }),
    ])
    await expectUnavailable(table)
    await expectUnavailable(series)
    expect(Date.now() - started).toBeLessThan(timeoutMs + 5_000)
  }, 30_000)
})

describe('when the database fails: no half-way writes, no retry storms', () => {
  it.each(faults)(
    'a DELETE that failed ($kind) left the favourite in place; its retry removes it',
    async (fault) => {
      const userId = await createUser()
      const token = await userToken(userId)
      const activity = await createActivity()
      const favorite = await createFavorite(userId, activity.id)
      await injectDatabaseFault(fault)
      await expectUnavailable(await api(`/favorites/${activity.id}`, { method: 'DELETE', token }))
      await injectDatabaseFault({ kind: 'none' })
      expect((await favoriteRows(userId)).rows).toEqual([{ id: favorite.id, activity_id: activity.id }])
      expect((await api(`/favorites/${activity.id}`, { method: 'DELETE', token })).status).toBe(204)
      expect((await favoriteRows(userId)).rows).toEqual([])
    },
  )

  it.each(faults)('a failing request ($kind) makes exactly one database attempt', async (fault) => {
    const token = await userToken(await createUser())
    const activity = await createActivity()
    const staff = await staffToken(newCompanyId())
    await injectDatabaseFault(fault)
    const requests: [string, Parameters<typeof api>[1]][] = [
      ['/favorites', { method: 'POST', token, json: { activityId: activity.id } }],
      ['/favorites', { token }],
      ['/analytics/favorites', { token: staff }],
    ]
    for (const [path, request] of requests) {
      const trips = await countRoundTrips(async () => expectUnavailable(await api(path, request)))
      expect(trips, `${request?.method ?? 'GET'} ${path}`).toBe(1)
    }
  })
})

describe('the scheduled purge when the database fails', () => {
  it.each(faults)('fails the run (so the next one retries) and logs why, when it is $kind', async (fault) => {
    await injectDatabaseFault(fault)
    const logged = await logLinesDuring('error', () => expect(runScheduledPurge()).rejects.toThrow())
    const failures = logged.filter((entry) => entry.level === 'error')
    expect(failures).toEqual([
      { level: 'error', msg: 'removal marker purge failed', cron: PURGE_CRON, error: expect.any(String) },
    ])
  })
})
