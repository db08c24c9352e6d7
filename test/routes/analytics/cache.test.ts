/**
 * One round trip per uncached request, and none for a repeat within 60 s (Workers Cache API), never across
 * companies, representations or queries, and never for errors. Then `withAnalyticsCache` on its own, behind a
 * minimal app whose `produce` the test controls: what routes cannot show (a returned non-200, a failing cache).
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { type Context, Hono } from 'hono'
import { requestId } from 'hono/request-id'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  ANALYTICS_MAX_AGE_SECONDS,
  ANALYTICS_STALE_SECONDS,
  analyticsCacheKey,
  negotiatedRepresentation,
  withAnalyticsCache,
} from '../../../src/analytics/cache'
import type { AnalyticsStaffEnv } from '../../../src/middleware/auth'
import { errorHandler } from '../../../src/problems/handlers'
import { ProblemError } from '../../../src/problems/problem-error'
import { api } from '../../support/api'
import {
  countRoundTrips,
  createActivity,
  createFavorite,
  createUser,
  newCompanyId,
} from '../../support/database'
import { logLinesDuring } from '../../support/logs'
import { staffToken } from '../../support/tokens'

async function timed(path: string, token: string, headers: Record<string, string> = {}) {
  let response: Response | undefined
  let body = ''
  const trips = await countRoundTrips(async () => {
    response = await api(path, { token, headers })
    body = await response.text()
  })
  return { trips, body, response: response as Response }
}

async function companyWithData(favourites = 1) {
  const companyId = newCompanyId()
  const activity = await createActivity({ companyId, name: 'Cached' })
  for (let n = 0; n < favourites; n++) await createFavorite(await createUser(), activity.id)
  return { companyId, activity, token: await staffToken(companyId) }
}

describe('analytics caching', () => {
  it.each(['/analytics/favorites?sort=name', '/analytics/favorites/timeseries?interval=week'])(
    '%s: first request 1 round trip, identical repeat 0, same body',
    async (path) => {
      const { token } = await companyWithData()
      const first = await timed(path, token)
      expect(first.response.status).toBe(200)
      expect(first.trips).toBe(1)
      expect(first.response.headers.get('Cache-Control')).toBe('private, max-age=60')
      expect(first.response.headers.get('X-Analytics-Cache')).toBe('miss')

      const second = await timed(path, token)
      expect(second.trips).toBe(0)
      expect(second.body).toBe(first.body)
      expect(second.response.status).toBe(200)
      expect(second.response.headers.get('Cache-Control')).toBe('private, max-age=60')
      expect(second.response.headers.get('Content-Type')).toBe(first.response.headers.get('Content-Type'))
      expect(second.response.headers.get('X-Analytics-Cache')).toBe('hit')
      expect(Number(second.response.headers.get('Age'))).toBeLessThanOrEqual(60)
      // Per-request headers are the new request's, not the cached one's.
      expect(second.response.headers.get('X-Request-Id')).not.toBe(first.response.headers.get('X-Request-Id'))
    },
  )

  it('serves the same company from the cache with another token and an equivalent query string', async () => {
    const { companyId, token } = await companyWithData()
    const first = await timed('/analytics/favorites?from=2026-01-01&to=2026-02-01&sort=total', token)
    expect(first.trips).toBe(1)
    const other = await staffToken(companyId)
    const same = await timed(
      '/analytics/favorites?to=2026-02-01T00:00:00Z&from=2026-01-01T01:00:00%2B01:00',
      other,
    )
    expect(same.trips).toBe(0)
    expect(same.body).toBe(first.body)
  })

  it("never answers one company from another's cache", async () => {
    const a = await companyWithData()
    const b = await companyWithData(2)
    for (const path of ['/analytics/favorites', '/analytics/favorites/timeseries']) {
      const fromA = await timed(path, a.token)
      expect(fromA.trips).toBe(1)
      const fromB = await timed(path, b.token)
      expect(fromB.trips).toBe(1)
      expect(fromB.body).not.toBe(fromA.body)
      if (path === '/analytics/favorites') {
        expect(fromA.body).toContain(a.activity.id)
        expect(fromB.body).toContain(b.activity.id)
        expect(fromB.body).not.toContain(a.activity.id)
      }
    }
  })

  it('keeps JSON and CSV apart, and each query apart', async () => {
    const { token } = await companyWithData()
    const json = await timed('/analytics/favorites', token)
    expect(json.trips).toBe(1)
    const csv = await timed('/analytics/favorites', token, { Accept: 'text/csv' })
    expect(csv.trips).toBe(1)
    expect(csv.response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
    expect(csv.body.startsWith('activityId,')).toBe(true)
    const csvAgain = await timed('/analytics/favorites', token, { Accept: 'text/csv' })
    expect(csvAgain.trips).toBe(0)
    expect(csvAgain.body).toBe(csv.body)
    expect(csvAgain.response.headers.get('Content-Disposition')).toBe(
      csv.response.headers.get('Content-Disposition'),
    )
    const jsonAgain = await timed('/analytics/favorites', token, { Accept: 'application/json' })
    expect(jsonAgain.trips).toBe(0)
    expect(jsonAgain.body).toBe(json.body)

    for (const query of [
      '?limit=5',
      '?sort=name',
      '?order=asc',
      '?type=SERVICE',
      '?from=2026-01-01&to=2026-02-01',
    ]) {
      expect((await timed(`/analytics/favorites${query}`, token)).trips, query).toBe(1)
    }
    for (const query of ['?interval=month', `?activityId=${crypto.randomUUID()}`]) {
      expect((await timed(`/analytics/favorites/timeseries${query}`, token)).trips, query).toBe(1)
    }
  })

  it('never caches errors', async () => {
    const { token } = await companyWithData()
    const missing = `/analytics/favorites/timeseries?activityId=${crypto.randomUUID()}`
    for (let n = 0; n < 2; n++) {
      const notFound = await timed(missing, token)
      expect(notFound.response.status).toBe(404)
      expect(notFound.trips).toBe(1)
      expect(notFound.response.headers.get('Cache-Control')).toBe('no-store')
    }
    const bad = await timed('/analytics/favorites?limit=0', token)
    expect(bad.response.status).toBe(400)
    expect(bad.response.headers.get('Cache-Control')).toBe('no-store')
  })

  it('walks pages with one round trip each', async () => {
    const companyId = newCompanyId()
    for (let n = 0; n < 5; n++) await createActivity({ companyId })
    const token = await staffToken(companyId)
    let cursor: string | null = null
    let pages = 0
    do {
      const page = await timed(`/analytics/favorites?limit=2${cursor ? `&cursor=${cursor}` : ''}`, token)
      expect(page.trips).toBe(1)
      cursor = (JSON.parse(page.body) as { nextCursor: string | null }).nextCursor
      pages += 1
    } while (cursor)
    expect(pages).toBe(3)
  })
})

/** How the minimal app answers: the test's stand-in for a route's database work. */
type Produce = (c: Context<AnalyticsStaffEnv>) => Promise<Response>

function cachedApp(companyId: string, produce: Produce) {
  let calls = 0
  const app = new Hono<AnalyticsStaffEnv>()
  app.use(requestId())
  app.use(async (c, next) => {
    c.set('companyId', companyId)
    await next()
  })
  app.get('/answer', (c) => {
    const key = analyticsCacheKey(c, 'unit', 'json', { n: c.req.query('n') })
    return withAnalyticsCache(c, key, 'Authorization', () => {
      calls += 1
      return produce(c)
    })
  })
  app.onError(errorHandler)
  const send = async (n = '1', context = createExecutionContext()) => {
    const response = await app.fetch(new Request(`https://cache.test/answer?n=${n}`), env, context)
    await waitOnExecutionContext(context)
    return response
  }
  return {
    send,
    calls: () => calls,
    key: `https://cache.test/__analytics-cache/v1/${companyId}/unit.json?n=1`,
  }
}

/** Resolves after `ms`: long enough for concurrent requests to reach the run in flight. */
const later = (ms = 100) => new Promise<void>((resolve) => setTimeout(resolve, ms))

describe('withAnalyticsCache on its own', () => {
  afterEach(() => vi.restoreAllMocks())

  it('stores a 200 for the fresh and stale windows, and answers the client private, max-age=60', async () => {
    const { send, calls, key } = cachedApp(newCompanyId(), async (c) => c.json({ ok: true }))
    const response = await send()
    expect(response.headers.get('Cache-Control')).toBe('private, max-age=60')
    expect(response.headers.get('X-Analytics-Cache')).toBe('miss')
    const stored = await caches.default.match(key)
    expect(stored?.headers.get('Cache-Control')).toBe(
      `public, max-age=${ANALYTICS_MAX_AGE_SECONDS + ANALYTICS_STALE_SECONDS}`,
    )
    expect(Math.abs(Number(stored?.headers.get('X-Analytics-Stored-At')) - Date.now())).toBeLessThan(5_000)
    // Per-request headers are not stored.
    expect(stored?.headers.get('X-Request-Id')).toBeNull()
    expect(await stored?.json()).toEqual({ ok: true })
    expect((await send()).headers.get('X-Analytics-Cache')).toBe('hit')
    expect(calls()).toBe(1)
  })

  it('shares a returned non-200 with the concurrent requests, as no-store, and stores nothing', async () => {
    const { send, calls, key } = cachedApp(newCompanyId(), async (c) => {
      await later()
      return c.json({ missing: true }, 404)
    })
    const answers = await Promise.all([send(), send(), send()])
    expect(calls()).toBe(1)
    expect(answers.map((r) => r.headers.get('X-Analytics-Cache')).sort()).toEqual([
      'coalesced',
      'coalesced',
      'miss',
    ])
    for (const response of answers) {
      expect(response.status).toBe(404)
      expect(response.headers.get('Cache-Control')).toBe('no-store')
      expect(await response.json()).toEqual({ missing: true })
    }
    expect(await caches.default.match(key)).toBeUndefined()
    expect((await send()).status).toBe(404)
    expect(calls()).toBe(2)
  })

  it('rethrows a thrown problem in every concurrent request, each through the error handler, and keeps nothing', async () => {
    let fail = true
    const { send, calls } = cachedApp(newCompanyId(), async (c) => {
      await later()
      if (fail) throw new ProblemError('database-unavailable', 'The database is unavailable. Retry later.')
      return c.json({ ok: true })
    })
    const answers = await Promise.all([send(), send(), send(), send()])
    expect(calls()).toBe(1)
    const ids = new Set<string>()
    for (const response of answers) {
      expect(response.status).toBe(503)
      expect(response.headers.get('Content-Type')).toBe('application/problem+json')
      expect(response.headers.get('Retry-After')).toBe('2')
      const problem = (await response.json()) as { requestId: string }
      expect(problem.requestId).toBe(response.headers.get('X-Request-Id'))
      ids.add(problem.requestId)
    }
    expect(ids.size).toBe(4)
    fail = false
    const retried = await send()
    expect(retried.status).toBe(200)
    expect(retried.headers.get('X-Analytics-Cache')).toBe('miss')
    expect(calls()).toBe(2)
  })

  it('never fails a request because the cache fails, and warns with the request id', async () => {
    const { send, calls } = cachedApp(newCompanyId(), async (c) => c.json({ ok: true }))
    vi.spyOn(caches.default, 'match').mockRejectedValue(new Error('cache unavailable'))
    vi.spyOn(caches.default, 'put').mockRejectedValue(new Error('cache unavailable'))
    for (let n = 0; n < 2; n++) {
      let response = new Response()
      const lines = await logLinesDuring('log', async () => {
        response = await send()
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('X-Analytics-Cache')).toBe('miss')
      expect(await response.json()).toEqual({ ok: true })
      const requestId = response.headers.get('X-Request-Id')
      expect(lines).toEqual([
        { level: 'warn', msg: 'analytics cache read failed', requestId, error: 'Error: cache unavailable' },
        { level: 'warn', msg: 'analytics cache write failed', requestId, error: 'Error: cache unavailable' },
      ])
    }
    expect(calls()).toBe(2)
  })

  it('judges an entry by when it was stored: fresh below 60 s, stale from 60 s, gone from 120 s', async () => {
    const { send, calls, key } = cachedApp(newCompanyId(), async (c) => c.json({ run: calls() }))
    const storedAt = async () =>
      Number((await caches.default.match(key))?.headers.get('X-Analytics-Stored-At'))
    const at = (ms: number) => vi.spyOn(Date, 'now').mockReturnValue(ms)
    expect((await send()).headers.get('X-Analytics-Cache')).toBe('miss')
    const first = await storedAt()

    at(first + 59_999)
    const fresh = await send()
    expect([fresh.headers.get('X-Analytics-Cache'), fresh.headers.get('Age')]).toEqual(['hit', '59'])
    expect(calls()).toBe(1)

    at(first + 60_000)
    let stale = new Response()
    const lines = await logLinesDuring('log', async () => {
      stale = await send()
    })
    expect([stale.headers.get('X-Analytics-Cache'), stale.headers.get('Age')]).toEqual(['stale', '60'])
    expect(await stale.json()).toEqual({ run: 1 })
    // The refresh ran in the request's waitUntil, which `send` waits for, and was stored at the clock's time.
    expect(calls()).toBe(2)
    expect(lines).toEqual([
      {
        level: 'info',
        msg: 'analytics cache refreshed',
        requestId: stale.headers.get('X-Request-Id'),
        status: 200,
      },
    ])
    const second = await storedAt()
    expect(second).toBe(first + 60_000)

    at(second + 119_999)
    const oldest = await send()
    expect([oldest.headers.get('X-Analytics-Cache'), oldest.headers.get('Age')]).toEqual(['stale', '60'])
    expect(await oldest.json()).toEqual({ run: 2 })
    expect(calls()).toBe(3)

    at((await storedAt()) + 120_000)
    const gone = await send()
    expect(gone.headers.get('X-Analytics-Cache')).toBe('miss')
    expect(await gone.json()).toEqual({ run: 4 })
  })

  it('starts one refresh, with one log line, for concurrent stale requests', async () => {
    const { send, calls, key } = cachedApp(newCompanyId(), async (c) => {
      await later()
      return c.json({ run: calls() })
    })
    await send()
    const storedAt = Number((await caches.default.match(key))?.headers.get('X-Analytics-Stored-At'))
    vi.spyOn(Date, 'now').mockReturnValue(storedAt + 90_000)
    let answers: Response[] = []
    const lines = await logLinesDuring('log', async () => {
      answers = await Promise.all([send(), send(), send()])
    })
    expect(answers.map((r) => r.headers.get('X-Analytics-Cache'))).toEqual(['stale', 'stale', 'stale'])
    expect(calls()).toBe(2)
    expect(lines.map((line) => line.msg)).toEqual(['analytics cache refreshed'])
  })

  it('counts an entry without a readable stored time as too old', async () => {
    const { send, calls, key } = cachedApp(newCompanyId(), async (c) => c.json({ fresh: true }))
    await caches.default.put(
      key,
      new Response('{"fresh":false}', {
        headers: {
          'Content-Type': 'application/json',
          'Cache-Control': 'public, max-age=120',
          'X-Analytics-Stored-At': 'yesterday',
        },
      }),
    )
    const response = await send()
    expect(response.headers.get('X-Analytics-Cache')).toBe('miss')
    expect(await response.json()).toEqual({ fresh: true })
    expect(calls()).toBe(1)
  })

  it('does not store an answer built on one of its own replies, and says so', async () => {
    const { send, calls, key } = cachedApp(newCompanyId(), async (c) =>
      c.json({ ok: true }, 200, { 'X-Analytics-Cache': 'hit' }),
    )
    let response = new Response()
    const lines = await logLinesDuring('log', async () => {
      response = await send()
    })
    expect(response.status).toBe(200)
    expect(lines).toEqual([
      {
        level: 'warn',
        msg: 'analytics cache write skipped: answer built on a served reply',
        requestId: response.headers.get('X-Request-Id'),
      },
    ])
    expect(await caches.default.match(key)).toBeUndefined()
    await send()
    expect(calls()).toBe(2)
  })

  it.each([204, 205, 304] as const)('shares a bodiless %i with the concurrent requests', async (status) => {
    const { send, calls } = cachedApp(newCompanyId(), async (c) => {
      await later()
      return c.body(null, status)
    })
    const answers = await Promise.all([send(), send(), send()])
    expect(calls()).toBe(1)
    expect(answers.map((r) => r.status)).toEqual([status, status, status])
    expect(answers.map((r) => r.headers.get('X-Analytics-Cache')).sort()).toEqual([
      'coalesced',
      'coalesced',
      'miss',
    ])
    for (const response of answers) expect(response.body).toBeNull()
  })

  it('keeps the run alive through the request that started it, should that client go away', async () => {
    const { send, calls } = cachedApp(newCompanyId(), async (c) => {
      await later()
      return c.json({ ok: true })
    })
    const owner = createExecutionContext()
    const joiner = createExecutionContext()
    const ownerWaits = vi.spyOn(owner, 'waitUntil')
    const joinerWaits = vi.spyOn(joiner, 'waitUntil')
    const [first, second] = await Promise.all([send('1', owner), later(20).then(() => send('1', joiner))])
    expect([first?.headers.get('X-Analytics-Cache'), second?.headers.get('X-Analytics-Cache')]).toEqual([
      'miss',
      'coalesced',
    ])
    expect(calls()).toBe(1)
    expect(ownerWaits).toHaveBeenCalledTimes(1)
    expect(joinerWaits).not.toHaveBeenCalled()
  })

  it('keeps different keys apart while they run', async () => {
    const { send, calls } = cachedApp(newCompanyId(), async (c) => {
      await later()
      return c.json({ n: c.req.query('n') })
    })
    const [one, two] = await Promise.all([send('1'), send('2')])
    expect(calls()).toBe(2)
    expect(await one?.json()).toEqual({ n: '1' })
    expect(await two?.json()).toEqual({ n: '2' })
  })
})

describe('analyticsCacheKey and negotiatedRepresentation', () => {
  function probe(companyId: string) {
    const app = new Hono<AnalyticsStaffEnv>()
    app.get('/key', (c) => {
      c.set('companyId', companyId)
      return c.text(analyticsCacheKey(c, 'favorites', 'csv', { sort: 'name', limit: 20, cursor: undefined }))
    })
    app.get('/representation', (c) => c.text(negotiatedRepresentation(c)))
    return async (path: string, headers: Record<string, string> = {}) =>
      (await app.request(`https://api.test${path}`, { headers })).text()
  }

  it('names the company, the operation and the representation, and the query in name order without unset values', async () => {
    const companyId = newCompanyId()
    expect(await probe(companyId)('/key')).toBe(
      `https://api.test/__analytics-cache/v1/${companyId}/favorites.csv?limit=20&sort=name`,
    )
  })

  it.each([
    [undefined, 'json'],
    ['application/json', 'json'],
    ['text/csv', 'csv'],
    ['text/csv;q=0.5, application/json', 'json'],
    ['text/html', 'json'],
  ])('reads Accept %s as %s', async (accept, representation) => {
    const send = probe(newCompanyId())
    expect(await send('/representation', accept ? { Accept: accept } : {})).toBe(representation)
  })
})
