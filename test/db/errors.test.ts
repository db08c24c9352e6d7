/**
 * How a failed statement is told apart (src/db/errors.ts, src/db/metrics.ts): "the database is not serving us"
 * (503, retry) against a query error (a constraint: the route decides; a bug: 500), wherever drizzle or the driver
 * wrapped it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isDatabaseUnavailable, postgresErrorOf } from '../../src/db/errors'
import { type DatabaseMetrics, DatabaseUnavailableError, recordDatabaseFetch } from '../../src/db/metrics'

/** The Neon driver's error for a Postgres error answer (`code` is the SQLSTATE; none when the fetch failed). */
const neonError = (fields: { code?: string; constraint?: string } = {}) =>
  Object.assign(new Error('db error'), { name: 'NeonDbError', ...fields })

/** `error` wrapped `depth` times, as drizzle wraps a driver error in `cause`. */
const wrapped = (error: unknown, depth = 1): unknown =>
  depth === 0 ? error : wrapped(new Error('Failed query: SELECT …', { cause: error }), depth - 1)

afterEach(() => vi.restoreAllMocks())

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a connection failure', '08006'],
    ['a deadlock', '40P01'],
    ['a serialization failure', '40001'],
    ['too many connections', '53300'],
    ['an admin shutdown', '57P01'],
    ['a system error', '58030'],
  ])('is true for %s (%s)', (_, code) => {
    expect(isDatabaseUnavailable(wrapped(neonError({ code })))).toBe(true)
  })

  it.each([
    ['a unique violation', '23505'],
    ['a foreign key violation', '23503'],
    ['a syntax error (a bug)', '42601'],
  ])('is false for %s (%s)', (_, code) => {
    expect(isDatabaseUnavailable(wrapped(neonError({ code })))).toBe(false)
  })

  it('is true for a driver error without SQLSTATE, and for the failures it wraps or passes through', () => {
    expect(isDatabaseUnavailable(wrapped(neonError()))).toBe(true)
    expect(isDatabaseUnavailable(new DatabaseUnavailableError('database endpoint answered HTTP 502'))).toBe(
      true,
    )
    expect(isDatabaseUnavailable(wrapped(new DOMException('deadline', 'TimeoutError')))).toBe(true)
    expect(isDatabaseUnavailable(new DOMException('aborted', 'AbortError'))).toBe(true)
    expect(isDatabaseUnavailable(new SyntaxError('Unexpected token < in JSON'))).toBe(true)
  })

  it('is false for other errors and for what is no error', () => {
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false)
    expect(isDatabaseUnavailable(new DOMException('bad', 'DataError'))).toBe(false)
    expect(isDatabaseUnavailable('TimeoutError')).toBe(false)
    expect(isDatabaseUnavailable({ name: 'AbortError' })).toBe(false)
    expect(isDatabaseUnavailable(undefined)).toBe(false)
    expect(isDatabaseUnavailable(null)).toBe(false)
  })

  it('follows the causes eight deep, stops at a null cause, and ends on a cycle', () => {
    expect(isDatabaseUnavailable(wrapped(neonError(), 7))).toBe(true)
    expect(isDatabaseUnavailable(wrapped(neonError(), 8))).toBe(false)
    expect(isDatabaseUnavailable(new Error('no cause', { cause: null }))).toBe(false)
    const cyclic = new Error('a')
    cyclic.cause = new Error('b', { cause: cyclic })
    expect(isDatabaseUnavailable(cyclic)).toBe(false)
  })
})

describe('postgresErrorOf', () => {
  it('finds the SQLSTATE and constraint under drizzle, or through `sourceError`', () => {
    const unique = neonError({ code: '23505', constraint: 'user_activity_favorites_user_activity_unique' })
    expect(postgresErrorOf(wrapped(unique, 2))).toEqual({
      code: '23505',
      constraint: 'user_activity_favorites_user_activity_unique',
    })
    expect(postgresErrorOf(Object.assign(new Error('outer'), { sourceError: unique }))).toEqual({
      code: '23505',
      constraint: 'user_activity_favorites_user_activity_unique',
    })
  })

  it('is undefined without a Postgres error', () => {
    expect(postgresErrorOf(wrapped(neonError()))).toBeUndefined()
    expect(postgresErrorOf(Object.assign(new Error('x'), { code: '23505' }))).toBeUndefined()
    expect(postgresErrorOf('23505')).toBeUndefined()
    expect(postgresErrorOf(null)).toBeUndefined()
  })
})

describe('recordDatabaseFetch', () => {
  it('passes a 200 and a 400 (a Postgres error) to the driver, and counts each round trip and its time', async () => {
    const metrics: DatabaseMetrics = { roundTrips: 0, ms: 0 }
    const fetch = vi.spyOn(globalThis, 'fetch')
    fetch.mockResolvedValueOnce(new Response('{}', { status: 200 }))
    fetch.mockResolvedValueOnce(new Response('{"code":"23505"}', { status: 400 }))
    expect(
      (await recordDatabaseFetch('https://db.test/sql', { method: 'POST', dbMetrics: metrics })).status,
    ).toBe(200)
    expect((await recordDatabaseFetch('https://db.test/sql', { dbMetrics: metrics })).status).toBe(400)
    expect(metrics.roundTrips).toBe(2)
    expect(metrics.ms).toBeGreaterThanOrEqual(0)
    expect(metrics.ms).toBeLessThan(10_000)
    // The metrics stay out of the request the driver sends.
    expect(fetch.mock.calls[0]?.[1]).toEqual({ method: 'POST' })
  })

  it.each([500, 502, 503, 429, 401])('turns an HTTP %i into DatabaseUnavailableError', async (status) => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('proxy error', { status }))
    const metrics: DatabaseMetrics = { roundTrips: 0, ms: 0 }
    const failure = recordDatabaseFetch('https://db.test/sql', { dbMetrics: metrics })
    await expect(failure).rejects.toThrow(
      expect.objectContaining({
        name: 'DatabaseUnavailableError',
        message: `database endpoint answered HTTP ${status}`,
      }),
    )
    expect(metrics.roundTrips).toBe(1)
  })
})
