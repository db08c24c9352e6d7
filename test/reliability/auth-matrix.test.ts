/**
 * The auth matrix, read from the contract: every operation of `/openapi.json` with a security requirement gets every
 * kind of bad credential, and answers the documented 401 or 403 problem with nothing changed in the database.
 * A route added later is covered without editing this file (its tag says which token it takes).
 */
import { env } from 'cloudflare:test'
import { sql } from 'drizzle-orm'
import { generateKeyPair, type JWTPayload, SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { STAFF_ANALYTICS_ROLE } from '../../src/contracts/claims'
import { api, expectProblem } from '../support/api'
import { createActivity, createFavorite, createUser, newCompanyId, testDb } from '../support/database'
import { signToken, staffToken, userToken } from '../support/tokens'
import {
  exampleRequest,
  type OpenApiDocument,
  type Operation,
  openApiDocument,
  operationsOf,
  type Surface,
  surfaceOf,
} from './openapi-operations'

type Fixture = {
  userId: string
  companyId: string
  /** Favourited by the user: a DELETE that got through would remove it. */
  favourited: string
  /** Not favourited: a POST that got through would add it. */
  other: string
}

type Credential = {
  name: string
  status: 401 | 403
  /** The surfaces this credential is tried on. */
  surfaces: Surface[]
  /** The Authorization header, or undefined for none. */
  header: (fixture: Fixture, surface: Surface) => Promise<string | undefined>
}

const encoder = new TextEncoder()
const base64Url = (value: object) =>
  btoa(JSON.stringify(value)).replaceAll('=', '').replaceAll('+', '-').replaceAll('/', '_')

/** The claims the surface's own valid token carries: a bad credential differs from it in one way only. */
function ownClaims(fixture: Fixture, surface: Surface): { subject: string; claims: JWTPayload } {
  return surface === 'client'
    ? { subject: fixture.userId, claims: {} }
    : {
        subject: crypto.randomUUID(),
        claims: { company_id: fixture.companyId, roles: [STAFF_ANALYTICS_ROLE] },
      }
}

const signOwn = (fixture: Fixture, surface: Surface, options: Parameters<typeof signToken>[1] = {}) => {
  const { subject, claims } = ownClaims(fixture, surface)
  return signToken(subject, { ...options, claims: { ...claims, ...options.claims } })
}

const now = () => Math.floor(Date.now() / 1000)

const BOTH: Surface[] = ['client', 'business']

const credentials: Credential[] = [
  { name: 'no Authorization header', status: 401, surfaces: BOTH, header: async () => undefined },
  {
    name: 'a Basic scheme',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) => `Basic ${await signOwn(f, s)}`,
  },
  { name: 'not a JWT', status: 401, surfaces: BOTH, header: async () => 'Bearer not-a-jwt' },
  { name: 'an empty bearer', status: 401, surfaces: BOTH, header: async () => 'Bearer ' },
  {
    name: 'a bad signature (another key)',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) =>
      `Bearer ${await signOwn(f, s, { key: encoder.encode('another-secret-another-secret-0123') })}`,
  },
  {
    name: 'a tampered payload (signature of another token)',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) => {
      const [header, , signature] = (await signOwn(f, s)).split('.')
      const { subject, claims } = ownClaims(f, s)
      const payload = base64Url({
        ...claims,
        sub: subject,
        iss: env.JWT_ISSUER,
        aud: env.JWT_AUDIENCE,
        exp: now() + 86_400,
      })
      return `Bearer ${header}.${payload}.${signature}`
    },
  },
  {
    name: 'an expired token',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) => `Bearer ${await signOwn(f, s, { expiresIn: -60 })}`,
  },
  {
    name: 'a token not yet valid',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) => `Bearer ${await signOwn(f, s, { notBefore: 3600 })}`,
  },
  {
    name: 'a token without exp',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) => {
      const { subject, claims } = ownClaims(f, s)
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(subject)
        .setIssuer(env.JWT_ISSUER)
        .setAudience(env.JWT_AUDIENCE)
        .sign(encoder.encode(env.JWT_SECRET))
      return `Bearer ${token}`
    },
  },
  {
    name: 'alg: none',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) => {
      const { subject, claims } = ownClaims(f, s)
      const payload = {
        ...claims,
        sub: subject,
        iss: env.JWT_ISSUER,
        aud: env.JWT_AUDIENCE,
        exp: now() + 600,
      }
      return `Bearer ${base64Url({ alg: 'none', typ: 'JWT' })}.${base64Url(payload)}.`
    },
  },
  {
    name: 'an unexpected algorithm (HS512, right secret)',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) => {
      const { subject, claims } = ownClaims(f, s)
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS512' })
        .setSubject(subject)
        .setIssuer(env.JWT_ISSUER)
        .setAudience(env.JWT_AUDIENCE)
        .setExpirationTime(now() + 600)
        .sign(encoder.encode(env.JWT_SECRET))
      return `Bearer ${token}`
    },
  },
  {
    name: 'an unexpected algorithm (ES256, own key)',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) => {
      const { privateKey } = await generateKeyPair('ES256')
      const { subject, claims } = ownClaims(f, s)
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject(subject)
        .setIssuer(env.JWT_ISSUER)
        .setAudience(env.JWT_AUDIENCE)
        .setExpirationTime(now() + 600)
        .sign(privateKey)
      return `Bearer ${token}`
    },
  },
  {
    name: 'a wrong issuer',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) => `Bearer ${await signOwn(f, s, { issuer: 'https://evil.example/' })}`,
  },
  {
    name: 'a wrong audience',
    status: 401,
    surfaces: BOTH,
    header: async (f, s) => `Bearer ${await signOwn(f, s, { audience: 'another-api' })}`,
  },
  {
    name: 'a token of the other surface',
    status: 403,
    surfaces: BOTH,
    header: async (f, s) =>
      `Bearer ${s === 'client' ? await staffToken(f.companyId) : await userToken(f.userId)}`,
  },
  {
    name: 'a subject that is not a UUID',
    status: 401,
    surfaces: ['client'],
    header: async () => `Bearer ${await signToken('user-42')}`,
  },
  {
    name: 'an end-user token whose subject is not a UUID',
    status: 403,
    surfaces: ['business'],
    header: async () => `Bearer ${await signToken('user-42')}`,
  },
  {
    name: 'a company_id that is not a UUID',
    status: 401,
    surfaces: ['business'],
    header: async () => `Bearer ${await staffToken('company-42')}`,
  },
  {
    name: 'a company_id that is a number',
    status: 401,
    surfaces: ['business'],
    header: async () =>
      `Bearer ${await signToken(crypto.randomUUID(), { claims: { company_id: 42, roles: [STAFF_ANALYTICS_ROLE] } })}`,
  },
  {
    name: 'a staff token without the role',
    status: 403,
    surfaces: ['business'],
    header: async (f) =>
      `Bearer ${await signToken(crypto.randomUUID(), { claims: { company_id: f.companyId, roles: ['favorites:admin'] } })}`,
  },
  {
    name: 'a staff token whose roles is a string',
    status: 403,
    surfaces: ['business'],
    header: async (f) =>
      `Bearer ${await signToken(crypto.randomUUID(), { claims: { company_id: f.companyId, roles: STAFF_ANALYTICS_ROLE } })}`,
  },
]

let document: OpenApiDocument
let secured: Operation[]

beforeAll(async () => {
  document = await openApiDocument()
  secured = operationsOf(document).filter((operation) => operation.secured)
})

async function newFixture(): Promise<Fixture> {
  const userId = await createUser()
  const companyId = newCompanyId()
  const favourited = await createActivity({ companyId })
  const other = await createActivity({ companyId })
  await createFavorite(userId, favourited.id)
  return { userId, companyId, favourited: favourited.id, other: other.id }
}

/** Every row a request could touch for this fixture, in a stable order: compared before and after. */
async function snapshot(fixture: Fixture): Promise<unknown[]> {
  const result = await testDb.execute(sql`
    SELECT 'favorite' AS kind, f.id::text AS id, f.user_id::text AS owner, f.activity_id::text AS activity,
           f.created_at::text AS at
    FROM activities.user_activity_favorites f
    JOIN activities.activities a ON a.id = f.activity_id
    WHERE f.user_id = ${fixture.userId} OR a.company_id = ${fixture.companyId}
    UNION ALL
    SELECT 'activity', id::text, company_id::text, name, created_at::text
    FROM activities.activities WHERE company_id = ${fixture.companyId}
    UNION ALL
    SELECT 'user', id::text, NULL, NULL, created_at::text FROM users.users WHERE id = ${fixture.userId}
    ORDER BY 1, 2
  `)
  return result.rows
}

function requestFor(operation: Operation, fixture: Fixture) {
  return exampleRequest(document, operation, {
    path: fixture.favourited,
    body: fixture.other,
    query: [fixture.favourited, fixture.other],
  })
}

describe('auth matrix over /openapi.json', () => {
  it('finds the secured operations of both surfaces, each documenting 401 and 403', () => {
    const ids = secured.map((operation) => operation.operationId)
    expect(ids).toEqual(
      expect.arrayContaining([
        'createFavorite',
        'deleteFavorite',
        'getFavorite',
        'listFavorites',
        'getFavoriteStatuses',
        'getFavoriteAnalytics',
        'getFavoriteTimeseries',
      ]),
    )
    for (const operation of secured) {
      surfaceOf(operation)
      expect(operation.statuses, operation.operationId).toEqual(expect.arrayContaining([401, 403]))
    }
    // Unsecured operations are only the public ones.
    const open = operationsOf(document).filter((operation) => !operation.secured)
    expect(open.map((o) => o.template).sort()).toEqual(['/health'])
  })

  it('control: the same requests with a valid token of the surface succeed', async () => {
    for (const operation of secured) {
      const fixture = await newFixture()
      const surface = surfaceOf(operation)
      const token =
        surface === 'client' ? await userToken(fixture.userId) : await staffToken(fixture.companyId)
      const built = requestFor(operation, fixture)
      const response = await api(built.path, { method: operation.method, token, json: built.json })
      expect(response.status, `${operation.method} ${built.path}`).toBeLessThan(300)
    }
  })

  it.each(credentials)(
    '$name: $status problem on every operation it applies to, nothing changed',
    async (credential) => {
      const fixture = await newFixture()
      const before = await snapshot(fixture)
      let tried = 0
      for (const operation of secured) {
        const surface = surfaceOf(operation)
        if (!credential.surfaces.includes(surface)) continue
        const header = await credential.header(fixture, surface)
        const built = requestFor(operation, fixture)
        const response = await api(built.path, {
          method: operation.method,
          json: built.json,
          headers: header === undefined ? {} : { Authorization: header },
        })
        const where = `${operation.method} ${built.path} with ${credential.name}`
        expect(response.status, where).toBe(credential.status)
        const problem = await expectProblem(response, credential.status)
        expect(problem.type, where).toBe(
          credential.status === 401 ? 'urn:problem-type:unauthorized' : 'urn:problem-type:forbidden',
        )
        expect(response.headers.get('WWW-Authenticate'), where).toMatch(/^Bearer realm="activity-favorites"/)
        expect(await snapshot(fixture), `${where}: rows changed`).toEqual(before)
        tried++
      }
      expect(tried).toBe(
        secured.filter((operation) => credential.surfaces.includes(surfaceOf(operation))).length,
      )
      expect(tried).toBeGreaterThan(0)
    },
  )
})
