/**
 * What every route shares at the HTTP level: 405 with `Allow` for a wrong method on a known path, strict integers in
 * the query, and the status list as a form-style array.
 */
import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../support/api'
import { createActivity, createFavorite, createUser, newCompanyId } from '../support/database'
import { staffToken, userToken } from '../support/tokens'

describe('a wrong method on a known path', () => {
  it.each([
    ['PUT', '/favorites', 'GET, HEAD, POST'],
    ['PATCH', '/favorites/0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e', 'GET, HEAD, DELETE'],
    ['POST', '/favorites/status', 'GET, HEAD, DELETE'],
    ['DELETE', '/health', 'GET, HEAD'],
    // Two paths match: the batch (POST) and /favorites/{activityId} read as an id.
    ['PUT', '/favorites/batch', 'GET, HEAD, POST, DELETE'],
    // A path with a dot: matched literally, not as a pattern.
    ['POST', '/openapi.json', 'GET, HEAD'],
    ['POST', '/analytics/favorites', 'GET, HEAD'],
    ['PUT', '/analytics/favorites/timeseries', 'GET, HEAD'],
  ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const response = await api(path, { method, token: await userToken(await createUser()) })
    const problem = await expectProblem(response, 405)
    expect(problem.type).toBe('urn:problem-type:method-not-allowed')
    expect(response.headers.get('Allow')).toBe(allow)
  })

  it('an unknown path stays 404', async () => {
    await expectProblem(await api('/favorites/a/b', { method: 'PUT' }), 404)
    await expectProblem(await api('/nowhere'), 404)
    // The dot in `/openapi.json` is no wildcard.
    await expectProblem(await api('/openapiXjson', { method: 'POST' }), 404)
  })
})

describe('integers in the query are decimal digits only', () => {
  it.each(['0x3', '0b11', '3e0', '3.0', ' 3', '+3', '-3', '3 ', ''])('limit=%j is a 400', async (limit) => {
    const token = await userToken(await createUser())
    const problem = await expectProblem(
      await api(`/favorites?limit=${encodeURIComponent(limit)}`, { token }),
      400,
    )
    expect(problem.issues?.map((issue) => issue.path)).toEqual(['query.limit'])
    const staff = await staffToken(newCompanyId())
    await expectProblem(
      await api(`/analytics/favorites?limit=${encodeURIComponent(limit)}`, { token: staff }),
      400,
    )
  })

  it('limit=3 and a missing limit are fine', async () => {
    const token = await userToken(await createUser())
    expect((await api('/favorites?limit=3', { token })).status).toBe(200)
    expect((await api('/favorites', { token })).status).toBe(200)
  })
})

describe('GET /favorites/status activityIds', () => {
  it('takes the ids comma-separated or as a repeated parameter, in the asked order', async () => {
    const userId = await createUser()
    const companyId = newCompanyId()
    const liked = await createActivity({ companyId })
    const other = await createActivity({ companyId })
    await createFavorite(userId, liked.id)
    const token = await userToken(userId)
    for (const query of [
      `activityIds=${other.id},${liked.id}`,
      `activityIds=${other.id}&activityIds=${liked.id}`,
    ]) {
      const response = await api(`/favorites/status?${query}`, { token })
      expect(response.status).toBe(200)
      const body = (await response.json()) as { items: { activityId: string; favorited: boolean }[] }
      expect(body.items.map((item) => [item.activityId, item.favorited])).toEqual([
        [other.id, false],
        [liked.id, true],
      ])
    }
  })
})

describe('a query parameter the route does not know', () => {
  it.each([
    ['client', '/favorites?limit=5&sort=name'],
    ['client', '/favorites/status?activityIds=0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e&withCounts=true'],
    ['client', '/favorites/0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e?expand=activity'],
    ['client', '/favorites/0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e?force=1'],
    ['business', '/analytics/favorites?from=2026-01-01&colour=red'],
    ['business', '/analytics/favorites/timeseries?tz=Europe/Berlin&zone=Europe/Berlin'],
  ])('is a 400 naming it (%s: %s)', async (surface, path) => {
    const token =
      surface === 'client' ? await userToken(await createUser()) : await staffToken(newCompanyId())
    const method = path.includes('force=1') ? 'DELETE' : 'GET'
    const unknown = new URL(path, 'https://api.test').searchParams
    const name = [...unknown.keys()].at(-1) as string
    const problem = await expectProblem(await api(path, { method, token }), 400)
    expect(problem.detail).toContain(`"${name}"`)
    expect(problem.issues?.[0]).toMatchObject({ path: 'query', code: 'unrecognized_keys' })
  })
})

describe('a path that only looks like a known one', () => {
  it('is 404, not 405 (route paths are matched literally)', async () => {
    await expectProblem(await api('/openapiXjson', { method: 'POST' }), 404)
  })
})
