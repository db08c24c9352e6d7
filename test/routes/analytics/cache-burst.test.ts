/**
 * A dashboard's burst: identical concurrent requests share one database statement (`coalesced`), never across
 * companies or queries, and a failure reaches each of them without being kept. Past 60 s an entry is served
 * `stale` for another 60 s while one background refresh replaces it; past that it is a miss.
 *
 * Time: the Worker runs in the test's isolate, so a spy on `Date.now` moves its clock too; the Cache API keeps
 * entries by the real clock, so a moved clock only changes how old the Worker judges an entry. The background
 * refresh runs in `waitUntil`: stale requests call the Worker's fetch handler directly with their own
 * ExecutionContext and wait on it (`directApi`), since `SELF.fetch` does not expose its `waitUntil` work.
 */
import { eq } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ANALYTICS_MAX_AGE_SECONDS, ANALYTICS_STALE_SECONDS } from '../../../src/analytics/cache'
import * as schema from '../../../src/db/schema'
import { directApi } from '../../reliability/direct'
import { api, expectProblem } from '../../support/api'
import {
  countRoundTrips,
  createActivity,
  createFavorite,
  createUser,
  injectDatabaseFault,
  newCompanyId,
  testDb,
} from '../../support/database'
import { logLinesDuring } from '../../support/logs'
import { staffToken } from '../../support/tokens'

const PERIOD = 'from=2026-01-01&to=2026-02-01'
const LIST = `/analytics/favorites?${PERIOD}`
/** Long enough for every request of a burst to arrive while the first one's statement is still running. */
const SLOW_DATABASE = { kind: 'slow', delayMs: 400 } as const

const realNow = Date.now.bind(Date)

/** Moves this isolate's clock, hence the Worker's, `seconds` ahead of the real one. */
function clockAhead(seconds: number): void {
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() + seconds * 1000)
}

afterEach(async () => {
  vi.restoreAllMocks()
  await injectDatabaseFault({ kind: 'none' })
})

type Sent = { path: string; token: string; headers?: Record<string, string> }
type Answer = { response: Response; body: string; outcome: string | null }

/** Sends every request at once and reads the answers, in order. */
async function together(requests: Sent[]): Promise<Answer[]> {
  return Promise.all(
    requests.map(async ({ path, token, headers }) => {
      const response = await api(path, { token, headers })
      return { response, body: await response.text(), outcome: response.headers.get('X-Analytics-Cache') }
    }),
  )
}

/** Runs `action` with a slow database, so that concurrent requests surely overlap. */
async function withSlowDatabase<T>(action: () => Promise<T>): Promise<T> {
  await injectDatabaseFault(SLOW_DATABASE)
  try {
    return await action()
  } finally {
    await injectDatabaseFault({ kind: 'none' })
  }
}

async function company(activities = 1) {
  const companyId = newCompanyId()
  const created: schema.Activity[] = []
  for (let n = 0; n < activities; n++) {
    const activity = await createActivity({ companyId })
    await createFavorite(await createUser(), activity.id)
    created.push(activity)
  }
  return { companyId, activities: created, token: await staffToken(companyId) }
}

const outcomes = (answers: Answer[]) => answers.map((a) => a.outcome).sort()

describe('analytics cache: concurrent identical requests', () => {
  it('8 identical uncached requests: 1 round trip, one miss, 7 coalesced, the same 200 body', async () => {
    const { token, activities } = await company()
    let answers: Answer[] = []
    const trips = await withSlowDatabase(() =>
      countRoundTrips(async () => {
        answers = await together(Array.from({ length: 8 }, () => ({ path: LIST, token })))
      }),
    )
    expect(trips).toBe(1)
    expect(outcomes(answers)).toEqual([...Array<string>(7).fill('coalesced'), 'miss'])
    const [first] = answers
    expect(first?.body).toContain(activities[0]?.id)
    const requestIds = new Set<string | null>()
    for (const { response, body } of answers) {
      expect(response.status).toBe(200)
      expect(body).toBe(first?.body)
      expect(response.headers.get('Content-Type')).toBe('application/json')
      expect(response.headers.get('Cache-Control')).toBe('private, max-age=60')
      expect(response.headers.get('Vary')).toBe('Accept, Authorization')
      expect(response.headers.get('Age')).toBeNull()
      requestIds.add(response.headers.get('X-Request-Id'))
    }
    // Each answer is its own request's: only the body and its headers were shared.
    expect(requestIds.size).toBe(8)

    // The run stored its answer: the next request is a hit.
    const again = await countRoundTrips(async () => {
      const response = await api(LIST, { token })
      expect(response.headers.get('X-Analytics-Cache')).toBe('hit')
      expect(await response.text()).toBe(first?.body)
    })
    expect(again).toBe(0)
  })

  it('shares a CSV answer with its headers', async () => {
    const { token } = await company()
    const csv = { path: LIST, token, headers: { Accept: 'text/csv' } }
    let answers: Answer[] = []
    const trips = await withSlowDatabase(() =>
      countRoundTrips(async () => {
        answers = await together([csv, csv, csv])
      }),
    )
    expect(trips).toBe(1)
    expect(outcomes(answers)).toEqual(['coalesced', 'coalesced', 'miss'])
    const disposition = answers[0]?.response.headers.get('Content-Disposition')
    expect(disposition).toMatch(/^attachment; filename=/)
    for (const { response, body } of answers) {
      expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
      expect(response.headers.get('Content-Disposition')).toBe(disposition)
      expect(body).toBe(answers[0]?.body)
    }
  })

  it('never coalesces different companies or different queries, and never mixes companies', async () => {
    const a = await company()
    const b = await company(2)
    const sortedA = `${LIST}&sort=name`
    let answers: Answer[] = []
    const trips = await withSlowDatabase(() =>
      countRoundTrips(async () => {
        answers = await together([
          { path: LIST, token: a.token },
          { path: LIST, token: b.token },
          { path: sortedA, token: a.token },
          { path: LIST, token: a.token },
          { path: LIST, token: b.token },
          { path: sortedA, token: a.token },
        ])
      }),
    )
    // One statement per distinct (company, question): three.
    expect(trips).toBe(3)
    const [listA, listB, sortA, listA2, listB2, sortA2] = answers as [
      Answer,
      Answer,
      Answer,
      Answer,
      Answer,
      Answer,
    ]
    for (const [one, other] of [
      [listA, listA2],
      [listB, listB2],
      [sortA, sortA2],
    ] as const) {
      expect(one.response.status).toBe(200)
      expect(other.body).toBe(one.body)
      expect([one.outcome, other.outcome].sort()).toEqual(['coalesced', 'miss'])
    }
    for (const answer of [listA, sortA, listA2, sortA2]) {
      expect(answer.body).toContain(a.activities[0]?.id)
      for (const activity of b.activities) expect(answer.body).not.toContain(activity.id)
    }
    for (const answer of [listB, listB2]) {
      expect(answer.body).not.toContain(a.activities[0]?.id)
      for (const activity of b.activities) expect(answer.body).toContain(activity.id)
    }
  })

  it('delivers a failing statement to every request sharing it, and keeps nothing', async () => {
    const { token } = await company()
    // Slower than DB_TIMEOUT_MS: the one shared statement times out, and every request answers 503.
    await injectDatabaseFault({ kind: 'slow', delayMs: 3_500 })
    let answers: Response[] = []
    const trips = await countRoundTrips(async () => {
      answers = await Promise.all(Array.from({ length: 5 }, () => api(LIST, { token })))
    })
    expect(trips).toBe(1)
    const requestIds = new Set<string>()
    for (const response of answers) {
      const problem = await expectProblem(response, 503)
      expect(problem.type).toMatch(/database-unavailable$/)
      expect(response.headers.get('Cache-Control')).toBe('no-store')
      expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0)
      requestIds.add(problem.requestId)
    }
    // Each request's own problem, through the error handler: its own request id.
    expect(requestIds.size).toBe(5)

    await injectDatabaseFault({ kind: 'none' })
    const retried = await countRoundTrips(async () => {
      const response = await api(LIST, { token })
      expect(response.status).toBe(200)
      expect(response.headers.get('X-Analytics-Cache')).toBe('miss')
    })
    expect(retried).toBe(1)
  }, 20_000)

  it('delivers an immediate failure to every concurrent request, then runs the statement again', async () => {
    const { token } = await company()
    await injectDatabaseFault({ kind: 'http-500' })
    const answers = await Promise.all(Array.from({ length: 4 }, () => api(LIST, { token })))
    for (const response of answers) await expectProblem(response, 503)
    await injectDatabaseFault({ kind: 'none' })
    const retried = await countRoundTrips(async () => {
      expect((await api(LIST, { token })).headers.get('X-Analytics-Cache')).toBe('miss')
    })
    expect(retried).toBe(1)
  })
})

describe('analytics cache: stale while revalidating', () => {
  const staleAge = ANALYTICS_MAX_AGE_SECONDS + 30

  it('serves a 90 s old entry stale, refreshes it once in the background, then serves the refreshed one', async () => {
    const { companyId, token } = await company()
    const first = await directApi(LIST, { token })
    expect(first.headers.get('X-Analytics-Cache')).toBe('miss')
    const oldBody = await first.text()
    const added = await createActivity({ companyId })

    clockAhead(staleAge)
    let stale: Response | undefined
    // The round trip counted is the refresh's: `directApi` waits for this request's `waitUntil` work.
    const refreshTrips = await countRoundTrips(async () => {
      stale = await directApi(LIST, { token })
    })
    expect(stale?.status).toBe(200)
    expect(stale?.headers.get('X-Analytics-Cache')).toBe('stale')
    expect(stale?.headers.get('Cache-Control')).toBe('private, max-age=60')
    // Capped: a client cache may not keep a stale answer any longer.
    expect(stale?.headers.get('Age')).toBe(String(ANALYTICS_MAX_AGE_SECONDS))
    expect(await stale?.text()).toBe(oldBody)
    expect(refreshTrips).toBe(1)

    const refreshed = await countRoundTrips(async () => {
      const response = await api(LIST, { token })
      expect(response.headers.get('X-Analytics-Cache')).toBe('hit')
      expect(Number(response.headers.get('Age'))).toBeLessThan(ANALYTICS_MAX_AGE_SECONDS)
      const body = await response.text()
      expect(body).not.toBe(oldBody)
      expect(body).toContain(added.id)
    })
    expect(refreshed).toBe(0)
  })

  it('starts one refresh for concurrent stale requests', async () => {
    const { companyId, token } = await company()
    const oldBody = await (await directApi(LIST, { token })).text()
    await createActivity({ companyId })
    clockAhead(staleAge)
    let answers: Response[] = []
    const trips = await countRoundTrips(async () => {
      answers = await Promise.all(Array.from({ length: 6 }, () => directApi(LIST, { token })))
    })
    expect(trips).toBe(1)
    for (const response of answers) {
      expect(response.headers.get('X-Analytics-Cache')).toBe('stale')
      expect(await response.text()).toBe(oldBody)
    }
    expect((await api(LIST, { token })).headers.get('X-Analytics-Cache')).toBe('hit')
  })

  it("does not carry the stale answer's headers into the refreshed one", async () => {
    const companyId = newCompanyId()
    const activities = [
      await createActivity({ companyId }),
      await createActivity({ companyId }),
      await createActivity({ companyId }),
    ]
    const token = await staffToken(companyId)
    const page = `${LIST}&sort=name&limit=2`
    const first = await directApi(page, { token })
    expect(first.headers.get('Link')).toMatch(/rel="next"/)

    // Now the first page is the only one.
    await testDb.delete(schema.activities).where(eq(schema.activities.id, activities[2]?.id ?? ''))
    clockAhead(staleAge)
    const stale = await directApi(page, { token })
    expect(stale.headers.get('X-Analytics-Cache')).toBe('stale')
    expect(stale.headers.get('Link')).toBe(first.headers.get('Link'))

    const refreshed = await api(page, { token })
    expect(refreshed.headers.get('X-Analytics-Cache')).toBe('hit')
    expect(((await refreshed.json()) as { nextCursor: string | null }).nextCursor).toBeNull()
    expect(refreshed.headers.get('Link')).toBeNull()
  })

  it('keeps serving the stale entry when the refresh fails, with a warning, until a refresh succeeds', async () => {
    const { companyId, token } = await company()
    const oldBody = await (await directApi(LIST, { token })).text()
    const added = await createActivity({ companyId })
    clockAhead(staleAge)

    await injectDatabaseFault({ kind: 'http-500' })
    let failedRefresh = new Response()
    const lines = await logLinesDuring('log', async () => {
      failedRefresh = await directApi(LIST, { token })
    })
    expect(failedRefresh.status).toBe(200)
    expect(failedRefresh.headers.get('X-Analytics-Cache')).toBe('stale')
    expect(await failedRefresh.text()).toBe(oldBody)
    const warnings = lines.filter((line) => line.msg === 'analytics cache refresh failed')
    expect(warnings).toEqual([
      {
        level: 'warn',
        msg: 'analytics cache refresh failed',
        requestId: failedRefresh.headers.get('X-Request-Id'),
        error: expect.any(String),
      },
    ])
    // The root cause only, never the statement.
    expect(warnings[0]?.error).not.toMatch(/select|activities\./i)

    await injectDatabaseFault({ kind: 'none' })
    const retry = await directApi(LIST, { token })
    expect(retry.headers.get('X-Analytics-Cache')).toBe('stale')
    expect(await retry.text()).toBe(oldBody)
    const hit = await api(LIST, { token })
    expect(hit.headers.get('X-Analytics-Cache')).toBe('hit')
    expect(await hit.text()).toContain(added.id)
  })

  it('treats an entry older than the fresh and stale windows as a miss', async () => {
    const { companyId, token } = await company()
    const oldBody = await (await api(LIST, { token })).text()
    const added = await createActivity({ companyId })
    clockAhead(ANALYTICS_MAX_AGE_SECONDS + ANALYTICS_STALE_SECONDS)
    const trips = await countRoundTrips(async () => {
      const response = await api(LIST, { token })
      expect(response.headers.get('X-Analytics-Cache')).toBe('miss')
      const body = await response.text()
      expect(body).not.toBe(oldBody)
      expect(body).toContain(added.id)
    })
    expect(trips).toBe(1)
  })

  it('is still fresh just before the fresh window ends', async () => {
    const { token } = await company()
    await api(LIST, { token })
    clockAhead(ANALYTICS_MAX_AGE_SECONDS - 1)
    const trips = await countRoundTrips(async () => {
      const response = await api(LIST, { token })
      expect(response.headers.get('X-Analytics-Cache')).toBe('hit')
      expect(response.headers.get('Age')).toBe(String(ANALYTICS_MAX_AGE_SECONDS - 1))
    })
    expect(trips).toBe(0)
  })
})
