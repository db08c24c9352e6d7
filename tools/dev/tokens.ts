/**
 * Dev tokens for `npm run dev` and `npm run token`: minted by tools/auth/mint-token.ts with the JWT_SECRET,
 * JWT_ISSUER and JWT_AUDIENCE the local Worker verifies with.
 */
import { type MintedToken, mintStaffToken, mintUserToken, type TokenIssuer } from '../auth/mint-token'
import { DEMO } from './seed'
import type { Settings } from './settings'

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const DEFAULT_TTL_SECONDS = 24 * 60 * 60

export type TokenSubject =
  | { kind: 'user'; userId: string }
  | { kind: 'staff'; companyId: string; roles?: string[]; staffId?: string }

export type DevToken = MintedToken

export function signingSettings(settings: Settings): TokenIssuer {
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

export function mintDevToken(
  subject: TokenSubject,
  signing: TokenIssuer,
  ttlSeconds: number = DEFAULT_TTL_SECONDS,
): Promise<DevToken> {
  return subject.kind === 'user'
    ? mintUserToken(signing, subject.userId, ttlSeconds)
    : mintStaffToken(signing, subject.companyId, ttlSeconds, subject)
}

export interface DemoTokens {
  user: DevToken
  staff: DevToken
}

/** Tokens for the demo user and for staff of the first demo company, with the default lifetime. */
export async function mintDemoTokens(settings: Settings): Promise<DemoTokens> {
  const signing = signingSettings(settings)
  return {
    user: await mintDevToken({ kind: 'user', userId: DEMO.users[0] as string }, signing),
    staff: await mintDevToken({ kind: 'staff', companyId: DEMO.companies[0]?.id as string }, signing),
  }
}
