/**
 * `npm run dev`: the whole local stack in one command, offline, with nothing but `npm ci`.
 *
 * 1. Settings: wrangler.toml [vars] < .dev.vars < environment. Creates .dev.vars from .dev.vars.example (with a
 *    random JWT_SECRET) on the first run.
 * 2. The database (database-plan.ts), migrated and seeded with the demo data (idempotent; DEV_SEED=false skips).
 * 3. `wrangler dev` with the database and secret bindings as `--var` (they win over .dev.vars); once it answers
 *    /openapi.json, prints the URLs, demo ids, bearer tokens and a curl example (banner.ts).
 * 4. Ctrl-C / SIGTERM: SIGTERM to wrangler (which stops workerd), closes the local server, exits 0. If wrangler
 *    dies on its own, exits non-zero.
 */
import { existsSync } from 'node:fs'
import { sleep } from '../child-process'
import type { NeonLocalServer } from '../neon-local/server'
import { WRANGLER_BIN, type WranglerDev } from '../wrangler'
import { banner } from './banner'
import { prepareDatabase, startLocalServer } from './database'
import { planDatabase } from './database-plan'
import { LaunchError, log, warn } from './launch-log'
import { ensureDevVars, loadSettings } from './settings'
import { type DemoTokens, mintDemoTokens } from './tokens'
import { assertPortFree, parsePort, spawnDevWorker } from './worker'

const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000

/** What is running, so a signal or a failure at any step stops exactly that. */
interface Launch {
  server?: Promise<NeonLocalServer>
  worker?: WranglerDev
  stopping: boolean
  firstSignalAt: number
  /** Aborted on shutdown: stops waiting for wrangler. */
  abort: AbortController
}

async function shutdown(launch: Launch, code: number): Promise<never> {
  if (launch.stopping) return new Promise<never>(() => undefined)
  launch.stopping = true
  launch.abort.abort()
  const worker = launch.worker
  if (worker) {
    const stopped = worker.stop()
    const inTime = await Promise.race([
      worker.child.exited.then(() => true),
      sleep(STOP_TIMEOUT_MS).then(() => false),
    ])
    if (!inTime) warn(`wrangler did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`)
    await stopped
  }
  try {
    await (await launch.server)?.close()
  } catch (error) {
    warn(`closing the local database server: ${error instanceof Error ? error.message : String(error)}`)
  }
  process.exit(code)
}

function installSignalHandlers(launch: Launch): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (launch.stopping) {
      // A second Ctrl-C: stop waiting. (Ignore the echo of the first one: a terminal signals the whole process
      // group, and npm/tsx may forward it too.)
      if (Date.now() - launch.firstSignalAt < 1000) return
      warn(`${signal} again: killing wrangler`)
      launch.worker?.child.signal('SIGKILL', true)
      process.exit(1)
    }
    launch.firstSignalAt = Date.now()
    log(`${signal}: stopping`)
    void shutdown(launch, 0)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('exit', () => {
    // Last resort (an unexpected crash): never leave wrangler/workerd running.
    if (launch.worker && !launch.worker.child.hasExited()) launch.worker.child.signal('SIGTERM', true)
  })
}

async function launchStack(launch: Launch): Promise<void> {
  const started = Date.now()
  const created = ensureDevVars()
  if (created) log(created)
  const settings = loadSettings()
  const port = parsePort(settings.get('PORT'))
  await assertPortFree(port)
  if (!existsSync(WRANGLER_BIN)) throw new LaunchError('wrangler is not installed: run `npm ci` first')

  const plan = planDatabase(settings)
  launch.server = startLocalServer(plan)
  const endpoint = plan.kind === 'local' ? (await launch.server)?.url : plan.endpoint
  if (launch.stopping) return
  await prepareDatabase(plan, endpoint, settings)

  let tokens: DemoTokens | undefined
  if (settings.get('JWT_SECRET')) {
    tokens = await mintDemoTokens(settings)
    if (settings.get('JWKS_URL'))
      warn('JWKS_URL is set: the Worker verifies with it, so the tokens below fail')
  }
  if (launch.stopping) return

  log(`starting wrangler dev on 127.0.0.1:${port}`)
  const worker = spawnDevWorker(settings, port, plan.databaseUrl, endpoint)
  launch.worker = worker
  void worker.child.exited.then(({ code, signal, error }) => {
    if (launch.stopping) return
    console.error(
      error
        ? `[dev] could not start wrangler: ${error.message}`
        : `[dev] wrangler exited unexpectedly (${signal ?? `code ${code}`}); stopping`,
    )
    void shutdown(launch, code ? code : 1)
  })
  await worker
    .ready({ path: '/openapi.json', timeoutMs: READY_TIMEOUT_MS, pollMs: 250, signal: launch.abort.signal })
    .catch((error: unknown) => {
      throw launch.stopping || worker.child.hasExited()
        ? error
        : new LaunchError(error instanceof Error ? error.message : String(error))
    })

  const health = await fetch(`${worker.baseUrl}/health`, { signal: AbortSignal.timeout(10_000) }).then(
    async (r) => (r.ok ? undefined : `${r.status} ${await r.text()}`),
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  )
  if (health) warn(`GET /health did not answer 200: ${health}`)
  // Let wrangler print its log lines for those requests first, so the banner ends the output.
  await sleep(300)
  banner(worker.baseUrl, plan, endpoint, tokens)
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

async function main(): Promise<void> {
  const launch: Launch = { stopping: false, firstSignalAt: 0, abort: new AbortController() }
  installSignalHandlers(launch)
  try {
    await launchStack(launch)
  } catch (error) {
    // Stopping already (a signal, or wrangler's exit handler reported it).
    if (launch.stopping || launch.worker?.child.hasExited()) return
    console.error(
      `[dev] ${error instanceof LaunchError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    )
    void shutdown(launch, 1)
  }
}

void main()
