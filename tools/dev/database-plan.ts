/**
 * Which database `npm run dev` uses, by the first matching rule:
 * - DATABASE_URL on a `*.neon.tech` host: the Worker talks to Neon itself; no local server.
 * - NEON_HTTP_ENDPOINT set: a Neon-protocol server you run yourself; no local server.
 * - LOCAL_POSTGRES_URL set: the local Neon-protocol server in front of that PostgreSQL server.
 * - otherwise: the local Neon-protocol server on embedded PGlite, persisted in PGLITE_DIR (default
 *   .data/pglite), or in memory with DEV_DATABASE=memory.
 */
import { relative, resolve } from 'node:path'
import { LOCAL_DATABASE_URL } from '../db/connect'
import type { BackendOptions } from '../neon-local/server'
import { LaunchError, log, warn } from './launch-log'
import { ROOT, type Settings } from './settings'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', 'db.localtest.me'])

export type DatabasePlan =
  | { kind: 'local'; backend: BackendOptions; databaseUrl: string; label: string }
  | { kind: 'remote'; databaseUrl: string; endpoint: string | undefined; label: string }

function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//.test(value) && URL.canParse(value)
}

/**
 * Whether the local Neon-protocol server (like Neon) accepts `url` as the Worker's connection string: a user, a
 * password and a domain host. A local PostgreSQL URL such as `postgres://postgres@127.0.0.1/app` is not one.
 */
function neonShaped(url: string): boolean {
  const { username, password, hostname } = new URL(url)
  return username !== '' && password !== '' && !/^[\d.]+$/.test(hostname) && !hostname.startsWith('[')
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
  // The local server picks the database itself; the Worker only needs a connection string Neon would accept.
  const workerUrl = databaseUrl && neonShaped(databaseUrl) ? databaseUrl : LOCAL_DATABASE_URL
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
