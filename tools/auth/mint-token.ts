/**
 * HS256 JWTs shaped like the identity provider's (claims: src/contracts/claims.ts), for the dev tools, the
 * benchmark and the tests. Runtime-neutral (only jose and web globals), so it also runs inside workerd.
 */
import { type JWTPayload, SignJWT } from 'jose'
import { STAFF_ANALYTICS_ROLE } from '../../src/contracts/claims'

/** What the Worker checks a token against: its HS256 secret, `iss` and `aud`. */
export interface TokenIssuer {
  secret: string | Uint8Array
  issuer: string
  audience: string
}

export interface MintOptions {
  /** Claims besides `sub`, `iss`, `aud`, `iat`, `exp` (those are set last, so they win). */
  claims?: JWTPayload
  /** Lifetime in seconds; negative for an already expired token. */
  ttlSeconds: number
  /** `nbf`, in seconds from now. */
  notBeforeSeconds?: number
}

export interface MintedToken {
  token: string
  /** The payload as signed. */
  claims: JWTPayload
  expiresAt: Date
}

export async function mintToken(
  issuer: TokenIssuer,
  subject: string,
  options: MintOptions,
): Promise<MintedToken> {
  const now = Math.floor(Date.now() / 1000)
  const exp = now + options.ttlSeconds
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(issuer.issuer)
    .setAudience(issuer.audience)
    .setIssuedAt(now)
    .setExpirationTime(exp)
  const nbf = options.notBeforeSeconds === undefined ? undefined : now + options.notBeforeSeconds
  if (nbf !== undefined) jwt.setNotBefore(nbf)
  const key = typeof issuer.secret === 'string' ? new TextEncoder().encode(issuer.secret) : issuer.secret
  return {
    token: await jwt.sign(key),
    claims: {
      sub: subject,
      ...options.claims,
      iss: issuer.issuer,
      aud: issuer.audience,
      iat: now,
      exp,
      ...(nbf === undefined ? {} : { nbf }),
    },
    expiresAt: new Date(exp * 1000),
  }
}

/** A company staff member's claims: the company, and the analytics role unless other roles are given. */
export const staffClaims = (companyId: string, roles: string[] = [STAFF_ANALYTICS_ROLE]): JWTPayload => ({
  company_id: companyId,
  roles,
})

/** An end user's token: `sub` = users.users.id, nothing else. */
export const mintUserToken = (issuer: TokenIssuer, userId: string, ttlSeconds: number) =>
  mintToken(issuer, userId, { ttlSeconds })

/** A company staff token; `sub` is the staff member (a random id unless given). */
export const mintStaffToken = (
  issuer: TokenIssuer,
  companyId: string,
  ttlSeconds: number,
  staff: { roles?: string[]; staffId?: string } = {},
) =>
  mintToken(issuer, staff.staffId ?? crypto.randomUUID(), {
    claims: staffClaims(companyId, staff.roles),
    ttlSeconds,
  })

/** An unsigned token (`alg: none`), which the Worker must always refuse. */
export function unsignedToken(
  issuer: Pick<TokenIssuer, 'issuer' | 'audience'>,
  subject: string,
  ttlSeconds = 600,
): string {
  const encode = (value: object) =>
    btoa(JSON.stringify(value)).replaceAll('=', '').replaceAll('+', '-').replaceAll('/', '_')
  const now = Math.floor(Date.now() / 1000)
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
    sub: subject,
    iss: issuer.issuer,
    aud: issuer.audience,
    exp: now + ttlSeconds,
  })}.`
}
