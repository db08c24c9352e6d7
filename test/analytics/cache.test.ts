/**
 * `withAnalyticsCache` on its own, behind a minimal app whose `produce` the test controls: what routes cannot show
 * (a returned non-200, a failing cache, the freshness boundaries, concurrent stale requests), then the cache key and
 * the negotiated representation. The routes' caching is in test/routes/analytics/cache.test.ts.
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
} from '../../src/analytics/cache'
import type { AnalyticsStaffEnv } from '../../src/middleware/auth'
import { errorHandler } from '../../src/problems/handlers'
import { ProblemError } from '../../src/problems/problem-error'
import { newCompanyId } from '../support/database'
import { logLinesDuring } from '../support/logs'

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
