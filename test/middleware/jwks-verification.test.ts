/** Production verification: RS256 tokens checked against the identity provider's JWKS, keys cached per isolate. */
import { env } from 'cloudflare:test'
import { importJWK, type JWK, SignJWT } from 'jose'
import { describe, expect, inject, it } from 'vitest'
import { loadConfig } from '../../src/env'
import { verifyBearer } from '../../src/middleware/auth'
import { ProblemError } from '../../src/problems/problem-error'
import { signToken } from '../support/tokens'

const jwks = inject('jwks')
const config = { ...loadConfig(env), JWKS_URL: jwks.url }

async function rs256Token(subject: string, kid = 'test-key-1') {
  const key = await importJWK(JSON.parse(jwks.privateJwk) as JWK, 'RS256')
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid })
    .setSubject(subject)
    .setIssuer(env.JWT_ISSUER)
    .setAudience(env.JWT_AUDIENCE)
    .setExpirationTime('10m')
    .sign(key)
}

const jwksRequests = async () =>
  ((await (await fetch(jwks.statsUrl)).json()) as { requests: number }).requests

async function refusal(authorization: string) {
  const error = await verifyBearer(authorization, config).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ProblemError)
  return (error as ProblemError).problem
}

describe('bearer verification with JWKS_URL', () => {
  it('accepts an RS256 token signed by a key of the JWKS, fetching the key set once per isolate', async () => {
    const subject = crypto.randomUUID()
    const claims = await verifyBearer(`Bearer ${await rs256Token(subject)}`, config)
    expect(claims.sub).toBe(subject)
    const before = await jwksRequests()
    await verifyBearer(`Bearer ${await rs256Token(crypto.randomUUID())}`, config)
    expect(await jwksRequests()).toBe(before)
  })

  it.each(['ES256', 'EdDSA'] as const)('accepts an %s token signed by a key of the JWKS', async (alg) => {
    const jwk = JSON.parse(jwks.privateJwkByAlgorithm[alg]) as JWK
    const subject = crypto.randomUUID()
    const token = await new SignJWT({})
      .setProtectedHeader({ alg, kid: jwk.kid })
      .setSubject(subject)
      .setIssuer(env.JWT_ISSUER)
      .setAudience(env.JWT_AUDIENCE)
      .setExpirationTime('10m')
      .sign(await importJWK(jwk, alg))
    expect((await verifyBearer(`Bearer ${token}`, config)).sub).toBe(subject)
  })

  it('refuses an HS256 token, even one signed with JWT_SECRET (no algorithm confusion)', async () => {
    const problem = await refusal(`Bearer ${await signToken(crypto.randomUUID())}`)
    expect(problem.status).toBe(401)
    expect(problem.detail).toMatch(/algorithm/)
  })

  it('refuses a token whose key id is not in the key set', async () => {
    const problem = await refusal(`Bearer ${await rs256Token(crypto.randomUUID(), 'unknown-key')}`)
    expect(problem.status).toBe(401)
    expect(problem.detail).toBe("The token's key id is not in the identity provider's key set")
  })
})
