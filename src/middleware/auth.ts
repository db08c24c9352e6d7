import { z } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import type { AppEnv } from '../app/types'
import { STAFF_ANALYTICS_ROLE } from '../contracts/claims'
import type { Config } from '../env'
import { BEARER_REALM } from '../problems/catalogue'
import { ProblemError } from '../problems/problem-error'

const Uuid = z.uuid()
const HMAC_ALGORITHMS = ['HS256']
const JWKS_ALGORITHMS = ['RS256', 'ES256', 'EdDSA']

// Per isolate: jose's remote key set caches keys and rate-limits refetches itself.
const remoteKeySets = new Map<string, JWTVerifyGetKey>()
const hmacKeys = new Map<string, JWTVerifyGetKey>()

function verificationKey(config: Config): { key: JWTVerifyGetKey; algorithms: string[] } {
  if (config.JWKS_URL) {
    let keySet = remoteKeySets.get(config.JWKS_URL)
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(config.JWKS_URL))
      remoteKeySets.set(config.JWKS_URL, keySet)
    }
    return { key: keySet, algorithms: JWKS_ALGORITHMS }
  }
  const secret = config.JWT_SECRET ?? ''
  let key = hmacKeys.get(secret)
  if (!key) {
    const bytes = new TextEncoder().encode(secret)
    key = async () => bytes
    hmacKeys.set(secret, key)
  }
  return { key, algorithms: HMAC_ALGORITHMS }
}

/** Verifies `Authorization: Bearer <JWT>` against the configured key source; throws a 401 problem. */
export async function verifyBearer(authorization: string | undefined, config: Config): Promise<JWTPayload> {
  if (!authorization) {
    // RFC 6750: no error code when the request simply carried no credentials.
    throw new ProblemError('unauthorized', 'A bearer token is required', {
      headers: { 'WWW-Authenticate': BEARER_REALM },
    })
  }
  // RFC 9110: the scheme name is case-insensitive.
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.]+)$/i.exec(authorization)
  if (!match?.[1]) throw new ProblemError('unauthorized', 'The Authorization header must be `Bearer <JWT>`')
  const { key, algorithms } = verificationKey(config)
  try {
    const verified = await jwtVerify(match[1], key, {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      algorithms,
      requiredClaims: ['sub', 'exp'],
    })
    return verified.payload
  } catch (error) {
    throw new ProblemError('unauthorized', describeJoseError(error))
  }
}

function describeJoseError(error: unknown): string {
  const code = (error as { code?: string }).code
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'The token has expired'
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `The token's claims are not valid here: ${(error as Error).message}`
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The token is signed with an algorithm this API does not accept'
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'The token signature is not valid'
    default:
      return 'The token is not a valid JWT'
  }
}

/** What the client surface's routes may read: the caller, `users.users.id`. */
export type EndUserEnv = AppEnv & { Variables: { userId: string } }
/** What the business surface's routes may read: the caller's company, which scopes every query. */
export type AnalyticsStaffEnv = AppEnv & { Variables: { companyId: string } }

/** Client surface: an end user's token. `userId` is the token's `sub`. */
export const requireEndUser = createMiddleware<EndUserEnv>(async (c, next) => {
  const claims = await verifyBearer(c.req.header('Authorization'), c.get('config'))
  if (claims.company_id !== undefined) {
    throw new ProblemError('forbidden', 'A company staff token cannot use the client API')
  }
  if (!Uuid.safeParse(claims.sub).success) {
    throw new ProblemError('unauthorized', 'The token subject must be a user id (UUID)')
  }
  c.set('userId', String(claims.sub).toLowerCase())
  await next()
})

/** Business surface: a company staff token with the analytics role. */
export const requireAnalyticsStaff = createMiddleware<AnalyticsStaffEnv>(async (c, next) => {
  const claims = await verifyBearer(c.req.header('Authorization'), c.get('config'))
  const companyId = claims.company_id
  if (companyId === undefined)
    throw new ProblemError('forbidden', 'An end-user token cannot use the business API')
  if (typeof companyId !== 'string' || !Uuid.safeParse(companyId).success) {
    throw new ProblemError('unauthorized', 'The token company_id claim must be a UUID')
  }
  const roles = Array.isArray(claims.roles) ? claims.roles : []
  if (!roles.includes(STAFF_ANALYTICS_ROLE)) {
    throw new ProblemError('forbidden', `The token lacks the ${STAFF_ANALYTICS_ROLE} role`)
  }
  c.set('companyId', companyId.toLowerCase())
  await next()
})
