/** Signed test tokens, made the way the identity provider makes them (tools/auth/mint-token.ts). */
import { env } from 'cloudflare:test'
import type { JWTPayload } from 'jose'
import { STAFF_ANALYTICS_ROLE } from '../../src/contracts/claims'
import { mintToken, unsignedToken as mintUnsignedToken } from '../../tools/auth/mint-token'

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
  const issuer = {
    secret: options.key ?? env.JWT_SECRET ?? '',
    issuer: options.issuer ?? env.JWT_ISSUER,
    audience: options.audience ?? env.JWT_AUDIENCE,
  }
  const minted = await mintToken(issuer, subject, {
    claims: options.claims,
    ttlSeconds: options.expiresIn ?? 600,
    notBeforeSeconds: options.notBefore,
  })
  return minted.token
}

export const userToken = (userId: string, options?: TokenOptions) => signToken(userId, options)

export const staffToken = (companyId: string, options: TokenOptions = {}) =>
  signToken(crypto.randomUUID(), {
    ...options,
    claims: { company_id: companyId, roles: [STAFF_ANALYTICS_ROLE], ...options.claims },
  })

/** An unsigned token (`alg: none`), which must always be refused. */
export const unsignedToken = (subject: string): string =>
  mintUnsignedToken({ issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE }, subject)
