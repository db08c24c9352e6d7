import { z } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import { errors, type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose'
import type { AppEnv } from '../app/types'
import { IdentityProviderUnavailable, verificationKey } from '../auth/keys'
import { STAFF_ANALYTICS_ROLE } from '../contracts/claims'
import type { Config } from '../env'
import { logLine } from '../lib/log'
import { BEARER_REALM } from '../problems/catalogue'
import { ProblemError } from '../problems/problem-error'

const Uuid = z.uuid()

/**
 * Verifies `Authorization: Bearer <JWT>` against the configured key source. Throws a 401 problem for a bad token,
 * and a 503 `identity-provider-unavailable` problem (its `cause` the key source's failure) when the keys cannot be
 * had: the token may be fine, so the client must retry, not sign in again.
 */
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
  const jwt = match[1]
  const { key, algorithms } = verificationKey(config)
  const options: JWTVerifyOptions = {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    algorithms,
    requiredClaims: ['sub', 'exp'],
  }
  try {
    return (await jwtVerify(jwt, key, options)).payload
  } catch (error) {
    if (error instanceof errors.JWKSMultipleMatchingKeys) return verifyWithEach(jwt, error, options)
    throw refusal(error)
  }
}

/** Several keys of the set fit the token's header (e.g. a reused `kid` mid-rotation): the one that verifies wins. */
async function verifyWithEach(
  jwt: string,
  candidates: errors.JWKSMultipleMatchingKeys,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  for await (const candidate of candidates) {
    try {
      return (await jwtVerify(jwt, candidate, options)).payload
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) continue
      throw refusal(error)
    }
  }
  throw refusal(new errors.JWSSignatureVerificationFailed())
}

function refusal(error: unknown): ProblemError {
  if (error instanceof IdentityProviderUnavailable) {
    const problem = new ProblemError(
      'identity-provider-unavailable',
      'The identity provider cannot be reached to verify the token. Retry later.',
    )
    problem.cause = error
    return problem
  }
  return new ProblemError('unauthorized', describeJoseError(error))
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
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return "The token's key id is not in the identity provider's key set"
    default:
      return 'The token is not a valid JWT'
  }
}

/** What the client surface's routes may read: the caller, `users.users.id`. */
export type EndUserEnv = AppEnv & { Variables: { userId: string } }
/** What the business surface's routes may read: the caller's company, which scopes every query. */
export type AnalyticsStaffEnv = AppEnv & { Variables: { companyId: string } }

/** `verifyBearer` for a request; an unavailable identity provider is also logged, with the cause. */
async function authenticate(
  authorization: string | undefined,
  config: Config,
  requestId: string,
): Promise<JWTPayload> {
  try {
    return await verifyBearer(authorization, config)
  } catch (error) {
    if (error instanceof ProblemError && error.cause instanceof IdentityProviderUnavailable) {
      logLine('warn', 'identity provider unavailable', {
        requestId,
        error: describeCause(error.cause.cause),
      })
    }
    throw error
  }
}

function describeCause(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** Client surface: an end user's token. `userId` is the token's `sub`. */
export const requireEndUser = createMiddleware<EndUserEnv>(async (c, next) => {
  const claims = await authenticate(c.req.header('Authorization'), c.get('config'), c.get('requestId'))
  if (claims.company_id !== undefined) {
    throw new ProblemError('forbidden', 'A company staff token cannot use the client API')
  }
  if (!Uuid.safeParse(claims.sub).success) {
    throw new ProblemError('unauthorized', 'The token subject must be a user id (UUID)')
  }
  // Stryker disable next-line MethodExpression: equivalent, one case for every request is what counts (PostgreSQL compares UUIDs case-blind)
  c.set('userId', String(claims.sub).toLowerCase())
  await next()
})

/** Business surface: a company staff token with the analytics role. */
export const requireAnalyticsStaff = createMiddleware<AnalyticsStaffEnv>(async (c, next) => {
  const claims = await authenticate(c.req.header('Authorization'), c.get('config'), c.get('requestId'))
  const companyId = claims.company_id
  if (companyId === undefined)
    throw new ProblemError('forbidden', 'An end-user token cannot use the business API')
  // Stryker disable next-line ConditionalExpression: equivalent, a non-string fails the UUID check too
  if (typeof companyId !== 'string' || !Uuid.safeParse(companyId).success) {
    throw new ProblemError('unauthorized', 'The token company_id claim must be a UUID')
  }
  // Stryker disable next-line ArrayDeclaration: equivalent, any default without the role is refused alike
  const roles = Array.isArray(claims.roles) ? claims.roles : []
  if (!roles.includes(STAFF_ANALYTICS_ROLE)) {
    throw new ProblemError('forbidden', `The token lacks the ${STAFF_ANALYTICS_ROLE} role`)
  }
  // Stryker disable next-line MethodExpression: equivalent, as the userId's case above
  c.set('companyId', companyId.toLowerCase())
  await next()
})
