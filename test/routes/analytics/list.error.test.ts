/** GET /analytics/favorites: every invalid request is a 400 that lists every issue, before any database work. */
import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { countRoundTrips, createActivity, newCompanyId } from '../../support/database'
import { staffToken } from '../../support/tokens'

async function issuesOf(token: string, query: string): Promise<{ path: string; code: string }[]> {
  let response: Response | undefined
  const trips = await countRoundTrips(async () => {
    response = await api(`/analytics/favorites${query}`, { token })
  })
  expect(trips, 'a 400 never reaches the database').toBe(0)
  const problem = await expectProblem(response as Response, 400)
  expect(problem.type).toBe('urn:problem-type:validation-error')
  expect(response?.headers.get('Cache-Control')).toBe('no-store')
  return (problem.issues ?? []).map(({ path, code }) => ({ path, code }))
}

const paths = (issues: { path: string }[]) => issues.map((i) => i.path).sort()

describe('GET /analytics/favorites: 400', () => {
  it.each([
    ['from', '?from=yesterday'],
    ['from', '?from=2026-02-30'],
    ['from', '?from=2026-01-01T10:00:00'], // a date-time needs Z or an offset
    ['from', '?from=1969-12-31'],
    ['to', '?to=2026-13-01'],
    ['to', '?to=10000-01-01'],
    ['to', `?to=${'9'.repeat(100)}`],
    ['type', '?type=WORKSHOP'],
    ['sort', '?sort=popularity'],
    ['order', '?order=up'],
    ['limit', '?limit=0'],
    ['limit', '?limit=101'],
    ['limit', '?limit=ten'],
    ['limit', '?limit=2.5'],
  ])('refuses a bad %s (%s)', async (field, query) => {
    const token = await staffToken(newCompanyId())
    expect(paths(await issuesOf(token, query))).toEqual([`query.${field}`])
  })

  it('says what a bound and a zone must be', async () => {
    const token = await staffToken(newCompanyId())
    const problem = await expectProblem(
      await api('/analytics/favorites?from=yesterday&tz=Mars/Olympus', { token }),
      400,
    )
    expect(problem.issues?.map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: 'query.from',
        message:
          'Must be an ISO 8601 date (2026-01-31) or date-time with a UTC offset (2026-01-31T00:00:00+01:00), year 1970 to 9999',
      },
      { path: 'query.tz', message: 'Must be an IANA time zone name, e.g. Europe/Berlin or Asia/Kathmandu' },
    ])
  })

  it('refuses from >= to', async () => {
    const token = await staffToken(newCompanyId())
    expect(await issuesOf(token, '?from=2026-02-01&to=2026-01-01')).toEqual([
      { path: 'query.to', code: 'custom' },
    ])
    expect(await issuesOf(token, '?from=2026-01-01&to=2026-01-01T00:00:00Z')).toEqual([
      { path: 'query.to', code: 'custom' },
    ])
  })

  it('refuses a period longer than 366 days, and takes exactly 366', async () => {
    const token = await staffToken(newCompanyId())
    expect(await issuesOf(token, '?from=2024-01-01&to=2025-01-02')).toEqual([
      { path: 'query.to', code: 'custom' },
    ])
    const ok = await api('/analytics/favorites?from=2024-01-01&to=2025-01-01', { token })
    expect(ok.status).toBe(200)
  })

  it('names each bound off the whole hour that the caller sent, not the default derived from one', async () => {
    const token = await staffToken(newCompanyId())
    expect(await issuesOf(token, '?from=2026-01-01T00:30:00Z&to=2026-01-02T00:30:00Z')).toEqual([
      { path: 'query.from', code: 'custom' },
      { path: 'query.to', code: 'custom' },
    ])
    // The default `from` (30 days before `to`) is off the hour only because `to` is.
    expect(await issuesOf(token, '?to=2026-01-02T00:30:00Z')).toEqual([{ path: 'query.to', code: 'custom' }])
  })

  it('judges no bound in a zone it does not know', async () => {
    const token = await staffToken(newCompanyId())
    // 00:30Z is off the hour in UTC; in an unknown zone there is nothing to judge it by.
    expect(await issuesOf(token, '?tz=Mars/Olympus&from=2026-01-01T00:30:00Z')).toEqual([
      { path: 'query.tz', code: 'custom' },
    ])
  })

  it('lists every issue at once, cross-field ones included', async () => {
    const token = await staffToken(newCompanyId())
    expect(paths(await issuesOf(token, '?from=nope&type=X&sort=y&order=z&limit=0'))).toEqual([
      'query.from',
      'query.limit',
      'query.order',
      'query.sort',
      'query.type',
    ])
    expect(paths(await issuesOf(token, '?from=2026-02-01&to=2026-01-01&sort=y&limit=500'))).toEqual([
      'query.limit',
      'query.sort',
      'query.to',
    ])
  })

  it('refuses a cursor that is not one', async () => {
    const token = await staffToken(newCompanyId())
    for (const cursor of [
      'abc',
      'a.b.c',
      '!!!.???',
      `${'A'.repeat(40)}.${'B'.repeat(43)}`,
      'x'.repeat(5000),
    ]) {
      expect(paths(await issuesOf(token, `?cursor=${encodeURIComponent(cursor)}`)), cursor).toEqual([
        'query.cursor',
      ])
    }
  })

  it('refuses a tampered cursor and one issued for another query', async () => {
    const companyId = newCompanyId()
    for (let n = 0; n < 3; n++) await createActivity({ companyId })
    const token = await staffToken(companyId)
    const first = await api('/analytics/favorites?limit=1&sort=name', { token })
    const { nextCursor } = (await first.json()) as { nextCursor: string }
    expect(nextCursor).toEqual(expect.any(String))
    const ok = await api(`/analytics/favorites?limit=1&sort=name&cursor=${nextCursor}`, { token })
    expect(ok.status).toBe(200)

    const [body, signature] = nextCursor.split('.') as [string, string]
    const payload = JSON.parse(atob(body.replaceAll('-', '+').replaceAll('_', '/'))) as Record<
      string,
      unknown
    >
    const forged = btoa(JSON.stringify({ ...payload, k: 'A' }))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '')
    const flipped = `${body.slice(0, -1)}${body.endsWith('A') ? 'B' : 'A'}`
    for (const cursor of [
      `${forged}.${signature}`,
      `${flipped}.${signature}`,
      `${body}.${signature.slice(1)}`,
    ]) {
      expect(paths(await issuesOf(token, `?limit=1&sort=name&cursor=${cursor}`))).toEqual(['query.cursor'])
    }
    // Same cursor, other filters: other sort, order, type, or an explicit period.
    for (const query of [
      'sort=total',
      'sort=name&order=desc',
      'sort=name&type=SERVICE',
      'sort=name&from=2026-01-01',
      'sort=name&to=2026-12-31',
    ]) {
      expect(paths(await issuesOf(token, `?${query}&cursor=${nextCursor}`)), query).toEqual(['query.cursor'])
    }
  })

  it('refuses a cursor of an explicit period with another from, to or type', async () => {
    const companyId = newCompanyId()
    for (let n = 0; n < 3; n++) await createActivity({ companyId, type: 'SERVICE' })
    const token = await staffToken(companyId)
    const stated = 'from=2026-01-01&to=2026-02-01&type=SERVICE&sort=name&limit=1'
    const { nextCursor } = (await (await api(`/analytics/favorites?${stated}`, { token })).json()) as {
      nextCursor: string
    }
    expect((await api(`/analytics/favorites?${stated}&cursor=${nextCursor}`, { token })).status).toBe(200)
    for (const query of [
      'from=2026-01-02&to=2026-02-01&type=SERVICE',
      'from=2026-01-01&to=2026-02-02&type=SERVICE',
      'from=2026-01-01&to=2026-02-01',
      'from=2026-01-01&to=2026-02-01&type=SLOT_BASED',
      'to=2026-02-01&type=SERVICE',
      'from=2026-01-01&type=SERVICE',
    ]) {
      const issues = await issuesOf(token, `?${query}&sort=name&limit=1&cursor=${nextCursor}`)
      expect(paths(issues), query).toEqual(['query.cursor'])
    }
  })
})
