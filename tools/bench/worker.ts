/**
 * `wrangler dev` (workerd) for the benchmark, started the way tools/dev/launch.ts starts it: bindings as `--var`,
 * `CLOUDFLARE_CF_FETCH_ENABLED=false`, `WRANGLER_SEND_METRICS=false`, its own process group, stopped with SIGTERM
 * to the wrangler node process. Its local state (the Cache API store) goes to a temp dir, not `.wrangler/`.
 */
import { join } from 'node:path'
import { freePort } from '../free-port'
import { type Child, onCleanup, sleep, spawnChild } from './processes'

export const BENCH_JWT = {
  secret: 'benchmark-only-hs256-secret-0123456789abcdef',
  issuer: 'https://auth.example.com/',
  audience: 'activity-favorites-api',
}

export interface RunningWorker {
  baseUrl: string
  /** Milliseconds from spawning wrangler to the first 200 from `GET /health` (which runs `SELECT 1`). */
  startupMs: number
  stop(): Promise<void>
}

export async function startWorker(options: {
  root: string
  endpoint: string
  stateDir: string
  logFile: string
}): Promise<RunningWorker> {
  const port = await freePort()
  const vars: Record<string, string> = {
    DATABASE_URL: 'postgresql://app:app@db.localtest.me/app',
    NEON_HTTP_ENDPOINT: options.endpoint,
    JWT_SECRET: BENCH_JWT.secret,
    JWT_ISSUER: BENCH_JWT.issuer,
    JWT_AUDIENCE: BENCH_JWT.audience,
    // Empty = unset: a JWKS_URL or CURSOR_SECRET in a developer's .dev.vars must not change what is measured.
    JWKS_URL: '',
    CURSOR_SECRET: '',
    CORS_ORIGINS: '',
  }
  const args = [
    join(options.root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--show-interactive-dev-session=false',
    '--persist-to',
    options.stateDir,
    '--log-level',
    'warn',
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ]
  const started = performance.now()
  const child: Child = spawnChild(process.execPath, args, {
    cwd: options.root,
    logFile: options.logFile,
    env: {
      ...process.env,
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
      XDG_CONFIG_HOME: join(options.stateDir, 'config'),
    },
  })
  const stopNow = onCleanup('wrangler dev', () => child.stop())
  const baseUrl = `http://127.0.0.1:${port}`
  let exited = false
  void child.exited.then(() => {
    exited = true
  })
  const deadline = Date.now() + 90_000
  for (;;) {
    if (exited) {
      await stopNow()
      throw new Error(`wrangler dev exited during start-up; see ${options.logFile}`)
    }
    if (Date.now() > deadline) {
      await stopNow()
      throw new Error(`wrangler dev did not answer /health within 90 s; see ${options.logFile}`)
    }
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      if (response.status === 200) break
    } catch {
      // Not listening yet.
    }
    await sleep(20)
  }
  return { baseUrl, startupMs: Math.round(performance.now() - started), stop: stopNow }
}
