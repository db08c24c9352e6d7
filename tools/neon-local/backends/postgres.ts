// A real PostgreSQL server through node-postgres pools: real concurrency, one pooled connection per request, like
// Neon's proxy. With `runAs: 'connection-string'` there is one pool per role of the requests' connection strings,
// each logging in as that role (so its password is checked and its privileges apply, as on Neon).
import pg from 'pg'
import {
  type Backend,
  type Credentials,
  type QueryResult,
  RESET_SESSION_SQL,
  type Session,
  type SqlParam,
  type SqlQuery,
  toFieldInfo,
  toPostgresError,
} from '../backend.js'
import { HttpError } from '../errors.js'
import { cancelBackend } from './pg-cancel.js'

/**
 * Whose session a request gets. `connection-string`: the user and password of its `Neon-Connection-String`, on the
 * backend URL's host, port and database. `backend-url`: the backend URL's own user for every request.
 */
export type RunAs = 'connection-string' | 'backend-url'

export interface PostgresBackendOptions {
  url: string
  /** Connections per pool (one pool per role with `runAs: 'connection-string'`). */
  max?: number
  runAs?: RunAs
  log?: (line: string) => void
}

// Every value stays Postgres's text output; the driver parses it by dataTypeID on its side.
const rawText = { getTypeParser: () => (value: string) => value }

class PgSession implements Session {
  /** A CancelRequest was sent: the connection is not reused, since a late cancel could hit the next request. */
  cancelled = false
  /** The connection failed under a statement (e.g. its backend was terminated). */
  broken = false

  constructor(
    private readonly client: pg.PoolClient,
    private readonly signal: AbortSignal,
  ) {}

  execute(q: SqlQuery): Promise<QueryResult> {
    // queryMode 'extended' forces Parse/Bind/Execute even without parameters, so a string with
    // two statements fails with 42601 exactly as it does on Neon.
    const config: pg.QueryArrayConfig<SqlParam[]> & { queryMode: 'extended' } = {
      text: q.query,
      values: q.params,
      rowMode: 'array',
      queryMode: 'extended', // not in @types/pg, supported by pg >= 8.11
      types: rawText,
    }
    return this.run(async () => {
      const r = await this.client.query<(string | null)[], SqlParam[]>(config)
      return {
        fields: r.fields.map(toFieldInfo),
        // pg reports command null for an empty query string and rowCount null when the tag has no number.
        command: r.command ?? '',
        rowCount: r.rowCount,
        rows: r.rows,
      }
    })
  }

  async simple(sql: string): Promise<void> {
    await this.run(() => this.client.query(sql))
  }

  /** Runs one statement, cancelling it on the server if the HTTP client goes away meanwhile. */
  private async run<T>(statement: () => Promise<T>): Promise<T> {
    const onAbort = () => {
      this.cancelled = true
      void cancelBackend(this.client)
    }
    this.signal.addEventListener('abort', onAbort, { once: true })
    try {
      return await statement()
    } catch (err) {
      if (err instanceof pg.DatabaseError) throw toPostgresError(err)
      // Not a Postgres error: the connection itself failed. The proxy answers its client's errors with 400.
      this.broken = true
      throw new HttpError(400, `error communicating with the server: ${(err as Error).message}`)
    } finally {
      this.signal.removeEventListener('abort', onAbort)
    }
  }
}

/** The backend URL with a request's role in it (pg lets a connection string override user/password options). */
function urlAs(url: string, c: Credentials): string {
  const u = new URL(url)
  u.username = encodeURIComponent(c.user)
  u.password = encodeURIComponent(c.password)
  return u.toString()
}

export function createPostgresBackend(opts: PostgresBackendOptions): Backend {
  const { url, max = 10, runAs = 'backend-url', log } = opts
  const pools = new Map<string, pg.Pool>()

  function createPool(connectionString: string): pg.Pool {
    const pool = new pg.Pool({
      connectionString,
      max,
      // Timestamps must come out in UTC text; as a startup option it is also what RESET ALL restores.
      options: '-c TimeZone=UTC',
    })
    // An idle client dying (server restart, pg_terminate_backend) must not crash the process; the pool replaces it.
    pool.on('error', (err) => log?.(`postgres pool error: ${err.message}`))
    // Nor may a client that dies while lent out: pg-pool listens only to idle clients, and an 'error' event
    // without a listener kills the process. The request sees the failure through its query instead.
    pool.on('connect', (client) => {
      client.on('error', (err) => log?.(`postgres connection error: ${err.message}`))
    })
    return pool
  }

  function poolFor(c: Credentials): { key: string; pool: pg.Pool } {
    const key = runAs === 'backend-url' ? '' : `${c.user}\u0000${c.password}`
    let pool = pools.get(key)
    if (!pool) {
      pool = createPool(runAs === 'backend-url' ? url : urlAs(url, c))
      pools.set(key, pool)
    }
    return { key, pool }
  }

  async function connect(c: Credentials): Promise<pg.PoolClient> {
    const { key, pool } = poolFor(c)
    try {
      return await pool.connect()
    } catch (err) {
      // pg fails on its own side when the server asks for a password it has none of (a Bearer-token request).
      const authFailed =
        err instanceof pg.DatabaseError
          ? err.code?.startsWith('28') === true
          : err instanceof Error && /\b(SASL|password)\b/.test(err.message)
      if (runAs === 'connection-string' && authFailed) {
        // A role that cannot log in keeps no pool; fixing the password later gets a fresh one.
        pools.delete(key)
        void pool.end()
        // Neon's proxy checks passwords itself and answers with its own message and no SQLSTATE.
        throw new HttpError(400, `password authentication failed for user '${c.user}'`)
      }
      throw err instanceof pg.DatabaseError ? toPostgresError(err) : err
    }
  }

  return {
    kind: 'postgres',
    async withSession(ctx, fn) {
      const client = await connect(ctx.credentials)
      const session = new PgSession(client, ctx.signal)
      try {
        return await fn(session)
      } finally {
        await releaseAfterReset(client, session)
      }
    },
    async close() {
      await Promise.all([...pools.values()].map((p) => p.end()))
      pools.clear()
    },
  }
}

/**
 * Resets the session before it goes back to the pool. A connection that failed, had a cancel sent to it, or cannot
 * be reset is dropped instead (`release(true)`), and the pool opens a new one when needed.
 */
async function releaseAfterReset(client: pg.PoolClient, session: PgSession): Promise<void> {
  if (session.broken || session.cancelled) {
    client.release(true)
    return
  }
  try {
    await client.query(RESET_SESSION_SQL)
    client.release()
  } catch (err) {
    client.release(err instanceof Error ? err : true)
  }
}
