// A real PostgreSQL server through a node-postgres pool: real concurrency, one pooled connection
// per request, like Neon's proxy. A statement whose HTTP client goes away is cancelled on the server.
import pg from 'pg'
import {
  type Backend,
  type QueryResult,
  RESET_SESSION_SQL,
  type Session,
  type SqlParam,
  type SqlQuery,
  toFieldInfo,
  toPostgresError,
} from '../backend.js'
import { cancelBackend } from './pg-cancel.js'

// Every value stays Postgres's text output; the driver parses it by dataTypeID on its side.
const rawText = { getTypeParser: () => (value: string) => value }

function rethrow(err: unknown): never {
  if (err instanceof pg.DatabaseError) throw toPostgresError(err)
  throw err
}

class PgSession implements Session {
  /** A CancelRequest was sent: the connection is not reused, since a late cancel could hit the next request. */
  cancelled = false

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
      rethrow(err)
    } finally {
      this.signal.removeEventListener('abort', onAbort)
    }
  }
}

export function createPostgresBackend(url: string, max = 10, log?: (line: string) => void): Backend {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // Timestamps must come out in UTC text; as a startup option it is also what RESET ALL restores.
    options: '-c TimeZone=UTC',
  })
  // An idle client dying (server restart) must not crash the process; the pool replaces it.
  pool.on('error', (err) => log?.(`postgres pool error: ${err.message}`))

  return {
    kind: 'postgres',
    async withSession(ctx, fn) {
      const client = await pool.connect()
      const session = new PgSession(client, ctx.signal)
      try {
        return await fn(session)
      } finally {
        await releaseAfterReset(client, session)
      }
    },
    close: () => pool.end(),
  }
}

/**
 * Resets the session before it goes back to the pool. A connection that had a cancel sent to it, or cannot be reset,
 * is dropped instead (`release(true)`), and the pool opens a new one when needed.
 */
async function releaseAfterReset(client: pg.PoolClient, session: PgSession): Promise<void> {
  if (session.cancelled) {
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
