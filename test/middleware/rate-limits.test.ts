/**
 * Request budgets: per user on the client surface, per company on the business surface, spent only by a verified
 * caller. The Worker runs here with real rate limiters whose budget is 3 requests a minute (vitest.config.ts).
 */
import { env } from 'cloudflare:test'
import { beforeEach, describe, expect, it } from 'vitest'
import { directApi } from '../reliability/direct'
import { type ApiRequest, expectProblem } from '../support/api'
import { createUser, newCompanyId } from '../support/database'
import { logLinesDuring } from '../support/logs'
import { signToken, staffToken, userToken } from '../support/tokens'

const BUDGET = 3
const PERIOD_MS = 60_000
/** Room for one test's requests (a few seconds on PostgreSQL) with margin. */
const TEST_ROOM_MS = 15_000

/**
 * The limiter counts in fixed windows of its period, aligned to the epoch: a budget spent across a window's end
 * starts over, and the request past it would pass. Each test starts with at least TEST_ROOM_MS of its window left.
 */
async function startEarlyInWindow(): Promise<void> {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS)
  if (left < TEST_ROOM_MS) await new Promise((resolve) => setTimeout(resolve, left + 100))
}

/** The Worker with the small budgets in place of the real ones; every answer checked against the document. */
const call = (path: string, request: ApiRequest) =>
  directApi(path, request, {
    ...env,
    CLIENT_RATE_LIMITER: env.SMALL_CLIENT_RATE_LIMITER,
    BUSINESS_RATE_LIMITER: env.SMALL_BUSINESS_RATE_LIMITER,
  })

async function spend(path: string, token: string, times: number): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < times; i++) {
    const response = await call(path, { token })
    await response.arrayBuffer()
    statuses.push(response.status)
  }
  return statuses
}

describe('request budgets', () => {
  beforeEach(startEarlyInWindow, TEST_ROOM_MS + 5_000)

  it('a user past the budget gets 429 with Retry-After; another user is unaffected', async () => {
    const token = await userToken(await createUser())
    expect(await spend('/favorites', token, BUDGET)).toEqual([200, 200, 200])
    const refused = await call('/favorites/status?activityIds=0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e', {
      token,
    })
    const problem = await expectProblem(refused, 429)
    expect(problem.type).toBe('urn:problem-type:rate-limited')
    expect(problem.detail).toBe(
      'This user has sent too many requests; retry after the seconds in Retry-After',
    )
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0)

    const other = await userToken(await createUser())
    expect(await spend('/favorites', other, 1)).toEqual([200])
  })

  it('a company past the budget gets 429, shared by its staff; another company is unaffected', async () => {
    const companyId = newCompanyId()
    expect(await spend('/analytics/favorites', await staffToken(companyId), BUDGET)).toEqual([200, 200, 200])
    // Another staff member of the same company (each staff token has its own `sub`).
    const colleague = await staffToken(companyId)
    const problem = await expectProblem(
      await call('/analytics/favorites/timeseries', { token: colleague }),
      429,
    )
    expect(problem.detail).toBe(
      'This company has sent too many requests; retry after the seconds in Retry-After',
    )
    expect(await spend('/analytics/favorites', await staffToken(newCompanyId()), 1)).toEqual([200])
  })

  it("a forged or expired token is refused before it can spend the user's budget", async () => {
    const userId = await createUser()
    const forged = await signToken(userId, {
      key: new TextEncoder().encode('not-the-secret-0123456789abcdef0123'),
    })
    const expired = await signToken(userId, { expiresIn: -60 })
    expect(await spend('/favorites', forged, 5)).toEqual([401, 401, 401, 401, 401])
    expect(await spend('/favorites', expired, 5)).toEqual([401, 401, 401, 401, 401])
    expect(await spend('/favorites', await userToken(userId), BUDGET)).toEqual([200, 200, 200])
  })

  it('a limiter that fails lets the request through (the API does not depend on it) and logs a warning', async () => {
    const token = await userToken(await createUser())
    const failing = { limit: () => Promise.reject(new Error('limiter unreachable')) } as unknown as RateLimit
    let response: Response | undefined
    const lines = await logLinesDuring('log', async () => {
      response = await directApi(
        '/favorites',
        {
          token,
          headers: { 'X-Request-Id': 'limiter-fault-1' },
        },
        { ...env, CLIENT_RATE_LIMITER: failing },
      )
    })
    expect(response?.status).toBe(200)
    expect(lines.filter((line) => line.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'rate limiter failed',
        requestId: 'limiter-fault-1',
        error: 'Error: limiter unreachable',
      }),
    ])
  })

  it('a Worker deployed without the limiter bindings serves both surfaces with no budget and no warning', async () => {
    const { CLIENT_RATE_LIMITER: _client, BUSINESS_RATE_LIMITER: _business, ...unlimited } = env
    const token = await userToken(await createUser())
    const staff = await staffToken(newCompanyId())
    const statuses: number[] = []
    const lines = await logLinesDuring('log', async () => {
      for (let i = 0; i < BUDGET + 2; i++) {
        statuses.push((await directApi('/favorites', { token }, unlimited as Cloudflare.Env)).status)
        statuses.push(
          (await directApi('/analytics/favorites', { token: staff }, unlimited as Cloudflare.Env)).status,
        )
      }
    })
    expect(statuses).toEqual(Array.from({ length: 2 * (BUDGET + 2) }, () => 200))
    expect(lines.filter((line) => line.level === 'warn')).toEqual([])
  })
})
