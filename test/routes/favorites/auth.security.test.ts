/** Every client route refuses every kind of bad credential, and nothing changes in the database. */
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { createActivity, createUser, favoriteRows } from '../../support/database'
import { signToken, staffToken, unsignedToken, userToken } from '../../support/tokens'

type Credential = { name: string; status: 401 | 403; header: (userId: string) => Promise<string | undefined> }

const bearer = async (token: Promise<string> | string) => `Bearer ${await token}`

const credentials: Credential[] = [
  { name: 'no Authorization header', status: 401, header: async () => undefined },
  { name: 'not a bearer scheme', status: 401, header: async (id) => `Basic ${await userToken(id)}` },
  { name: 'not a JWT', status: 401, header: async () => 'Bearer not-a-jwt' },
  {
    name: 'a bad signature',
    status: 401,
    header: (id) =>
      bearer(signToken(id, { key: new TextEncoder().encode('another-secret-another-secret-0123') })),
  },
  { name: 'an expired token', status: 401, header: (id) => bearer(signToken(id, { expiresIn: -60 })) },
  { name: 'a token not yet valid', status: 401, header: (id) => bearer(signToken(id, { notBefore: 3600 })) },
  { name: 'alg: none', status: 401, header: async (id) => bearer(unsignedToken(id)) },
  {
    name: 'an unexpected algorithm (HS512)',
    status: 401,
    header: async (id) => {
      const now = Math.floor(Date.now() / 1000)
      const { env } = await import('cloudflare:test')
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS512' })
        .setSubject(id)
        .setIssuer(env.JWT_ISSUER)
        .setAudience(env.JWT_AUDIENCE)
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(env.JWT_SECRET))
      return bearer(token)
    },
  },
  {
    name: 'a wrong issuer',
    status: 401,
    header: (id) => bearer(signToken(id, { issuer: 'https://evil.example/' })),
  },
  {
    name: 'a wrong audience',
    status: 401,
    header: (id) => bearer(signToken(id, { audience: 'another-api' })),
  },
  { name: 'a subject that is not a UUID', status: 401, header: () => bearer(signToken('user-42')) },
  { name: 'a company staff token', status: 403, header: () => bearer(staffToken(crypto.randomUUID())) },
]

const routes = [
  { method: 'POST', path: () => '/favorites', json: (a: string) => ({ activityId: a }) },
  { method: 'GET', path: () => '/favorites' },
  { method: 'GET', path: (a: string) => `/favorites/status?activityIds=${a}` },
  { method: 'GET', path: (a: string) => `/favorites/${a}` },
  { method: 'DELETE', path: (a: string) => `/favorites/${a}` },
]

describe('client routes refuse bad credentials', () => {
  for (const route of routes) {
    describe(`${route.method} ${route.path(':activityId')}`, () => {
      it.each(credentials)('answers $status for $name, changing nothing', async (credential) => {
        const userId = await createUser()
        const activity = await createActivity()
        const header = await credential.header(userId)
        const response = await api(route.path(activity.id), {
          method: route.method,
          json: route.json?.(activity.id),
          headers: header ? { Authorization: header } : {},
        })
        await expectProblem(response, credential.status)
        expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="activity-favorites"/)
        expect((await favoriteRows(userId)).rows).toEqual([])
      })
    })
  }
})
