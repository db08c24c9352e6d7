/**
 * An identity-provider outage is not a logout: a key endpoint that is down, refusing, failing, too slow or talking
 * nonsense gives 503 + Retry-After on both surfaces, never 401. An unknown `kid` costs one refetch, then 401; a
 * rotated key verifies after one refetch.
 */
import { env } from 'cloudflare:test'
import { errors } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '../../src/env'
import { verifyBearer } from '../../src/middleware/auth'
import { problemTypeUri } from '../../src/problems/catalogue'
import { ProblemError } from '../../src/problems/problem-error'
import type { JwksMode } from '../jwks-server'
import { expectProblem } from '../support/api'
import { createUser } from '../support/database'
import { logLinesDuring } from '../support/logs'
import { signToken, unsignedToken } from '../support/tokens'
import {
  firstKey,
  foreignKey,
  type KeyEndpoint,
  keyEndpoint,
  rotatedKey,
  rs256Token,
  staffClaims,
  TEST_JWKS_TIMEOUT_MS,
  workerWithKeys,
} from './key-endpoint'

afterEach(() => {
  vi.useRealTimers()
})

/** Generous: this only proves no request waited for the stalled answer (30 s), not how fast the deadline fires. */
const MARGIN_MS = 5_000

type Fault = { name: string; mode: JwksMode; refused?: boolean; cause: (error: unknown) => boolean }

const isPlainJoseError = (error: unknown) =>
  error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC'

const faults: Fault[] = [
  // A closed connection or a refused port: fetch rejects (not a JOSEError at all).
  { name: 'down', mode: 'down', cause: (e) => e instanceof Error && !(e instanceof errors.JOSEError) },
  {
    name: 'refused',
    mode: 'ok',
    refused: true,
    cause: (e) => e instanceof Error && !(e instanceof errors.JOSEError),
  },
  { name: 'http-500', mode: 'http-500', cause: isPlainJoseError },
  { name: 'slow', mode: 'slow', cause: (e) => e instanceof errors.JWKSTimeout },
  { name: 'slow-body', mode: 'slow-body', cause: (e) => e instanceof errors.JWKSTimeout },
  { name: 'garbage', mode: 'garbage', cause: isPlainJoseError },
  { name: 'not-jwks', mode: 'not-jwks', cause: (e) => e instanceof errors.JWKSInvalid },
]

async function expectIdentityProviderUnavailable(response: Response) {
  const problem = await expectProblem(response, 503)
  expect(problem.type).toBe(problemTypeUri('identity-provider-unavailable'))
  expect(problem.detail).toBe('The identity provider cannot be reached to verify the token. Retry later.')
  expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0)
  // Not a refusal of the token: no challenge that would send the app back to sign-in.
  expect(response.headers.get('WWW-Authenticate')).toBeNull()
  // Nothing about the provider (its address, jose's wording) reaches the client.
  expect(JSON.stringify(problem)).not.toMatch(/127\.0\.0\.1|jwks\/|JSON Web Key|fetch failed|timeout/i)
}

/** One request per surface, concurrently: a client read, a client write, the business table. */
async function bothSurfaces(endpoint: KeyEndpoint) {
  const activityId = crypto.randomUUID()
  return Promise.all([
    workerWithKeys(endpoint, '/favorites', { token: await rs256Token(firstKey) }),
    workerWithKeys(endpoint, '/favorites', {
      method: 'POST',
      token: await rs256Token(firstKey),
      json: { activityId },
    }),
    workerWithKeys(endpoint, '/analytics/favorites', {
      token: await rs256Token(firstKey, { claims: staffClaims() }),
    }),
  ])
}

const configFor = (endpoint: KeyEndpoint) => ({
  ...loadConfig(env),
  JWKS_URL: endpoint.url,
  JWKS_TIMEOUT_MS: TEST_JWKS_TIMEOUT_MS,
})

async function refusal(endpoint: KeyEndpoint, token: string) {
  const error = await verifyBearer(`Bearer ${token}`, configFor(endpoint)).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ProblemError)
  return error as ProblemError
}

describe('when the identity provider fails', () => {
  it.each(faults)(
    'answers 503 + Retry-After on both surfaces when it is $name, within the deadline',
    async ({ mode, refused }) => {
      const endpoint = await keyEndpoint(mode, { refused })
      const started = Date.now()
      for (const response of await bothSurfaces(endpoint)) await expectIdentityProviderUnavailable(response)
      expect(Date.now() - started).toBeLessThan(TEST_JWKS_TIMEOUT_MS + MARGIN_MS)
    },
    20_000,
  )

  it.each(faults)(
    'maps $name to the identity-provider problem, with jose’s error as the cause',
    async (fault) => {
      const endpoint = await keyEndpoint(fault.mode, { refused: fault.refused })
      const error = await refusal(endpoint, await rs256Token(firstKey))
      expect(error.problem).toMatchObject({ type: 'identity-provider-unavailable', status: 503 })
      // The chain a log or a debugger sees: the key set's failure, then jose's (or the network's) error.
      expect(error.cause).toMatchObject({
        name: 'IdentityProviderUnavailable',
        message: 'The identity provider key set is unavailable',
      })
      const cause = (error.cause as Error | undefined)?.cause
      expect(fault.cause(cause), String(cause)).toBe(true)
    },
  )

  it.each(faults.filter((f) => !f.refused))(
    'does not remember the failure: once $name is over, the same endpoint serves its keys',
    async ({ mode }) => {
      const endpoint = await keyEndpoint(mode)
      const token = await rs256Token(firstKey, { claims: staffClaims() })
      await expectIdentityProviderUnavailable(
        await workerWithKeys(endpoint, '/analytics/favorites', { token }),
      )
      await endpoint.setMode('ok')
      expect((await workerWithKeys(endpoint, '/analytics/favorites', { token })).status).toBe(200)
      const subject = await createUser()
      const user = await workerWithKeys(endpoint, '/favorites', {
        token: await rs256Token(firstKey, { subject }),
      })
      expect(user.status).toBe(200)
    },
    20_000,
  )

  it('still refuses, without asking the provider, a token it can judge alone (malformed, HS256, alg none)', async () => {
    const endpoint = await keyEndpoint('down')
    const hs256 = await signToken(crypto.randomUUID())
    for (const token of ['not.a.jwt', hs256, unsignedToken(crypto.randomUUID())]) {
      expect((await refusal(endpoint, token)).problem.status, token).toBe(401)
    }
    expect(await endpoint.requests()).toBe(0)
  })

  it.each([
    ['/favorites', {}],
    ['/analytics/favorites', staffClaims()],
  ])('logs a warning naming the cause, with the request id (%s)', async (path, claims) => {
    const endpoint = await keyEndpoint('http-500')
    let response: Response | undefined
    const lines = await logLinesDuring('log', async () => {
      response = await workerWithKeys(endpoint, path, { token: await rs256Token(firstKey, { claims }) })
    })
    if (!response) throw new Error('no response')
    await expectIdentityProviderUnavailable(response)
    expect(lines.filter((line) => line.msg === 'identity provider unavailable')).toEqual([
      {
        level: 'warn',
        msg: 'identity provider unavailable',
        requestId: response.headers.get('X-Request-Id'),
        error: expect.stringMatching(/Expected 200 OK/),
      },
    ])
  })
})

/** Past jose's cooldown (30 s after the last fetch), when a token with an unknown `kid` may trigger a refetch. */
function afterCooldown() {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(Date.now() + 31_000)
}

describe('key rotation and unknown key ids', () => {
  it('refuses an unknown kid with 401 after exactly one refetch, and does not refetch again within the cooldown', async () => {
    const endpoint = await keyEndpoint('ok')
    await verifyBearer(`Bearer ${await rs256Token(firstKey)}`, configFor(endpoint))
    expect(await endpoint.requests()).toBe(1)

    afterCooldown()
    const unknown = await refusal(endpoint, await rs256Token(firstKey, { kid: 'unknown-key' }))
    expect(unknown.problem).toMatchObject({ type: 'unauthorized', status: 401 })
    expect(unknown.problem.headers['WWW-Authenticate']).toContain('invalid_token')
    expect(await endpoint.requests()).toBe(2)

    // A flood of made-up key ids costs the provider nothing more.
    for (const kid of ['other-1', 'other-2', 'other-3']) {
      expect((await refusal(endpoint, await rs256Token(firstKey, { kid }))).problem.status).toBe(401)
    }
    expect(await endpoint.requests()).toBe(2)
  })

  it('answers an unknown kid through the Worker with 401 on both surfaces, never 503', async () => {
    const endpoint = await keyEndpoint('ok')
    const user = await workerWithKeys(endpoint, '/favorites', {
      token: await rs256Token(firstKey, { kid: 'unknown-key' }),
    })
    await expectProblem(user, 401)
    const staff = await workerWithKeys(endpoint, '/analytics/favorites', {
      token: await rs256Token(firstKey, { kid: 'unknown-key', claims: staffClaims() }),
    })
    await expectProblem(staff, 401)
    expect(staff.headers.get('WWW-Authenticate')).toContain('invalid_token')
  })

  it('verifies a token signed with a rotated-in key after exactly one refetch, then from the cache', async () => {
    const endpoint = await keyEndpoint('ok')
    const before = await workerWithKeys(endpoint, '/analytics/favorites', {
      token: await rs256Token(firstKey, { claims: staffClaims() }),
    })
    expect(before.status).toBe(200)
    expect(await endpoint.requests()).toBe(1)

    await endpoint.setMode('rotate')
    afterCooldown()
    for (let i = 0; i < 3; i++) {
      const response = await workerWithKeys(endpoint, '/analytics/favorites', {
        token: await rs256Token(rotatedKey, { claims: staffClaims() }),
      })
      expect(response.status).toBe(200)
    }
    const subject = await createUser()
    const user = await workerWithKeys(endpoint, '/favorites', {
      token: await rs256Token(rotatedKey, { subject }),
    })
    expect(user.status).toBe(200)
    // The old key still verifies: both are in the refetched set.
    await verifyBearer(`Bearer ${await rs256Token(firstKey)}`, configFor(endpoint))
    expect(await endpoint.requests()).toBe(2)
  })

  it('an unknown kid during an outage is the provider’s problem (503): the token may carry a rotated-in key', async () => {
    const endpoint = await keyEndpoint('ok')
    await verifyBearer(`Bearer ${await rs256Token(firstKey)}`, configFor(endpoint))
    await endpoint.setMode('http-500')
    afterCooldown()
    const error = await refusal(endpoint, await rs256Token(rotatedKey))
    expect(error.problem.type).toBe('identity-provider-unavailable')
    // Known keys keep working from the cache meanwhile.
    await verifyBearer(`Bearer ${await rs256Token(firstKey)}`, configFor(endpoint))
    expect(await endpoint.requests()).toBe(2)
  })

  it('tries each key when several share the kid: the one that verifies wins, none is a 401', async () => {
    const endpoint = await keyEndpoint('duplicate-kid')
    const claims = await verifyBearer(
      `Bearer ${await rs256Token(rotatedKey, { kid: 'test-key-1' })}`,
      configFor(endpoint),
    )
    expect(claims.sub).toBeDefined()
    await verifyBearer(`Bearer ${await rs256Token(firstKey)}`, configFor(endpoint))
    const forged = await refusal(endpoint, await rs256Token(await foreignKey(), { kid: 'test-key-1' }))
    expect(forged.problem).toMatchObject({ status: 401, detail: 'The token signature is not valid' })
    const expired = await refusal(
      endpoint,
      await rs256Token(rotatedKey, { kid: 'test-key-1', expiresAt: Math.floor(Date.now() / 1000) - 60 }),
    )
    expect(expired.problem).toMatchObject({ status: 401, detail: 'The token has expired' })
    expect(await endpoint.requests()).toBe(1)
  })
})

describe('JWKS_TIMEOUT_MS', () => {
  it('defaults to 2000 ms and must be 100..30000', () => {
    expect(loadConfig({ ...env, JWKS_TIMEOUT_MS: undefined }).JWKS_TIMEOUT_MS).toBe(2000)
    expect(loadConfig({ ...env, JWKS_TIMEOUT_MS: '750' }).JWKS_TIMEOUT_MS).toBe(750)
    for (const bad of ['50', '30001', '1.5', 'soon']) {
      expect(() => loadConfig({ ...env, JWKS_TIMEOUT_MS: bad }), bad).toThrow(/JWKS_TIMEOUT_MS/)
    }
  })
})
