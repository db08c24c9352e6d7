/** Signed test tokens, made the way the identity provider makes them. */
import { env } from 'cloudflare:test'
import { type JWTPayload, SignJWT } from 'jose'
import { STAFF_ANALYTICS_ROLE } from '../../src/middleware/auth'

const secret = new TextEncoder().encode(env.JWT_SECRET)

export type TokenOptions = {
  claims?: JWTPayload
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number
  notBefore?: number
  issuer?: string
  audience?: string
  key?: Uint8Array
}

export async function signToken(subject: string, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const jwt = new SignJWT(options.claims ?? {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(options.issuer ?? env.JWT_ISSUER)
    .setAudience(options.audience ?? env.JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 600))
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore)
  return jwt.sign(options.key ?? secret)
}

export const userToken = (userId: string, options?: TokenOptions) => signToken(userId, options)

export const staffToken = (companyId: string, options: TokenOptions = {}) =>
  signToken(crypto.randomUUID(), {
    ...options,
    claims: { company_id: companyId, roles: [STAFF_ANALYTICS_ROLE], ...options.claims },
  })

/** An unsigned token (`alg: none`), which must always be refused. */
export function unsignedToken(subject: string): string {
  const encode = (value: object) =>
    btoa(JSON.stringify(value)).replaceAll('=', '').replaceAll('+', '-').replaceAll('/', '_')
  const now = Math.floor(Date.now() / 1000)
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
    sub: subject,
    iss: env.JWT_ISSUER,
    aud: env.JWT_AUDIENCE,
    exp: now + 600,
  })}.`
}
