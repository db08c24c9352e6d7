/**
 * `npm run dev`: the whole local stack in one command, offline, with nothing but `npm ci`.
 *
 * 1. Settings: wrangler.toml [vars] < .dev.vars < environment. Creates .dev.vars from .dev.vars.example (with a
 *    random JWT_SECRET) on the first run.
 * 2. Database, by the first matching rule:
 *    - DATABASE_URL on a `*.neon.tech` host: the Worker talks to Neon itself; no local server.
 *    - NEON_HTTP_ENDPOINT set: a Neon-protocol server you run yourself; no local server.
 *    - LOCAL_POSTGRES_URL set: the local Neon-protocol server in front of that PostgreSQL server.
 *    - otherwise: the local Neon-protocol server on embedded PGlite, persisted in PGLITE_DIR (default
 *      .data/pglite), or in memory with DEV_DATABASE=memory.
 * 3. Migrates (drizzle/), seeds the demo data (idempotent; DEV_SEED=false skips), starts `wrangler dev` with the
 *    database and secret bindings passed as `--var` (they win over .dev.vars), waits for /openapi.json, and prints
 *    the URLs, demo ids, 24-hour bearer tokens and a curl example.
 * 4. Ctrl-C / SIGTERM: SIGTERM to wrangler (which stops workerd), closes the local server, exits 0. If wrangler
 *    dies on its own, exits non-zero.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join, relative, resolve } from 'node:path'
import { connectNeonHttp, LOCAL_DATABASE_URL } from '../db/connect'
import { migrateDatabase } from '../db/migrate'
import type { BackendOptions, NeonLocalServer } from '../neon-local/server'
import { startNeonLocalServer } from '../neon-local/server'
import { DEMO, describeSeed, seedDemoData } from './seed'
import { ensureDevVars, loadSettings, ROOT, type Settings, WORKER_SETTINGS } from './settings'
import { type DevToken, mintDevToken, signingSettings } from './tokens'

const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000
const WRANGLER_BIN = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', 'db.localtest.me'])

type DatabasePlan =
  | { kind: 'local'; backend: BackendOptions; databaseUrl: string; label: string }
  | { kind: 'remote'; databaseUrl: string; endpoint: string | undefined; label: string }

class LaunchError extends Error {}

const log = (message: string) => console.log(`[dev] ${message}`)
const warn = (message: string) => console.warn(`[dev] warning: ${message}`)

function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//.test(value) && URL.canParse(value)
}

/** A URL for printing: without its password. */
function redact(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}

export function planDatabase(settings: Settings): DatabasePlan {
  const databaseUrl = settings.get('DATABASE_URL')
  const endpoint = settings.get('NEON_HTTP_ENDPOINT')
  const localPostgres = settings.get('LOCAL_POSTGRES_URL')
  if (databaseUrl && !isPostgresUrl(databaseUrl)) {
    throw new LaunchError('DATABASE_URL must be a postgres:// or postgresql:// URL')
  }
  const host = databaseUrl ? new URL(databaseUrl).hostname.toLowerCase() : undefined
  if (databaseUrl && host?.endsWith('.neon.tech')) {
    if (localPostgres) warn('LOCAL_POSTGRES_URL is ignored: DATABASE_URL is a Neon database')
    return { kind: 'remote', databaseUrl, endpoint, label: `Neon (${host})` }
  }
  if (endpoint) {
    return {
      kind: 'remote',
      databaseUrl: databaseUrl ?? LOCAL_DATABASE_URL,
      endpoint,
      label: `the Neon-protocol server at ${endpoint} (NEON_HTTP_ENDPOINT)`,
    }
  }
  if (
    databaseUrl &&
    host &&
    !LOCAL_HOSTS.has(host) &&
    !host.endsWith('.localtest.me') &&
    !host.endsWith('.localhost')
  ) {
    throw new LaunchError(
      `DATABASE_URL points at ${host}, which is neither Neon (*.neon.tech) nor local. The Worker reaches ` +
        "databases over Neon's HTTP protocol only: for a plain PostgreSQL server set LOCAL_POSTGRES_URL to it " +
        '(and leave DATABASE_URL empty); for a Neon-protocol server of your own set NEON_HTTP_ENDPOINT.',
    )
  }
  const workerUrl = databaseUrl ?? LOCAL_DATABASE_URL
  if (localPostgres) {
    if (!isPostgresUrl(localPostgres)) throw new LaunchError('LOCAL_POSTGRES_URL must be a postgres:// URL')
    return {
      kind: 'local',
      backend: { kind: 'postgres', url: localPostgres },
      databaseUrl: workerUrl,
      label: `PostgreSQL at ${redact(localPostgres)} (LOCAL_POSTGRES_URL)`,
    }
  }
  if (databaseUrl && databaseUrl !== LOCAL_DATABASE_URL && host !== 'db.localtest.me') {
    log(
      `DATABASE_URL (${redact(databaseUrl)}) is local: the Worker cannot open TCP connections, so embedded ` +
        'PGlite is used. To use that PostgreSQL server instead, set LOCAL_POSTGRES_URL to it.',
    )
  }
  const mode = (settings.get('DEV_DATABASE') ?? 'pglite').toLowerCase()
  if (mode === 'memory') {
    return {
      kind: 'local',
      backend: { kind: 'pglite' },
      databaseUrl: workerUrl,
      label: 'embedded PGlite, in memory (DEV_DATABASE=memory: gone when this stops)',
    }
  }
  if (mode !== 'pglite')
    throw new LaunchError(`DEV_DATABASE must be "pglite" (the default) or "memory", not "${mode}"`)
  const dataDir = resolve(ROOT, settings.get('PGLITE_DIR') ?? '.data/pglite')
  return {
    kind: 'local',
    backend: { kind: 'pglite', dataDir },
    databaseUrl: workerUrl,
    label: `embedded PGlite, data in ${relative(ROOT, dataDir) || dataDir}`,
  }
}

/** One launcher per PGlite folder: PGlite is single-process, two writers would corrupt it. */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dirname(dataDir), { recursive: true })
  const lockFile = `${dataDir}.lock`
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim())
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new LaunchError(
        `${relative(ROOT, dataDir)} is in use by another launcher (pid ${pid}). Stop it, or use another ` +
          'folder (PGLITE_DIR=...) or DEV_DATABASE=memory.',
      )
    }
  }
  writeFileSync(lockFile, String(process.pid))
  return () => rmSync(lockFile, { force: true })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function parsePort(value: string | undefined): number {
  const port = Number(value ?? '8787')
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new LaunchError(`PORT must be 1-65535, not "${value}"`)
  return port
}

function assertPortFree(port: number): Promise<void> {
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

/** `--var NAME:VALUE` for the bindings this launcher decides; wrangler lets them win over .dev.vars. */
function wranglerVars(settings: Settings, databaseUrl: string, endpoint: string | undefined): string[] {
  const values = new Map<string, string>([
    ['DATABASE_URL', databaseUrl],
    // Passed even when empty, so a stale NEON_HTTP_ENDPOINT in .dev.vars cannot point the Worker elsewhere.
    ['NEON_HTTP_ENDPOINT', endpoint ?? ''],
  ])
  for (const name of WORKER_SETTINGS) {
    if (values.has(name)) continue
    const value = settings.get(name)
    // JWT_SECRET always (tokens printed below are signed with it); the rest when the environment overrides
    // .dev.vars / wrangler.toml, which wrangler reads itself.
    if (name === 'JWT_SECRET' ? value !== undefined : settings.source(name) === 'environment') {
      values.set(name, value ?? '')
    }
  }
  return [...values].flatMap(([name, value]) => ['--var', `${name}:${value}`])
}

/** An error and its causes, one line: drizzle wraps the driver's error ("Failed query: ...") in `cause`. */
function describeError(error: unknown): string {
  const parts: string[] = []
  for (let e: unknown = error; e !== undefined && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    parts.push(e instanceof Error ? e.message.split('\n')[0]?.trim() || e.name : String(e))
    if (!(e instanceof Error)) break
  }
  return parts.join(': ')
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ---- process state and shutdown ------------------------------------------------------------------------------

let wrangler: ChildProcess | undefined
let wranglerExited: Promise<void> = Promise.resolve()
let serverStarting: Promise<NeonLocalServer | undefined> = Promise.resolve(undefined)
let unlock: (() => void) | undefined
let stopping = false

const detached = process.platform !== 'win32'

function signalWrangler(signal: NodeJS.Signals, group = false): void {
  const pid = wrangler?.pid
  if (pid === undefined) return
  try {
    // Detached, wrangler leads its own process group (wrangler's node, its CLI child, workerd).
    process.kill(group && detached ? -pid : pid, signal)
  } catch {
    // Already gone.
  }
}

/**
 * Whatever wrangler left behind in its process group: normally nothing, but when wrangler itself crashes its
 * workerd can outlive it.
 */
async function reapProcessGroup(): Promise<void> {
  const pid = wrangler?.pid
  if (!detached || pid === undefined) return
  const alive = () => {
    try {
      process.kill(-pid, 0)
      return true
    } catch {
      return false
    }
  }
  if (!alive()) return
  signalWrangler('SIGTERM', true)
  for (let i = 0; i < 20 && alive(); i++) await sleep(100)
  if (alive()) signalWrangler('SIGKILL', true)
}

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    if (wrangler && wrangler.exitCode === null && wrangler.signalCode === null) {
      signalWrangler('SIGTERM')
      const stopped = await Promise.race([
        wranglerExited.then(() => true),
        sleep(STOP_TIMEOUT_MS).then(() => false),
      ])
      if (!stopped) {
        warn(`wrangler did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`)
        signalWrangler('SIGKILL', true)
        await Promise.race([wranglerExited, sleep(2000)])
      }
    }
    await reapProcessGroup()
    try {
      await (await serverStarting)?.close()
    } catch (error) {
      warn(`closing the local database server: ${error instanceof Error ? error.message : String(error)}`)
    }
    unlock?.()
    process.exit(code)
  }
  return new Promise<never>(() => undefined)
}

let firstSignalAt = 0

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    // A second Ctrl-C: stop waiting. (Ignore the echo of the first one: a terminal signals the whole process
    // group, and npm/tsx may forward it too.)
    if (Date.now() - firstSignalAt < 1000) return
    warn(`${signal} again: killing wrangler`)
    signalWrangler('SIGKILL', true)
    unlock?.()
    process.exit(1)
  }
  firstSignalAt = Date.now()
  log(`${signal}: stopping`)
  void shutdown(0)
}

process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)
process.on('exit', () => {
  // Last resort (an unexpected crash): never leave wrangler/workerd running.
  if (wrangler && wrangler.exitCode === null) signalWrangler('SIGTERM', true)
})

// ---- the launch ------------------------------------------------------------------------------------------------

async function waitUntilReady(baseUrl: string, deadline: number, exited: () => boolean): Promise<void> {
  while (Date.now() < deadline) {
    if (exited() || stopping) return
    try {
      const response = await fetch(`${baseUrl}/openapi.json`, { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      if (response.ok) return
    } catch {
      // Not listening yet.
    }
    await sleep(250)
  }
  throw new LaunchError(
    `wrangler dev did not answer ${baseUrl}/openapi.json within ${READY_TIMEOUT_MS / 1000} s`,
  )
}

interface Tokens {
  user: DevToken
  staff: DevToken
}

function banner(
  baseUrl: string,
  plan: DatabasePlan,
  endpoint: string | undefined,
  tokens: Tokens | undefined,
) {
  const users = DEMO.users.map((userId, i) => {
    const count = DEMO.favorites.filter((f) => f.userId === userId).length
    return `    ${userId}  ${i === 0 ? 'demo user, ' : ''}${count} seeded favourites`
  })
  const companyName = new Map(DEMO.companies.map((c) => [c.id, c.name]))
  const activities = DEMO.activities.map(
    (a) => `    ${a.id}  ${a.type.padEnd(10)}  ${a.name.padEnd(26)}  ${companyName.get(a.companyId)}`,
  )
  const firstCompany = DEMO.companies[0]
  const lines = [
    '',
    `  Activity Favorites API is running on ${baseUrl}`,
    '',
    `  API           ${baseUrl}`,
    `  Swagger UI    ${baseUrl}/ui`,
    `  OpenAPI       ${baseUrl}/openapi.json`,
    `  Health        ${baseUrl}/health`,
    `  Database      ${plan.label}`,
    ...(plan.kind === 'local' && endpoint
      ? [`  SQL endpoint  ${endpoint}  (NEON_HTTP_ENDPOINT=... npm run seed, while this runs)`]
      : []),
    '',
    '  Demo users (end users: token sub):',
    ...users,
    '  Demo companies (staff: token company_id):',
    ...DEMO.companies.map((c) => `    ${c.id}  ${c.name}`),
    '  Demo activities:',
    ...activities,
    '',
  ]
  if (tokens) {
    lines.push(
      `  Bearer tokens (HS256, valid 24 h, until ${tokens.user.expiresAt.toISOString()}):`,
      `  demo user ${DEMO.users[0]}:`,
      `    export USER_TOKEN=${tokens.user.token}`,
      `  staff of ${firstCompany?.name} ${firstCompany?.id} (roles: favorites:analytics):`,
      `    export STAFF_TOKEN=${tokens.staff.token}`,
      '  More: npm run token -- user <userId>  |  npm run token -- staff <companyId>',
      '',
      '  Try:',
      `    curl -s -H "Authorization: Bearer ${tokens.user.token}" ${baseUrl}/favorites`,
      '',
    )
  } else {
    lines.push('  (No bearer tokens printed: JWT_SECRET is not set; the Worker verifies with JWKS_URL.)', '')
  }
  lines.push('  Press Ctrl-C to stop.', '')
  console.log(lines.join('\n'))
}

async function main(): Promise<void> {
  const started = Date.now()
  const created = ensureDevVars()
  if (created) log(created)
  const settings = loadSettings()
  const port = parsePort(settings.get('PORT'))
  await assertPortFree(port)
  if (!existsSync(WRANGLER_BIN)) throw new LaunchError('wrangler is not installed: run `npm ci` first')

  const plan = planDatabase(settings)
  let endpoint: string | undefined
  if (plan.kind === 'local') {
    if (plan.backend.kind === 'pglite' && plan.backend.dataDir) unlock = lockDataDir(plan.backend.dataDir)
    log(`starting the local Neon-protocol server on ${plan.label}`)
    const backend = plan.backend
    serverStarting = startNeonLocalServer({ backend })
    const server = await serverStarting
    endpoint = server?.url
  } else {
    endpoint = plan.endpoint
    log(`database: ${plan.label}`)
  }
  if (stopping) return

  await migrateDatabase(plan.databaseUrl, endpoint).catch((error: unknown) => {
    throw new LaunchError(`migrating the database (${plan.label}) failed: ${describeError(error)}`)
  })
  log('migrations applied')
  if (/^(false|0|no|off)$/i.test(settings.get('DEV_SEED') ?? '')) {
    log('seeding skipped (DEV_SEED)')
  } else {
    const result = await seedDemoData(connectNeonHttp(plan.databaseUrl, endpoint)).catch((error: unknown) => {
      throw new LaunchError(`seeding the demo data failed: ${describeError(error)}`)
    })
    log(describeSeed(result))
  }

  let tokens: Tokens | undefined
  if (settings.get('JWT_SECRET')) {
    const signing = signingSettings(settings)
    const firstCompany = DEMO.companies[0]?.id as string
    tokens = {
      user: await mintDevToken({ kind: 'user', userId: DEMO.users[0] as string }, signing),
      staff: await mintDevToken({ kind: 'staff', companyId: firstCompany }, signing),
    }
    if (settings.get('JWKS_URL'))
      warn('JWKS_URL is set: the Worker verifies with it, so the tokens below fail')
  }
  if (stopping) return

  const args = [
    WRANGLER_BIN,
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--show-interactive-dev-session=false',
    ...wranglerVars(settings, plan.databaseUrl, endpoint),
  ]
  log(`starting wrangler dev on 127.0.0.1:${port}`)
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
  })
  wrangler = child
  let exited = false
  wranglerExited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      exited = true
      resolveExit()
      if (stopping) return
      console.error(`[dev] wrangler exited unexpectedly (${signal ?? `code ${code}`}); stopping`)
      void shutdown(code ? code : 1)
    })
  })
  child.once('error', (error) => {
    console.error(`[dev] could not start wrangler: ${error.message}`)
    void shutdown(1)
  })

  const baseUrl = `http://127.0.0.1:${port}`
  await waitUntilReady(baseUrl, started + READY_TIMEOUT_MS, () => exited)
  if (exited || stopping) return

  const health = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(10_000) }).then(
    async (r) => (r.ok ? undefined : `${r.status} ${await r.text()}`),
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  )
  if (health) warn(`GET /health did not answer 200: ${health}`)
  // Let wrangler print its log lines for those requests first, so the banner ends the output.
  await sleep(300)
  banner(baseUrl, plan, endpoint, tokens)
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

main().catch((error: unknown) => {
  if (stopping) return
  console.error(
    `[dev] ${error instanceof LaunchError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  )
  void shutdown(1)
})
