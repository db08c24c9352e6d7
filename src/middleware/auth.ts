import { createMiddleware } from 'hono/factory'
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import type { Config } from '../env'
import type { AppEnv } from '../lib/app'
import { ProblemError } from '../lib/problem'

/**
 * Token claims (documented in the README):
 * - end user: `sub` = `users.users.id` (UUID), no `company_id`.
 * - company staff: `company_id` (UUID) and `roles` containing `favorites:analytics`; `sub` is the staff member.
 */
export const STAFF_ANALYTICS_ROLE = 'favorites:analytics'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
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

const unauthorized = (detail: string) =>
  new ProblemError({
    status: 401,
    type: 'unauthorized',
    title: 'Unauthorized',
    detail,
    headers: { 'WWW-Authenticate': `Bearer realm="activity-favorites", error="invalid_token"` },
  })

const forbidden = (detail: string) =>
  new ProblemError({
    status: 403,
    type: 'forbidden',
    title: 'Forbidden',
    detail,
    headers: { 'WWW-Authenticate': `Bearer realm="activity-favorites", error="insufficient_scope"` },
  })

/** Verifies `Authorization: Bearer <JWT>` against the configured key source; throws a 401 problem. */
export async function verifyBearer(authorization: string | undefined, config: Config): Promise<JWTPayload> {
  if (!authorization) {
    // RFC 6750: no error code when the request simply carried no credentials.
    throw new ProblemError({
      status: 401,
      type: 'unauthorized',
      title: 'Unauthorized',
      detail: 'A bearer token is required',
      headers: { 'WWW-Authenticate': 'Bearer realm="activity-favorites"' },
    })
  }
  // RFC 9110: the scheme name is case-insensitive.
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.]+)$/i.exec(authorization)
  if (!match?.[1]) throw unauthorized('The Authorization header must be `Bearer <JWT>`')
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
    throw unauthorized(describeJoseError(error))
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

/** Client surface: an end user's token. `userId` is the token's `sub`. */
export const requireEndUser = createMiddleware<AppEnv>(async (c, next) => {
  const claims = await verifyBearer(c.req.header('Authorization'), c.get('config'))
  if (claims.company_id !== undefined) throw forbidden('A company staff token cannot use the client API')
  if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) {
    throw unauthorized('The token subject must be a user id (UUID)')
  }
  c.set('userId', claims.sub.toLowerCase())
  await next()
})

/** Business surface: a company staff token with the analytics role. `companyId` scopes every query. */
export const requireAnalyticsStaff = createMiddleware<AppEnv>(async (c, next) => {
  const claims = await verifyBearer(c.req.header('Authorization'), c.get('config'))
  const companyId = claims.company_id
  if (companyId === undefined) throw forbidden('An end-user token cannot use the business API')
  if (typeof companyId !== 'string' || !UUID.test(companyId)) {
    throw unauthorized('The token company_id claim must be a UUID')
  }
  const roles = Array.isArray(claims.roles) ? claims.roles : []
  if (!roles.includes(STAFF_ANALYTICS_ROLE))
    throw forbidden(`The token lacks the ${STAFF_ANALYTICS_ROLE} role`)
  c.set('companyId', companyId.toLowerCase())
  await next()
})
