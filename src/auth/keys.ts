/**
 * Where the keys that verify bearer tokens come from: the identity provider's JWKS (production) or the HS256 secret
 * (dev and tests). A key set that cannot be had is the provider's fault, not the token's: it surfaces as
 * `IdentityProviderUnavailable` (a 503), never as a refusal of the token (a 401).
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose'
import type { Config } from '../env'

const HMAC_ALGORITHMS = ['HS256']
const JWKS_ALGORITHMS = ['RS256', 'ES256', 'EdDSA']

// jose's defaults, spelled out because the README and the tests rely on them: keys are refetched when 10 minutes
// old, and a token with an unknown `kid` triggers at most one refetch per 30 s.
const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000
const JWKS_COOLDOWN_MS = 30_000

/** The key set could not be fetched: unreachable, non-200, past `JWKS_TIMEOUT_MS`, or not a JWKS. */
export class IdentityProviderUnavailable extends Error {
  override name = 'IdentityProviderUnavailable'
}

/**
 * Lookup failures that judge the token against a key set in hand: no key matches its `kid` (after jose's one
 * refetch), several do, or its `alg` cannot come from a key set. Every other failure is the key source's.
 */
const isTokenVerdict = (error: unknown) =>
  error instanceof errors.JWKSNoMatchingKey ||
  error instanceof errors.JWKSMultipleMatchingKeys ||
  error instanceof errors.JOSENotSupported

function remoteKeySet(url: string, timeoutMs: number): JWTVerifyGetKey {
  const keySet = createRemoteJWKSet(new URL(url), {
    timeoutDuration: timeoutMs,
    cooldownDuration: JWKS_COOLDOWN_MS,
    cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
  })
  return async (header, token) => {
    try {
      return await keySet(header, token)
    } catch (error) {
      // A network failure is a bare TypeError (or workerd's Error), a timeout JWKSTimeout, a non-200 or non-JSON
      // answer a plain JOSEError, a JSON answer that is no key set JWKSInvalid: all of them the provider's.
      if (isTokenVerdict(error)) throw error
      throw new IdentityProviderUnavailable('The identity provider key set is unavailable', { cause: error })
    }
  }
}

// Per isolate: jose's remote key set caches keys and rate-limits refetches itself.
const remoteKeySets = new Map<string, JWTVerifyGetKey>()
const hmacKeys = new Map<string, JWTVerifyGetKey>()

/** The key lookup and the algorithms it may serve, for the configured key source. */
export function verificationKey(config: Config): { key: JWTVerifyGetKey; algorithms: string[] } {
  if (config.JWKS_URL) {
    const cacheKey = `${config.JWKS_TIMEOUT_MS} ${config.JWKS_URL}`
    let keySet = remoteKeySets.get(cacheKey)
    if (!keySet) {
      keySet = remoteKeySet(config.JWKS_URL, config.JWKS_TIMEOUT_MS)
      remoteKeySets.set(cacheKey, keySet)
    }
    return { key: keySet, algorithms: JWKS_ALGORITHMS }
  }
  // Stryker disable next-line StringLiteral: unreachable, the settings refuse a config with neither JWKS_URL nor JWT_SECRET
  const secret = config.JWT_SECRET ?? ''
  let key = hmacKeys.get(secret)
  // Stryker disable next-line ConditionalExpression: equivalent, a cache; a new lookup imports an equal key.
  if (!key) {
    // Imported once per isolate: given raw bytes, jose would import the key again on every verification.
    const imported = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      // Stryker disable next-line BooleanLiteral: equivalent, nothing exports the key, extractable or not
      false,
      ['verify'],
    )
    key = () => imported
    hmacKeys.set(secret, key)
  }
  return { key, algorithms: HMAC_ALGORITHMS }
}
