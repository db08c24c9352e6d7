import { z } from 'zod'

/** Worker bindings: `[vars]` in wrangler.toml, secrets, and `.dev.vars` locally. */
export interface Env {
  DATABASE_URL: string
  /**
   * Optional: where the business surface (analytics) reads, such as a Neon read replica's connection string. The
   * client surface always uses DATABASE_URL, so the app reads its own writes. Unset = DATABASE_URL.
   */
  ANALYTICS_DATABASE_URL?: string
  /** Dev/test only: where the Neon driver sends SQL (the local Neon-protocol server). Unset = Neon itself. */
  NEON_HTTP_ENDPOINT?: string
  JWT_ISSUER: string
  JWT_AUDIENCE: string
  /** HS256 secret (dev and tests). */
  JWT_SECRET?: string
  /** The identity provider's JWKS endpoint (production). Takes precedence over JWT_SECRET. */
  JWKS_URL?: string
  /** Deadline for one fetch of the JWKS; past it the request answers 503. */
  JWKS_TIMEOUT_MS?: string
  /** Signs pagination cursors so a tampered or foreign cursor is refused. */
  CURSOR_SECRET?: string
  DB_TIMEOUT_MS?: string
  /** Days a removal marker is kept (at least 30: the changes feed's promise). */
  REMOVAL_MARKER_RETENTION_DAYS?: string
  /** Most removal markers one scheduled purge deletes. */
  REMOVAL_MARKER_PURGE_BATCH?: string
  /** Comma-separated list of allowed browser origins; empty = no CORS. */
  CORS_ORIGINS?: string
  /** Per-user request budget of the client surface (`[[ratelimits]]` in wrangler.toml). Unset = no limit. */
  CLIENT_RATE_LIMITER?: RateLimit
  /** Per-company request budget of the business surface. Unset = no limit. */
  BUSINESS_RATE_LIMITER?: RateLimit
  /** Static assets (Swagger UI's files), served before the Worker runs. */
  ASSETS?: Fetcher
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))

const PostgresUrlSchema = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')

const ConfigSchema = z
  .object({
    DATABASE_URL: PostgresUrlSchema,
    ANALYTICS_DATABASE_URL: optionalText.pipe(PostgresUrlSchema.optional()),
    NEON_HTTP_ENDPOINT: optionalText.pipe(z.url().optional()),
    JWT_ISSUER: z.string().min(1),
    JWT_AUDIENCE: z.string().min(1),
    JWT_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    JWKS_URL: optionalText.pipe(z.url().optional()),
    JWKS_TIMEOUT_MS: optionalText
      .transform((v) => (v === undefined ? 2000 : Number(v)))
      .pipe(z.number().int().min(100).max(30_000)),
    CURSOR_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    DB_TIMEOUT_MS: optionalText
      .transform((v) => (v === undefined ? 5000 : Number(v)))
      .pipe(z.number().int().min(100).max(60_000)),
    REMOVAL_MARKER_RETENTION_DAYS: optionalText
      .transform((v) => (v === undefined ? 30 : Number(v)))
      .pipe(z.number().int().min(30).max(3650)),
    REMOVAL_MARKER_PURGE_BATCH: optionalText
      .transform((v) => (v === undefined ? 10_000 : Number(v)))
      .pipe(z.number().int().min(1).max(100_000)),
    CORS_ORIGINS: optionalText.transform((v) =>
      v
        ? v
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean)
        : [],
    ),
  })
  .refine((c) => c.JWT_SECRET !== undefined || c.JWKS_URL !== undefined, {
    message: 'set JWKS_URL (production) or JWT_SECRET (dev and tests)',
    path: ['JWT_SECRET'],
  })
  .refine((c) => c.CURSOR_SECRET !== undefined || c.JWT_SECRET !== undefined, {
    message: 'set CURSOR_SECRET (required when JWT_SECRET is not set)',
    path: ['CURSOR_SECRET'],
  })

export type Config = z.infer<typeof ConfigSchema> & { cursorSecret: string }

// Bindings are fixed for an isolate's lifetime: parse them once per bindings object.
const parsed = new WeakMap<object, Config>()

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function loadConfig(env: Env): Config {
  const cached = parsed.get(env)
  if (cached) return cached
  const result = ConfigSchema.safeParse(env)
  if (!result.success) {
    // Stryker disable next-line StringLiteral: equivalent, every setting is a top-level binding (a path of one name)
    const issues = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new ConfigError(`invalid Worker configuration: ${issues}`)
  }
  const config: Config = {
    ...result.data,
    // Without a dedicated secret, derive the cursor key from the JWT secret (dev and tests).
    cursorSecret: result.data.CURSOR_SECRET ?? `cursor:${result.data.JWT_SECRET}`,
  }
  parsed.set(env, config)
  return config
}
