/**
 * The Worker under test, two ways, with the same bindings:
 * - under Miniflare (miniflare-host.ts): the production bundle (`wrangler deploy --dry-run`) on workerd, requests
 *   straight to workerd's socket. The benchmark's main harness: it measures the Worker, not a dev proxy;
 * - under `wrangler dev`, through tools/wrangler.ts like `npm run dev` (its local state, the Cache API store, in a
 *   temp dir): kept for one comparison row of the end-to-end stage.
 * Each runs in a process group of its own, so its CPU can be read from /proc (process-cpu.ts).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { LOCAL_DATABASE_URL } from '../db/connect'
import { freePort } from '../free-port'
import { ROOT } from '../root'
import { runWrangler, spawnWranglerDev } from '../wrangler'
import { onCleanup } from './cleanup'
import { startScriptChild } from './script-child'

export const BENCH_JWT = {
  secret: 'benchmark-only-hs256-secret-0123456789abcdef',
  issuer: 'https://auth.example.com/',
  audience: 'activity-favorites-api',
}

export interface RunningWorker {
  baseUrl: string
  /** Milliseconds from spawning to the first 200 from `GET /health` (which runs `SELECT 1`). */
  startupMs: number
  /** Its output (removed with the run's work dir). */
  logFile: string
  /** Its process group: every process that serves it (wrangler's node and proxy included under `wrangler dev`). */
  processGroup: number
  stop(): Promise<void>
}

export interface WorkerOptions {
  endpoint: string
  logFile: string
  /** Where the analytics routes read (the replica stage); unset = DATABASE_URL. */
  analyticsDatabaseUrl?: string
  /** Opens workerd's V8 inspector on this port (Miniflare only). */
  inspectorPort?: number
}

/**
 * The project's wrangler.toml with request budgets no load test reaches (the load comes from a few sample users
 * and companies): the benchmark measures what the rate limiter costs, not its refusals. Written beside the
 * original, because wrangler resolves the config's paths (main, assets, aliases) from its folder; removed at exit.
 */
let benchConfigPath: string | undefined
function benchConfig(): string {
  if (benchConfigPath) return benchConfigPath
  const budgets = /simple = \{ limit = \d+,/g
  const source = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
  if (!budgets.test(source))
    throw new Error('wrangler.toml: no [[ratelimits]] budget to raise for the benchmark')
  const path = join(ROOT, `.bench-wrangler.${process.pid}.toml`)
  writeFileSync(path, source.replace(budgets, 'simple = { limit = 1000000000,'))
  onCleanup('bench wrangler config', () => rmSync(path, { force: true }))
  benchConfigPath = path
  return path
}

function bindings(options: WorkerOptions): Record<string, string> {
  return {
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
  }
}

/** Polls `url` until it answers 200; resolves with the milliseconds since `since`. */
async function firstOk(url: string, since: number, timeoutMs: number): Promise<number> {
  for (;;) {
    const response = await fetch(url).catch(() => undefined)
    await response?.body?.cancel()
    if (response?.status === 200) return Math.round(performance.now() - since)
    if (performance.now() - since > timeoutMs)
      throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function underMiniflare(
  name: string,
  host: {
    scriptPath: string
    configPath?: string
    bindings?: Record<string, string>
    inspectorPort?: number
  },
  readyPath: string,
  logFile: string,
): Promise<RunningWorker> {
  const spawnedAt = performance.now()
  const child = await startScriptChild(
    name,
    join(ROOT, 'tools', 'bench', 'miniflare-host.ts'),
    [JSON.stringify(host)],
    logFile,
  )
  try {
    const startupMs = await firstOk(`${child.url}${readyPath}`, spawnedAt, 90_000)
    return { baseUrl: child.url, startupMs, logFile, processGroup: child.processGroup, stop: child.stop }
  } catch (error) {
    await child.stop()
    throw error
  }
}

/** The API's production bundle (written by bundle.ts's `wrangler deploy --dry-run`) under Miniflare. */
export function startMiniflareWorker(bundleEntry: string, options: WorkerOptions): Promise<RunningWorker> {
  return underMiniflare(
    'Worker (Miniflare)',
    {
      scriptPath: bundleEntry,
      configPath: benchConfig(),
      bindings: bindings(options),
      ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
    },
    '/health',
    options.logFile,
  )
}

/** `wrangler deploy --dry-run` of `config` into `outdir`: the bundle a deploy of it would upload. */
async function dryRunBuild(workDir: string, config: string, outdir: string): Promise<void> {
  const build = await runWrangler(['deploy', '--dry-run', '--config', config, '--outdir', outdir], {
    env: { XDG_CONFIG_HOME: join(workDir, 'wrangler-config') },
  })
  if (build.status !== 0)
    throw new Error(`wrangler deploy --dry-run --config ${config} failed:\n${build.stderr}`)
}

/**
 * The harness's ceiling: tools/bench/workers/bare.ts (Hono answering "ok"), bundled by wrangler with the same
 * build settings (minified), under Miniflare.
 */
export async function startBareWorker(workDir: string, logFile: string): Promise<RunningWorker> {
  const outdir = join(workDir, 'bare-worker')
  const config = join(workDir, 'bare-worker.toml')
  writeFileSync(
    config,
    `name = "bare-worker"\nmain = ${JSON.stringify(join(ROOT, 'tools', 'bench', 'workers', 'bare.ts'))}\n` +
      'compatibility_date = "2026-05-03"\nminify = true\n',
  )
  await dryRunBuild(workDir, config, outdir)
  return underMiniflare('bare Worker (Miniflare)', { scriptPath: join(outdir, 'bare.js') }, '/', logFile)
}

/**
 * A bundle built as a deploy builds it (wrangler.toml's settings and aliases) of another entry module (`main`,
 * relative to the project; default the Worker's), optionally not minified so a profile keeps function names.
 */
export async function buildBundle(
  workDir: string,
  name: string,
  options: { main?: string; minify: boolean },
): Promise<string> {
  const outdir = join(workDir, `bundle-${name}`)
  let source = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
  if (!options.minify) source = source.replace(/^minify = true$/m, 'minify = false')
  if (options.main) source = source.replace(/^main = .*$/m, `main = ${JSON.stringify(options.main)}`)
  const config = join(ROOT, `.bench-wrangler-${name}.${process.pid}.toml`)
  writeFileSync(config, source)
  try {
    await dryRunBuild(workDir, config, outdir)
  } finally {
    rmSync(config, { force: true })
  }
  return join(outdir, options.main ? basename(options.main).replace(/\.ts$/, '.js') : 'index.js')
}

/** The ladder (tools/bench/workers/ladder.ts): the API's bundle with rungs beside it, minified as deployed. */
export async function startLadderWorker(workDir: string, options: WorkerOptions): Promise<RunningWorker> {
  const bundle = await buildBundle(workDir, 'ladder', { main: 'tools/bench/workers/ladder.ts', minify: true })
  return startMiniflareWorker(bundle, options)
}

/** The Worker under `wrangler dev` (source, not the bundle: what `npm run dev` runs). */
export async function startWranglerDevWorker(
  options: WorkerOptions & { stateDir: string },
): Promise<RunningWorker> {
  const wrangler = spawnWranglerDev({
    port: await freePort(),
    persistTo: options.stateDir,
    configPath: benchConfig(),
    logLevel: 'warn',
    vars: bindings(options),
    output: { kind: 'file', path: options.logFile },
    env: { XDG_CONFIG_HOME: join(options.stateDir, 'config') },
  })
  const stop = onCleanup('wrangler dev', () => wrangler.stop())
  try {
    const processGroup = wrangler.child.process.pid
    if (processGroup === undefined) throw new Error('wrangler dev: no pid')
    // Polled often: the start-up time is one of the figures.
    const startupMs = await wrangler.ready({ path: '/health', timeoutMs: 90_000, pollMs: 20 })
    return { baseUrl: wrangler.baseUrl, startupMs, logFile: options.logFile, processGroup, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
