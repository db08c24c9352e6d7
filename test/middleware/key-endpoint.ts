/**
 * Per-test key endpoints on the stand-in identity provider (test/jwks-server.ts), RS256 tokens for them, and the
 * Worker run with `JWKS_URL` pointing at one. Each endpoint is a URL no isolate has fetched, so jose's per-isolate
 * key cache starts empty for every test.
 */
import { env } from 'cloudflare:test'
import { generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose'
import { expect, inject } from 'vitest'
import { STAFF_ANALYTICS_ROLE } from '../../src/contracts/claims'
import type { JwksMode } from '../jwks-server'
import { directApi } from '../reliability/direct'
import type { ApiRequest } from '../support/api'

export const jwks = inject('jwks')

/** Short, so the slow cases wait 1 s; the production default is 2000. */
export const TEST_JWKS_TIMEOUT_MS = 1000

export type KeyEndpoint = {
  url: string
  setMode: (mode: JwksMode) => Promise<void>
  /** Key set requests this endpoint has received. */
  requests: () => Promise<number>
}

/** A fresh endpoint answering in `mode`; on the refusing port with `refused`. */
export async function keyEndpoint(mode: JwksMode, { refused = false } = {}): Promise<KeyEndpoint> {
  const name = crypto.randomUUID()
  const endpoint: KeyEndpoint = {
    url: `${refused ? jwks.refusedOrigin : jwks.origin}/jwks/${name}.json`,
    setMode: async (next) => {
      const response = await fetch(`${jwks.origin}/mode/${name}`, { method: 'PUT', body: next })
      expect(response.status).toBe(204)
    },
    requests: async () => {
      const response = await fetch(`${jwks.origin}/stats/${name}`)
      return ((await response.json()) as { requests: number }).requests
    },
  }
  await endpoint.setMode(mode)
  return endpoint
}

export type SigningKey = { privateJwk: string } | { key: CryptoKey }

export const firstKey: SigningKey = { privateJwk: jwks.privateJwk }
export const rotatedKey: SigningKey = { privateJwk: jwks.rotatedPrivateJwk }

/** A key the identity provider never published. */
export async function foreignKey(): Promise<SigningKey> {
  return { key: (await generateKeyPair('RS256')).privateKey }
}

async function signingKey(signer: SigningKey) {
  return 'key' in signer ? signer.key : importJWK(JSON.parse(signer.privateJwk) as JWK, 'RS256')
}

/** An RS256 token as the identity provider issues it; `kid` defaults to the key's own. */
export async function rs256Token(
  signer: SigningKey,
  options: { claims?: JWTPayload; kid?: string; subject?: string; expiresAt?: string | number } = {},
): Promise<string> {
  const ownKid = 'privateJwk' in signer ? (JSON.parse(signer.privateJwk) as JWK).kid : undefined
  return new SignJWT(options.claims ?? {})
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? ownKid ?? 'test-key-1' })
    .setSubject(options.subject ?? crypto.randomUUID())
    .setIssuer(env.JWT_ISSUER)
    .setAudience(env.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? '10m')
    .sign(await signingKey(signer))
}

export const staffClaims = (companyId: string = crypto.randomUUID()): JWTPayload => ({
  company_id: companyId,
  roles: [STAFF_ANALYTICS_ROLE],
})

/** The Worker's own fetch handler with `JWKS_URL` = `endpoint`; every response is checked against the document. */
export function workerWithKeys(
  endpoint: Pick<KeyEndpoint, 'url'>,
  path: string,
  request: ApiRequest = {},
): Promise<Response> {
  return directApi(path, request, {
    ...env,
    JWKS_URL: endpoint.url,
    JWKS_TIMEOUT_MS: String(TEST_JWKS_TIMEOUT_MS),
  })
}
