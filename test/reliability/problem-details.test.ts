/**
 * What each refusal says: the exact `detail` a developer reads, and the headers that come with it (RFC 6750's
 * challenge, `Allow`, `Cache-Control`). Problem bodies are for people: a blank or wrong sentence is a bug.
 */
import { describe, expect, it } from 'vitest'
import { STAFF_ANALYTICS_ROLE } from '../../src/contracts/claims'
import { api, expectProblem } from '../support/api'
import { createUser, newCompanyId } from '../support/database'
import { signToken, staffToken, unsignedToken, userToken } from '../support/tokens'

const REALM = 'Bearer realm="activity-favorites"'

async function refusal(path: string, request: Parameters<typeof api>[1], status: number) {
  const response = await api(path, request)
  const problem = await expectProblem(response, status)
  return { problem, headers: response.headers }
}

describe('401: what is wrong with the credentials', () => {
  it('no token: a bare challenge, with no error code (RFC 6750 §3.1)', async () => {
    const { problem, headers } = await refusal('/favorites', {}, 401)
    expect(problem.detail).toBe('A bearer token is required')
    expect(headers.get('WWW-Authenticate')).toBe(REALM)
  })

  it.each([
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['a token with a character no JWT has', 'Bearer a.b.c!'],
    ['a token after a character no JWT has', 'Bearer !a.b.c'],
    ['the scheme after other text', 'xBearer a.b.c'],
  ])('a malformed Authorization header (%s)', async (_, authorization) => {
    const { problem, headers } = await refusal(
      '/favorites',
      { headers: { Authorization: authorization } },
      401,
    )
    expect(problem.detail).toBe('The Authorization header must be `Bearer <JWT>`')
    expect(headers.get('WWW-Authenticate')).toBe(`${REALM}, error="invalid_token"`)
  })

  it('accepts the scheme in any case and more than one space before the token', async () => {
    const token = await userToken(await createUser())
    const response = await api('/favorites', { headers: { Authorization: `bearer   ${token}` } })
    expect(response.status).toBe(200)
  })

  it.each([
    [
      'an expired token',
      () => createUser().then((id) => signToken(id, { expiresIn: -60 })),
      'The token has expired',
    ],
    [
      'a token for another audience',
      () => createUser().then((id) => signToken(id, { audience: 'someone-else' })),
      'The token\'s claims are not valid here: unexpected "aud" claim value',
    ],
    [
      'a token signed with another key',
      () => createUser().then((id) => signToken(id, { key: new TextEncoder().encode('x'.repeat(40)) })),
      'The token signature is not valid',
    ],
    [
      'an unsigned token',
      () => createUser().then(unsignedToken),
      'The token is signed with an algorithm this API does not accept',
    ],
    ['a token that is no JWT', async () => 'not.a.jwt', 'The token is not a valid JWT'],
    [
      'a client token whose sub is no UUID',
      async () => signToken('user-42'),
      'The token subject must be a user id (UUID)',
    ],
  ])('%s', async (_, token, detail) => {
    const { problem } = await refusal('/favorites', { token: await token() }, 401)
    expect(problem.detail).toBe(detail)
  })

  it('a staff token whose company_id is no UUID', async () => {
    const token = await signToken(crypto.randomUUID(), {
      claims: { company_id: 'acme', roles: [STAFF_ANALYTICS_ROLE] },
    })
    const { problem } = await refusal('/analytics/favorites', { token }, 401)
    expect(problem.detail).toBe('The token company_id claim must be a UUID')
  })
})

describe('403: a valid token, not allowed here', () => {
  it.each([
    [
      'a staff token on the client surface',
      '/favorites',
      () => staffToken(newCompanyId()),
      'A company staff token cannot use the client API',
    ],
    [
      'a user token on the business surface',
      '/analytics/favorites',
      () => createUser().then(userToken),
      'An end-user token cannot use the business API',
    ],
    [
      'a staff token without the analytics role',
      '/analytics/favorites',
      () => staffToken(newCompanyId(), { claims: { roles: ['favorites:read'] } }),
      // The role as the identity provider writes it (README), not the constant the API reads it with.
      'The token lacks the favorites:analytics role',
    ],
    [
      'a staff token whose roles are not a list',
      '/analytics/favorites',
      () => staffToken(newCompanyId(), { claims: { roles: STAFF_ANALYTICS_ROLE } }),
      'The token lacks the favorites:analytics role',
    ],
  ])('%s', async (_, path, token, detail) => {
    const { problem, headers } = await refusal(path, { token: await token() }, 403)
    expect(problem.detail).toBe(detail)
    expect(headers.get('WWW-Authenticate')).toBe(`${REALM}, error="insufficient_scope"`)
  })

  it('a valid token of a user the platform does not know', async () => {
    const { problem } = await refusal('/favorites', { token: await userToken(crypto.randomUUID()) }, 403)
    expect(problem.detail).toBe('The token is valid, but its user is not registered on the platform')
  })
})

describe('400, 405, 413: what is wrong with the request', () => {
  it('a validation error names each issue, path first, separated by semicolons', async () => {
    const token = await userToken(await createUser())
    const { problem } = await refusal('/favorites?limit=0&type=BOAT', { token }, 400)
    expect(problem.detail).toBe(
      'query.limit: Too small: expected number to be >=1; ' +
        'query.type: Invalid option: expected one of "SLOT_BASED"|"SERVICE"',
    )
  })

  it('a cursor that is not one this API issued', async () => {
    const token = await userToken(await createUser())
    for (const cursor of ['abc', 'a.b.c', '.c2ln', 'e30.', 'e30.c2ln', '!!!.c2ln', 'e30!.c2ln']) {
      const { problem } = await refusal(`/favorites?cursor=${encodeURIComponent(cursor)}`, { token }, 400)
      expect(problem.detail, cursor).toBe('query.cursor: The cursor is not valid for this query')
    }
  })

  it('a wrong method names the method, the path and the ones it serves', async () => {
    const { problem, headers } = await refusal('/favorites/status', { method: 'POST' }, 405)
    expect(problem.detail).toBe('POST is not served on /favorites/status; use GET, HEAD, DELETE')
    expect(headers.get('Allow')).toBe('GET, HEAD, DELETE')
  })

  it('a body over the limit says the limit', async () => {
    const token = await userToken(await createUser())
    const { problem } = await refusal(
      '/favorites',
      {
        method: 'POST',
        token,
        body: JSON.stringify({ pad: 'x'.repeat(5000) }),
        headers: { 'Content-Type': 'application/json' },
      },
      413,
    )
    expect(problem.detail).toBe('The request body must be at most 4096 bytes')
  })
})

describe('caching of answers', () => {
  it('a problem is never stored; a client GET 200 is private and revalidated; a write carries no ETag', async () => {
    const token = await userToken(await createUser())
    const { headers } = await refusal('/favorites?limit=0', { token }, 400)
    expect(headers.get('Cache-Control')).toBe('no-store')
    expect(headers.get('ETag')).toBeNull()

    const list = await api('/favorites', { token })
    expect(list.headers.get('Cache-Control')).toBe('private, no-cache')
    const etag = list.headers.get('ETag')
    expect(etag).toMatch(/^"[0-9a-f]+"$/)
    const again = await api('/favorites', { token, headers: { 'If-None-Match': etag ?? '' } })
    expect(again.status).toBe(304)
    expect(again.headers.get('Cache-Control')).toBe('private, no-cache')

    const batch = await api('/favorites/batch', {
      method: 'POST',
      token,
      body: JSON.stringify({ changes: [{ activityId: crypto.randomUUID(), favorited: false }] }),
      headers: { 'Content-Type': 'application/json' },
    })
    expect(batch.status).toBe(200)
    expect(batch.headers.get('ETag')).toBeNull()
    expect(batch.headers.get('Cache-Control')).not.toBe('private, no-cache')
  })
})
