/**
 * `wrangler dev` (workerd) for the benchmark, through tools/wrangler.ts like `npm run dev`, with every binding
 * fixed as `--var`. Its local state (the Cache API store) goes to a temp dir, not `.wrangler/`.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LOCAL_DATABASE_URL } from '../db/connect'
import { freePort } from '../free-port'
import { ROOT } from '../root'
import { spawnWranglerDev } from '../wrangler'
import { onCleanup } from './cleanup'

export const BENCH_JWT = {
  secret: 'benchmark-only-hs256-secret-0123456789abcdef',
  issuer: 'https://auth.example.com/',
  audience: 'activity-favorites-api',
}

export interface RunningWorker {
  baseUrl: string
  /** Milliseconds from spawning wrangler to the first 200 from `GET /health` (which runs `SELECT 1`). */
  startupMs: number
  /** wrangler's output (removed with the run's work dir). */
  logFile: string
  stop(): Promise<void>
}

/**
 * The project's wrangler.toml with request budgets no load test reaches (the load comes from a few sample users
 * and companies): the benchmark measures what the rate limiter costs, not its refusals. Written beside the
 * original, because wrangler resolves the config's paths (main, assets, aliases) from its folder; removed at exit.
 */
function benchConfig(): string {
  const budgets = /simple = \{ limit = \d+,/g
  const source = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
  if (!budgets.test(source))
    throw new Error('wrangler.toml: no [[ratelimits]] budget to raise for the benchmark')
  const path = join(ROOT, `.bench-wrangler.${process.pid}.toml`)
  writeFileSync(path, source.replace(budgets, 'simple = { limit = 1000000000,'))
  onCleanup('bench wrangler config', () => rmSync(path, { force: true }))
  return path
}

export async function startWorker(options: {
  endpoint: string
  stateDir: string
  logFile: string
  /** Where the analytics routes read (the replica stage); unset = DATABASE_URL. */
  analyticsDatabaseUrl?: string
}): Promise<RunningWorker> {
  const wrangler = spawnWranglerDev({
    port: await freePort(),
    persistTo: options.stateDir,
    configPath: benchConfig(),
    logLevel: 'warn',
    vars: {
      DATABASE_URL: LOCAL_DATABASE_URL,
      ANALYTICS_DATABASE_URL: options.analyticsDatabaseUrl ?? '',
      NEON_HTTP_ENDPOINT: options.endpoint,
      JWT_SECRET: BENCH_JWT.secret,
      JWT_ISSUER: BENCH_JWT.issuer,
      JWT_AUDIENCE: BENCH_JWT.audience,
      // Empty = unset: a JWKS_URL or CURSOR_SECRET in a developer's .dev.vars must not change what is measured.
      JWKS_URL: '',
      CURSOR_SECRET: '',
      CORS_ORIGINS: '',
    },
    output: { kind: 'file', path: options.logFile },
    env: { XDG_CONFIG_HOME: join(options.stateDir, 'config') },
  })
  const stop = onCleanup('wrangler dev', () => wrangler.stop())
  try {
    // Polled often: the start-up time is one of the figures.
    const startupMs = await wrangler.ready({ path: '/health', timeoutMs: 90_000, pollMs: 20 })
    return { baseUrl: wrangler.baseUrl, startupMs, logFile: options.logFile, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
