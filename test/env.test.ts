/** The Worker's settings as `loadConfig` reads its bindings: defaults, trimming, and what a deploy must set. */
import { describe, expect, it } from 'vitest'
import { ConfigError, type Env, loadConfig } from '../src/env'

const SECRET = 'a-test-secret-of-at-least-32-characters'
const CURSOR_SECRET = 'another-secret-for-cursors-only-0123456789'

/** The fewest bindings a Worker starts with (dev and tests: the HS256 secret). */
const minimal = (overrides: Partial<Record<keyof Env, string>> = {}): Env =>
  ({
    DATABASE_URL: 'postgresql://app:app@db.localtest.me/app',
    JWT_ISSUER: 'https://auth.example.com/',
    JWT_AUDIENCE: 'activity-favorites-api',
    JWT_SECRET: SECRET,
    ...overrides,
  }) as Env

function refusal(env: Env): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('the configuration was accepted')
}

describe('loadConfig', () => {
  it('fills the documented defaults', () => {
    expect(loadConfig(minimal())).toMatchObject({
      JWKS_TIMEOUT_MS: 2000,
      DB_TIMEOUT_MS: 5000,
      REMOVAL_MARKER_RETENTION_DAYS: 30,
      REMOVAL_MARKER_PURGE_BATCH: 10_000,
      CORS_ORIGINS: [],
      cursorSecret: `cursor:${SECRET}`,
    })
  })

  it('parses the same bindings once: the second call returns the same object', () => {
    const env = minimal()
    expect(loadConfig(env)).toBe(loadConfig(env))
  })

  it('trims values, and reads a blank one as unset', () => {
    const config = loadConfig(
      minimal({
        JWKS_URL: ' https://auth.example.com/.well-known/jwks.json ',
        DB_TIMEOUT_MS: ' 1500 ',
        CURSOR_SECRET: '   ',
        CORS_ORIGINS: ' https://a.example , https://b.example,, ',
      }),
    )
    expect(config.JWKS_URL).toBe('https://auth.example.com/.well-known/jwks.json')
    expect(config.DB_TIMEOUT_MS).toBe(1500)
    expect(config.CURSOR_SECRET).toBeUndefined()
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example'])
    // A secret pasted with a space around it signs and verifies with the secret itself.
    const secrets = loadConfig(minimal({ JWT_SECRET: `  ${SECRET} `, CURSOR_SECRET: `${CURSOR_SECRET}\n` }))
    expect([secrets.JWT_SECRET, secrets.cursorSecret]).toEqual([SECRET, CURSOR_SECRET])
  })

  it('reads the numeric settings it is given', () => {
    expect(
      loadConfig(
        minimal({
          JWKS_TIMEOUT_MS: '750',
          DB_TIMEOUT_MS: '2500',
          REMOVAL_MARKER_RETENTION_DAYS: '90',
          REMOVAL_MARKER_PURGE_BATCH: '500',
        }),
      ),
    ).toMatchObject({
      JWKS_TIMEOUT_MS: 750,
      DB_TIMEOUT_MS: 2500,
      REMOVAL_MARKER_RETENTION_DAYS: 90,
      REMOVAL_MARKER_PURGE_BATCH: 500,
    })
  })

  it('uses CURSOR_SECRET for cursors when it is set', () => {
    expect(loadConfig(minimal({ CURSOR_SECRET })).cursorSecret).toBe(CURSOR_SECRET)
  })

  it('production (JWKS_URL, no JWT_SECRET) needs CURSOR_SECRET', () => {
    const jwks = 'https://auth.example.com/.well-known/jwks.json'
    const error = refusal(minimal({ JWT_SECRET: undefined, JWKS_URL: jwks }))
    expect(error.name).toBe('ConfigError')
    expect(error.message).toBe(
      'invalid Worker configuration: CURSOR_SECRET: set CURSOR_SECRET (required when JWT_SECRET is not set)',
    )
    const config = loadConfig(minimal({ JWT_SECRET: undefined, JWKS_URL: jwks, CURSOR_SECRET }))
    expect(config).toMatchObject({ JWKS_URL: jwks, JWT_SECRET: undefined, cursorSecret: CURSOR_SECRET })
  })

  it('takes postgres:// and postgresql:// database URLs, and nothing else', () => {
    for (const url of ['postgres://app:app@db.example/app', 'postgresql://app:app@db.example/app']) {
      expect(loadConfig(minimal({ DATABASE_URL: url, ANALYTICS_DATABASE_URL: url }))).toMatchObject({
        DATABASE_URL: url,
        ANALYTICS_DATABASE_URL: url,
      })
    }
    for (const url of ['https://db.example/app', 'xpostgres://db.example/app', 'postgresql:db.example']) {
      expect(refusal(minimal({ DATABASE_URL: url })).message).toBe(
        'invalid Worker configuration: DATABASE_URL: must be a postgres:// or postgresql:// URL',
      )
    }
  })

  it('refuses a short CURSOR_SECRET', () => {
    expect(refusal(minimal({ CURSOR_SECRET: 'short' })).message).toBe(
      'invalid Worker configuration: CURSOR_SECRET: must be at least 32 characters',
    )
  })

  it('refuses invalid bindings, naming every issue, a missing key source included', () => {
    const error = refusal(minimal({ JWT_SECRET: 'too-short', DB_TIMEOUT_MS: '50' }))
    expect(error.message).toMatch(/^invalid Worker configuration: /)
    expect(error.message).toContain('JWT_SECRET: must be at least 32 characters')
    expect(error.message).toContain('; DB_TIMEOUT_MS: ')
    expect(refusal(minimal({ JWT_SECRET: undefined })).message).toBe(
      'invalid Worker configuration: JWT_SECRET: set JWKS_URL (production) or JWT_SECRET (dev and tests); ' +
        'CURSOR_SECRET: set CURSOR_SECRET (required when JWT_SECRET is not set)',
    )
  })
})
