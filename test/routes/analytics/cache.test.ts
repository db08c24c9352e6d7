import { describe, expect, it } from 'vitest'
import { api } from '../../support/api'
import {
  countRoundTrips,
  createActivity,
  createFavorite,
  createUser,
  newCompanyId,
} from '../../support/database'
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

  it('keeps a default period apart from the same bounds stated, as their cursors are bound to different queries', async () => {
    const companyId = newCompanyId()
    for (let n = 0; n < 2; n++) await createActivity({ companyId })
    const token = await staffToken(companyId)
    const { period } = JSON.parse((await timed('/analytics/favorites?limit=1', token)).body) as {
      period: { from: string; to: string }
    }
    // The default period's own bounds, stated: the same counts, but a cursor bound to those bounds.
    for (const bounds of [`from=${encodeURIComponent(period.from)}`, `to=${encodeURIComponent(period.to)}`]) {
      const path = `/analytics/favorites?limit=1&${bounds}`
      const first = await timed(path, token)
      expect(first.trips, bounds).toBe(1)
      const { nextCursor } = JSON.parse(first.body) as { nextCursor: string }
      expect((await timed(`${path}&cursor=${nextCursor}`, token)).response.status, bounds).toBe(200)
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
