/** The Worker under `wrangler dev` (tools/wrangler.ts) on 127.0.0.1:PORT, its output on this terminal. */
import { createServer } from 'node:net'
import { spawnWranglerDev, type WranglerDev } from '../wrangler'
import { LaunchError } from './launch-log'
import { type Settings, WORKER_SETTINGS } from './settings'

export function parsePort(value: string | undefined): number {
  const port = Number(value ?? '8787')
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new LaunchError(`PORT must be 1-65535, not "${value}"`)
  return port
}

export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LaunchError(`port ${port} is in use (another npm run dev?). Stop it or set PORT=...`)
          : error,
      ),
    )
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort()))
  })
}

/** The bindings this launcher decides, passed as `--var`: wrangler lets them win over .dev.vars. */
function workerVars(
  settings: Settings,
  databaseUrl: string,
  endpoint: string | undefined,
): Record<string, string> {
  const values = new Map<string, string>([
    ['DATABASE_URL', databaseUrl],
    // Passed even when empty, so a stale NEON_HTTP_ENDPOINT in .dev.vars cannot point the Worker elsewhere.
    ['NEON_HTTP_ENDPOINT', endpoint ?? ''],
  ])
  for (const name of WORKER_SETTINGS) {
    if (values.has(name)) continue
    const value = settings.get(name)
    // JWT_SECRET always (the printed tokens are signed with it); the rest when the environment overrides
    // .dev.vars / wrangler.toml, which wrangler reads itself.
    if (name === 'JWT_SECRET' ? value !== undefined : settings.source(name) === 'environment') {
      values.set(name, value ?? '')
    }
  }
  return Object.fromEntries(values)
}

export function spawnDevWorker(
  settings: Settings,
  port: number,
  databaseUrl: string,
  endpoint: string | undefined,
): WranglerDev {
  return spawnWranglerDev({
    port,
    vars: workerVars(settings, databaseUrl, endpoint),
    output: { kind: 'inherit' },
  })
}
