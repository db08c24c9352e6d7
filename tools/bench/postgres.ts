/**
 * The benchmark's PostgreSQL server: started like `.ci/run` does (initdb + pg_ctl as the `postgres` user when
 * running as root, its own temp dir, a free port), with settings for a benchmark box, or an existing server given
 * by `BENCH_DATABASE_URL`. Either way the benchmark works in a fresh database of its own.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import pg from 'pg'
import { freePort } from '../free-port'

/**
 * Benchmark-box settings, passed as `-c` start flags. Durability is off (fsync, synchronous_commit,
 * full_page_writes) because the data is thrown away; memory is sized so the 10M-row data set (about 4 GB with its
 * indexes) stays in shared buffers + page cache on a 24 GiB machine. JIT is off: it adds 50-200 ms of compile time
 * to the big analytics aggregates and Neon's small compute sizes do not benefit from it.
 */
export const BENCH_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  max_connections: '200',
  shared_buffers: '4GB',
  effective_cache_size: '16GB',
  work_mem: '64MB',
  maintenance_work_mem: '2GB',
  max_parallel_maintenance_workers: '2',
  max_parallel_workers_per_gather: '2',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_wal_size: '20GB',
  checkpoint_timeout: '30min',
  random_page_cost: '1.1',
  jit: 'off',
  autovacuum: 'on',
  TimeZone: 'UTC',
}

/** Sessions a bulk step (the load, the counts' build, the recount) is split over: one per core of the 2-core box. */
export const BULK_SESSIONS = 2

export interface BenchPostgres {
  /** Superuser URL of the server's `postgres` database. */
  adminUrl: string
  /** `bench-started` (our own temp cluster) or `BENCH_DATABASE_URL`. */
  source: 'bench-started' | 'BENCH_DATABASE_URL'
  version: string
  settings: Record<string, string>
  /**
   * A streaming replica of this server, asynchronous as a Neon read replica is. A bench-started cluster is
   * restarted with WAL for replication (the data sets load with `wal_level = minimal`, so that comes after them) and
   * cloned with `pg_basebackup -R`; an external server's replica is `BENCH_REPLICA_URL`. Undefined when neither.
   */
  startReplica(): Promise<BenchReplica | undefined>
  stop(): void
}

export interface BenchReplica {
  /** Superuser URL of the replica's `postgres` database. */
  url: string
  stop(): void
}

const isRoot = () => process.getuid?.() === 0

function pgBin(): string {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)',
    )
  }
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(a) - Number(b))
  const latest = versions.at(-1)
  if (!latest) throw new Error('no PostgreSQL server version under /usr/lib/postgresql')
  return join(root, latest, 'bin')
}

/** Runs a program as the `postgres` user when we are root (initdb refuses root), as ourselves otherwise. */
function asPostgres(program: string, args: string[]): void {
  const [cmd, argv] = isRoot()
    ? ['su', ['postgres', '-s', '/bin/sh', '-c', shellJoin([program, ...args])]]
    : [program, args]
  const result = spawnSync(cmd as string, argv as string[], { encoding: 'utf8' })
  if (result.status !== 0) {
    throw new Error(`${program} failed (${result.status}): ${result.stderr || result.stdout}`)
  }
}

/** `pg_ctl start` or `restart` (a fast shutdown first) of `dataDir`, waiting until it accepts connections. */
function pgCtl(
  bin: string,
  dataDir: string,
  logFile: string,
  flags: string,
  command: 'start' | 'restart',
): void {
  const shutdown = command === 'restart' ? ['-m', 'fast'] : []
  asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', ...shutdown, '-o', flags, command])
}

/** Whether a server runs in `dataDir` (`pg_ctl status` exits 0; 3 when none does). */
function isRunning(bin: string, dataDir: string): boolean {
  try {
    asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, 'status'])
    return true
  } catch {
    return false
  }
}

const shellJoin = (words: string[]) => words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(' ')

/**
 * Where a kept cluster lives (`--scale small|full`): `BENCH_DATA_DIR`, by default a folder of the system's temp
 * dir, one cluster per PostgreSQL major version. It holds the generated data sets between runs (data-cache.ts).
 */
export const keptClusterRoot = () =>
  process.env.BENCH_DATA_DIR ?? join(process.env.TMPDIR ?? tmpdir(), 'activity-favorites-bench')

/**
 * Starts a cluster, or adopts `BENCH_DATABASE_URL`. A throwaway cluster lives in a new temp dir removed at the end;
 * a kept one (`keep`) in `keptClusterRoot()`, reused by the next run (initdb only the first time) and stopped, not
 * removed, at the end.
 */
export async function startBenchPostgres(
  log: (line: string) => void,
  options: { keep: boolean } = { keep: false },
): Promise<BenchPostgres> {
  const external = process.env.BENCH_DATABASE_URL
  if (external) {
    const version = await serverVersion(external)
    log(`using the PostgreSQL server at BENCH_DATABASE_URL (${version}); its settings are its own`)
    return {
      adminUrl: external,
      source: 'BENCH_DATABASE_URL',
      version,
      settings: await currentSettings(external),
      startReplica: async () => {
        const url = process.env.BENCH_REPLICA_URL
        if (!url) return undefined
        log(`using the replica at BENCH_REPLICA_URL (${await serverVersion(url)})`)
        return { url, stop: () => undefined }
      },
      stop: () => undefined,
    }
  }
  const bin = pgBin()
  const dir = options.keep
    ? join(keptClusterRoot(), `postgres-${basename(dirname(bin))}`)
    : mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'bench-postgres.'))
  mkdirSync(dir, { recursive: true })
  if (isRoot()) chownSync(dir, uidOf('postgres'), gidOf('postgres'))
  const dataDir = join(dir, 'data')
  const replicaDir = join(dir, 'replica')
  const port = await freePort()
  let started = false
  let stopReplica: () => void = () => undefined
  const stop = () => {
    stopReplica()
    rmSync(replicaDir, { recursive: true, force: true })
    if (started) {
      try {
        // A kept cluster shuts down cleanly (a checkpoint), so that its next start needs no recovery.
        asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', options.keep ? 'fast' : 'immediate', 'stop'])
      } catch {
        // Already stopped.
      }
      started = false
    }
    if (!options.keep) rmSync(dir, { recursive: true, force: true })
  }
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      asPostgres(join(bin, 'initdb'), [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
      ])
    } else {
      // A run that was killed (not interrupted: that stops them) left its servers running.
      for (const leftover of [replicaDir, dataDir].filter((d) => existsSync(d) && isRunning(bin, d))) {
        log(`stopping the PostgreSQL server an earlier run left running in ${leftover}`)
        asPostgres(join(bin, 'pg_ctl'), ['-D', leftover, '-m', 'fast', 'stop'])
      }
    }
    started = true
    pgCtl(bin, dataDir, join(dir, 'log'), startFlags(port, dir, BENCH_SETTINGS), 'start')
  } catch (error) {
    stop()
    throw error
  }
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`
  if (options.keep) await dropLeftoverDatabases(adminUrl, log)
  const version = await serverVersion(adminUrl)
  log(`started ${version} on port ${port} in ${dir}${options.keep ? ' (kept between runs)' : ''}`)
  const startReplica = async (): Promise<BenchReplica> => {
    const replicationFlags = startFlags(port, dir, { ...BENCH_SETTINGS, ...PRIMARY_REPLICATION_SETTINGS })
    pgCtl(bin, dataDir, join(dir, 'log'), replicationFlags, 'restart')
    const replicaPort = await freePort()
    rmSync(replicaDir, { recursive: true, force: true })
    asPostgres(join(bin, 'pg_basebackup'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'postgres',
      '-D',
      replicaDir,
      '-R',
      '-X',
      'stream',
    ])
    let replicaStarted = true
    stopReplica = () => {
      if (!replicaStarted) return
      replicaStarted = false
      try {
        asPostgres(join(bin, 'pg_ctl'), ['-D', replicaDir, '-m', 'immediate', 'stop'])
      } catch {
        // Already stopped.
      }
    }
    const replicaFlags = startFlags(replicaPort, dir, { ...BENCH_SETTINGS, ...REPLICA_SETTINGS })
    pgCtl(bin, replicaDir, join(dir, 'replica.log'), replicaFlags, 'start')
    const url = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`
    log(`started a streaming replica on port ${replicaPort} (pg_basebackup -R, asynchronous)`)
    return { url, stop: stopReplica }
  }
  return {
    adminUrl,
    source: 'bench-started',
    version,
    settings: await currentSettings(adminUrl),
    startReplica,
    stop,
  }
}

/** What the primary needs to stream its WAL: the bulk loads ran with `minimal` and no senders. */
const PRIMARY_REPLICATION_SETTINGS: Record<string, string> = { wal_level: 'replica', max_wal_senders: '4' }

/** The replica: the primary's settings (max_connections may not be lower), and no query cancelled by vacuum. */
const REPLICA_SETTINGS: Record<string, string> = {
  ...PRIMARY_REPLICATION_SETTINGS,
  hot_standby_feedback: 'on',
  shared_buffers: '1GB',
}

const startFlags = (port: number, socketDir: string, settings: Record<string, string>): string =>
  [
    `-p ${port}`,
    `-k ${socketDir}`,
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ')

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim())
}
function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim())
}

export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

async function serverVersion(url: string): Promise<string> {
  return withClient(url, async (c) => {
    const r = await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)
    return `PostgreSQL ${r.rows[0]?.v ?? '?'}`
  })
}

async function currentSettings(url: string): Promise<Record<string, string>> {
  return withClient(url, async (c) => {
    const names = Object.keys(BENCH_SETTINGS).filter((n) => n !== 'listen_addresses')
    const r = await c.query<{ name: string; value: string }>(
      `SELECT name, current_setting(name) AS value FROM pg_settings WHERE lower(name) = ANY($1::text[])
       ORDER BY name`,
      [names.map((n) => n.toLowerCase())],
    )
    return Object.fromEntries(r.rows.map((row) => [row.name, row.value]))
  })
}

/**
 * Drops the databases of earlier runs that did not end cleanly (`createBenchDatabase`'s `bench_<label>_<ms>`),
 * never a kept data set (`bench_data_...`, data-cache.ts).
 */
async function dropLeftoverDatabases(adminUrl: string, log: (line: string) => void): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const leftovers = await client.query<{ name: string }>(
      `SELECT datname AS name FROM pg_database
       WHERE datname ~ '^bench_[a-z_]+_[0-9]{13}$' AND NOT starts_with(datname, 'bench_data_')`,
    )
    for (const { name } of leftovers.rows) {
      log(`dropping ${name}, left by an earlier run`)
      await client.query(`DROP DATABASE ${name} WITH (FORCE)`)
    }
  })
}

/** The URL of database `name` on the server of `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/**
 * A fresh database on the server, empty or a copy of `template` (a file copy: the template's pages, statistics and
 * visibility map as they are); returns its URL and a function that drops it.
 */
export async function createBenchDatabase(
  adminUrl: string,
  label: string,
  template?: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `bench_${label}_${Date.now()}`
  const copy = template ? ` TEMPLATE ${template} STRATEGY FILE_COPY` : ''
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}${copy}`))
  return {
    url: databaseUrl(adminUrl, name),
    name,
    drop: () =>
      withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  }
}
