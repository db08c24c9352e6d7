/**
 * Dev tokens: HS256 JWTs shaped like the identity provider's (claims documented in src/middleware/auth.ts),
 * signed with the JWT_SECRET the local Worker verifies with. Shared by `npm run dev` and `npm run token`.
 */
import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import type { Settings } from './settings'

/** Same value as `STAFF_ANALYTICS_ROLE` in src/middleware/auth.ts (not imported: that module is Worker code). */
export const STAFF_ANALYTICS_ROLE = 'favorites:analytics'

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const DEFAULT_TTL_SECONDS = 24 * 60 * 60

export type TokenSubject =
  | { kind: 'user'; userId: string }
  | { kind: 'staff'; companyId: string; roles?: string[]; staffId?: string }

export interface SigningSettings {
  secret: string
  issuer: string
  audience: string
}

export interface DevToken {
  token: string
  claims: Record<string, unknown>
  expiresAt: Date
}

export function signingSettings(settings: Settings): SigningSettings {
  const secret = settings.get('JWT_SECRET')
  const issuer = settings.get('JWT_ISSUER')
  const audience = settings.get('JWT_AUDIENCE')
  if (!secret)
    throw new Error('JWT_SECRET is not set (in .dev.vars or the environment); `npm run dev` creates one')
  if (secret.length < 32)
    throw new Error('JWT_SECRET must be at least 32 characters (the Worker refuses shorter)')
  if (!issuer || !audience) throw new Error('JWT_ISSUER and JWT_AUDIENCE must be set (wrangler.toml [vars])')
  return { secret, issuer, audience }
}

export async function mintDevToken(
  subject: TokenSubject,
  signing: SigningSettings,
  ttlSeconds: number = DEFAULT_TTL_SECONDS,
): Promise<DevToken> {
  const now = Math.floor(Date.now() / 1000)
  const exp = now + ttlSeconds
  const claims: Record<string, unknown> =
    subject.kind === 'user'
      ? { sub: subject.userId }
      : {
          sub: subject.staffId ?? randomUUID(),
          company_id: subject.companyId,
          roles: subject.roles ?? [STAFF_ANALYTICS_ROLE],
        }
  const { sub, ...custom } = claims
  const token = await new SignJWT(custom)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(sub))
    .setIssuer(signing.issuer)
    .setAudience(signing.audience)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(signing.secret))
  return {
    token,
    claims: { ...claims, iss: signing.issuer, aud: signing.audience, iat: now, exp },
    expiresAt: new Date(exp * 1000),
  }
}
