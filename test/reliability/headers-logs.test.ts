/**
 * Every response, errors included, carries the security headers, a request id and `Server-Timing` with the
 * database time; every request writes one JSON log line with the same request id. CORS answers only the
 * configured origins (none by default).
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import worker from '../../src/index'
import { api } from '../support/api'
import {
  createActivity,
  createFavorite,
  createUser,
  injectDatabaseFault,
  newCompanyId,
} from '../support/database'
import { staffToken, userToken } from '../support/tokens'

afterEach(async () => {
  vi.restoreAllMocks()
  await injectDatabaseFault({ kind: 'none' })
})

const SECURITY_HEADERS: Record<string, RegExp> = {
  'Strict-Transport-Security': /max-age=\d+/,
  'X-Content-Type-Options': /^nosniff$/,
  'X-Frame-Options': /^(DENY|SAMEORIGIN)$/,
  'Referrer-Policy': /^no-referrer$/,
  'Cross-Origin-Resource-Policy': /^same-origin$/,
  'Cross-Origin-Opener-Policy': /^same-origin$/,
  'X-Permitted-Cross-Domain-Policies': /^none$/,
}

type Case = { name: string; status: number; send: () => Promise<Response> }

async function cases(): Promise<Case[]> {
  const userId = await createUser()
  const token = await userToken(userId)
  const activity = await createActivity()
  const favourited = await createActivity()
  await createFavorite(userId, favourited.id)
  const staff = await staffToken(newCompanyId())
  const etag = (await api(`/favorites/${favourited.id}`, { token })).headers.get('ETag') ?? ''
  return [
    { name: '200 list', status: 200, send: () => api('/favorites', { token }) },
    {
      name: '201 create',
      status: 201,
      send: () => api('/favorites', { method: 'POST', token, json: { activityId: activity.id } }),
    },
    {
      name: '204 delete',
      status: 204,
      send: () => api(`/favorites/${activity.id}`, { method: 'DELETE', token }),
    },
    {
      name: '304 not modified',
      status: 304,
      send: () => api(`/favorites/${favourited.id}`, { token, headers: { 'If-None-Match': etag } }),
    },
    {
      name: '200 analytics CSV',
      status: 200,
      send: () => api('/analytics/favorites', { token: staff, headers: { Accept: 'text/csv' } }),
    },
    { name: '400 validation', status: 400, send: () => api('/favorites?limit=0', { token }) },
    { name: '401 no token', status: 401, send: () => api('/favorites') },
    { name: '403 other surface', status: 403, send: () => api('/analytics/favorites', { token }) },
    { name: '404 unknown route', status: 404, send: () => api('/nope') },
    { name: '404 not a favourite', status: 404, send: () => api(`/favorites/${activity.id}`, { token }) },
    {
      name: '413 body too large',
      status: 413,
      send: () =>
        api('/favorites', {
          method: 'POST',
          token,
          json: { activityId: activity.id, pad: 'x'.repeat(8000) },
        }),
    },
    {
      name: '415 not JSON',
      status: 415,
      send: () =>
        api('/favorites', { method: 'POST', token, body: 'x', headers: { 'Content-Type': 'text/plain' } }),
    },
    { name: '200 health', status: 200, send: () => api('/health') },
    { name: '200 openapi.json', status: 200, send: () => api('/openapi.json') },
    { name: '200 Swagger UI', status: 200, send: () => api('/ui') },
  ]
}

describe('headers on every response', () => {
  it('security headers, a unique request id and Server-Timing, on successes and errors alike', async () => {
    const ids = new Set<string>()
    for (const { name, status, send } of await cases()) {
      const response = await send()
      expect(response.status, name).toBe(status)
      for (const [header, pattern] of Object.entries(SECURITY_HEADERS)) {
        expect(response.headers.get(header), `${name}: ${header}`).toMatch(pattern)
      }
      expect(response.headers.get('X-Powered-By'), name).toBeNull()
      const requestId = response.headers.get('X-Request-Id')
      expect(requestId ?? 'none', `${name}: X-Request-Id`).toMatch(/^[\w-]{8,}$/)
      ids.add(requestId ?? '')
      expect(response.headers.get('Server-Timing') ?? 'none', `${name}: Server-Timing`).toMatch(
        /(^|, *)db;dur=[\d.]+/,
      )
      expect(response.headers.get('Server-Timing') ?? 'none', name).toMatch(/total;dur=[\d.]+/)
      await response.arrayBuffer()
    }
    expect(ids.size).toBe((await cases()).length)
  })

  it('the 503 of a failing database carries them too', async () => {
    const token = await userToken(await createUser())
    await injectDatabaseFault({ kind: 'http-500' })
    const response = await api('/favorites', { token })
    expect(response.status).toBe(503)
    for (const [header, pattern] of Object.entries(SECURITY_HEADERS))
      expect(response.headers.get(header)).toMatch(pattern)
    expect(response.headers.get('X-Request-Id')).toBeTruthy()
    expect(response.headers.get('Server-Timing')).toMatch(/db;dur=[\d.]+;desc="database \(1 round trips\)"/)
  })

  it('Server-Timing reports the database time: 0 round trips on a refused request, 1 on a query', async () => {
    const token = await userToken(await createUser())
    const refused = await api('/favorites?limit=0', { token })
    expect(refused.headers.get('Server-Timing')).toMatch(/db;dur=0(\.0+)?;desc="database \(0 round trips\)"/)
    const listed = await api('/favorites', { token })
    expect(listed.headers.get('Server-Timing')).toMatch(/db;dur=[\d.]+;desc="database \(1 round trips\)"/)
  })

  it('concurrent requests in one isolate each count only their own round trips', async () => {
    const tokens = await Promise.all(Array.from({ length: 6 }, async () => userToken(await createUser())))
    // Half of them are refused before any query: a count leaking between requests would show on either side.
    const responses = await Promise.all(
      tokens.map((token, i) => api(i % 2 === 0 ? '/favorites' : '/favorites?limit=0', { token })),
    )
    responses.forEach((response, i) => {
      expect(response.status).toBe(i % 2 === 0 ? 200 : 400)
      expect(response.headers.get('Server-Timing')).toContain(`database (${i % 2 === 0 ? 1 : 0} round trips)`)
    })
  })
})

describe('one structured log line per request', () => {
  type LogLine = {
    level: string
    msg: string
    requestId: string
    method: string
    route: string
    status: number
    durationMs: number
    dbMs: number
    dbRoundTrips: number
  }

  function captureLogs(raw: string[] = []): LogLine[] {
    const lines: LogLine[] = []
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      const text = args.map(String).join(' ')
      raw.push(text)
      try {
        const parsed = JSON.parse(text) as LogLine
        if (parsed.msg === 'request') lines.push(parsed)
      } catch {
        // not a JSON line
      }
    })
    return lines
  }

  it('logs method, route template, status, duration and database time, under the response request id', async () => {
    const userId = await createUser()
    const token = await userToken(userId)
    const activity = await createActivity()
    // The Worker behind SELF runs in this isolate, so a spy on console.log sees its lines.
    const lines = captureLogs()
    const requests: [string, Parameters<typeof api>[1], Partial<LogLine>][] = [
      [
        '/favorites',
        { method: 'POST', token, json: { activityId: activity.id } },
        { method: 'POST', route: '/favorites', status: 201, dbRoundTrips: 1 },
      ],
      [
        `/favorites/${activity.id}`,
        { token },
        { method: 'GET', route: '/favorites/:activityId', status: 200, dbRoundTrips: 1 },
      ],
      ['/favorites?limit=0', { token }, { method: 'GET', route: '/favorites', status: 400, dbRoundTrips: 0 }],
      ['/favorites', {}, { method: 'GET', route: '/favorites', status: 401, dbRoundTrips: 0 }],
      ['/nope', {}, { method: 'GET', status: 404, dbRoundTrips: 0 }],
    ]
    for (const [path, request, expected] of requests) {
      const before = lines.length
      const response = await SELF.fetch(`https://api.test${path}`, {
        method: request?.method ?? 'GET',
        headers: {
          ...(request?.token ? { Authorization: `Bearer ${request.token}` } : {}),
          ...(request?.json ? { 'Content-Type': 'application/json' } : {}),
        },
        body: request?.json ? JSON.stringify(request.json) : undefined,
      })
      await response.arrayBuffer()
      const mine = lines.slice(before)
      expect(mine, `${path}: exactly one request line`).toHaveLength(1)
      const line = mine[0]
      expect(line).toMatchObject({ level: 'info', msg: 'request', ...expected })
      expect(line?.requestId).toBe(response.headers.get('X-Request-Id'))
      // Milliseconds this request took: at least 0, and well under the test's own run time.
      expect(line?.durationMs).toBeGreaterThanOrEqual(0)
      expect(line?.durationMs).toBeLessThan(60_000)
      expect(line?.dbMs).toBeGreaterThanOrEqual(0)
      // The token never reaches the log.
      if (request?.token) expect(JSON.stringify(line)).not.toContain(request.token.split('.')[2])
    }
  })

  it('a database failure logs the request line (503) and a warning without SQL', async () => {
    const token = await userToken(await createUser())
    const raw: string[] = []
    const lines = captureLogs(raw)
    await injectDatabaseFault({ kind: 'http-500' })
    const response = await SELF.fetch('https://api.test/favorites', {
      headers: { Authorization: `Bearer ${token}` },
    })
    await response.arrayBuffer()
    const warnings = raw.filter((text) => text.includes('"level":"warn"'))
    expect(lines.at(-1)).toMatchObject({
      status: 503,
      dbRoundTrips: 1,
      requestId: response.headers.get('X-Request-Id'),
    })
    expect(warnings.map((text) => JSON.parse(text))).toContainEqual(
      expect.objectContaining({
        msg: 'database unavailable',
        requestId: response.headers.get('X-Request-Id'),
        error: expect.stringMatching(/\S/),
      }),
    )
    expect(warnings.join('\n')).not.toMatch(/select|from activities|user_id/i)
  })
})

describe('CORS', () => {
  /** The Worker's fetch handler with the test bindings, CORS_ORIGINS replaced. */
  async function withOrigins(origins: string | undefined, request: Request): Promise<Response> {
    const bindings = { ...env, CORS_ORIGINS: origins }
    const context = createExecutionContext()
    const response = await worker.fetch(request, bindings, context)
    await waitOnExecutionContext(context)
    return response
  }

  const preflight = (origin: string) =>
    new Request('https://api.test/favorites', {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    })

  it('by default (the bindings of the test run, like wrangler.toml) answers no origin', async () => {
    const response = await SELF.fetch('https://api.test/health', {
      headers: { Origin: 'https://app.example' },
    })
    await response.arrayBuffer()
    expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull()
    for (const origins of ['', undefined]) {
      const answer = await withOrigins(origins, preflight('https://app.example'))
      expect(answer.headers.get('Access-Control-Allow-Origin')).toBeNull()
    }
  })

  it('sends no CORS header at all to an origin it does not allow, or when none is configured', async () => {
    const token = await userToken(await createUser())
    for (const [origins, origin] of [
      ['', 'https://app.example'],
      [undefined, 'https://app.example'],
      ['https://app.example', 'https://evil.example'],
    ] as const) {
      for (const request of [
        new Request('https://api.test/favorites', {
          headers: { Origin: origin, Authorization: `Bearer ${token}` },
        }),
        preflight(origin),
      ]) {
        const response = await withOrigins(origins, request)
        await response.arrayBuffer()
        const cors = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'))
        expect(cors, `${request.method} from ${origin} with CORS_ORIGINS=${origins}`).toEqual([])
      }
    }
  })

  it('echoes a configured origin, answers its preflight, and ignores any other origin', async () => {
    const origins = 'https://app.example, https://admin.example'
    const token = await userToken(await createUser())
    const simple = await withOrigins(
      origins,
      new Request('https://api.test/favorites', {
        headers: { Origin: 'https://admin.example', Authorization: `Bearer ${token}` },
      }),
    )
    expect(simple.status).toBe(200)
    expect(simple.headers.get('Access-Control-Allow-Origin')).toBe('https://admin.example')
    expect(simple.headers.get('Vary')).toMatch(/Origin/)
    // What a browser app may read: the conditional GET, the retry hint, the request id and the timings.
    expect(simple.headers.get('Access-Control-Expose-Headers')).toBe(
      'ETag,Retry-After,X-Request-Id,Server-Timing',
    )

    const allowed = await withOrigins(origins, preflight('https://app.example'))
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example')
    expect(allowed.headers.get('Access-Control-Allow-Methods')).toMatch(/POST/)
    expect(allowed.headers.get('Access-Control-Allow-Headers')).toBe(
      'Authorization,Content-Type,If-None-Match',
    )
    expect(allowed.headers.get('Access-Control-Max-Age')).toBe('600')

    for (const stranger of [
      'https://evil.example',
      'https://app.example.evil.example',
      'null',
      'https://APP.example',
    ]) {
      const refused = await withOrigins(origins, preflight(stranger))
      expect(refused.headers.get('Access-Control-Allow-Origin'), stranger).toBeNull()
    }
  })
})

describe('a 304 revalidation', () => {
  it('keeps the request id and, for an allowed origin, the CORS headers', async () => {
    const userId = await createUser()
    const token = await userToken(userId)
    const activity = await createActivity()
    await createFavorite(userId, activity.id)
    const bindings = { ...env, CORS_ORIGINS: 'https://app.example' }
    const send = async (headers: Record<string, string>) => {
      const context = createExecutionContext()
      const request = new Request(`https://api.test/favorites/${activity.id}`, {
        headers: { Authorization: `Bearer ${token}`, Origin: 'https://app.example', ...headers },
      })
      const response = await worker.fetch(request, bindings, context)
      await waitOnExecutionContext(context)
      return response
    }
    const first = await send({})
    const etag = first.headers.get('ETag') ?? ''
    expect(etag).not.toBe('')
    const again = await send({ 'If-None-Match': etag })
    expect(again.status).toBe(304)
    expect(again.headers.get('X-Request-Id')).toBeTruthy()
    expect(again.headers.get('X-Request-Id')).not.toBe(first.headers.get('X-Request-Id'))
    expect(again.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example')
    expect(again.headers.get('Access-Control-Expose-Headers')).toBe(
      first.headers.get('Access-Control-Expose-Headers'),
    )
    expect(again.headers.get('Access-Control-Expose-Headers')).toContain('ETag')
    expect(again.headers.get('ETag')).toBe(etag)
  })
})
