// A real PostgreSQL server through a node-postgres pool: real concurrency, one pooled connection
// per request, like Neon's proxy.
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

// Every value stays Postgres's text output; the driver parses it by dataTypeID on its side.
const rawText = { getTypeParser: () => (value: string) => value }

function rethrow(err: unknown): never {
  if (err instanceof pg.DatabaseError) throw toPostgresError(err)
  throw err
}

class PgSession implements Session {
  constructor(private readonly client: pg.PoolClient) {}

  async execute(q: SqlQuery): Promise<QueryResult> {
    try {
      // queryMode 'extended' forces Parse/Bind/Execute even without parameters, so a string with
      // two statements fails with 42601 exactly as it does on Neon.
      const config: pg.QueryArrayConfig<SqlParam[]> & { queryMode: 'extended' } = {
        text: q.query,
        values: q.params,
        rowMode: 'array',
        queryMode: 'extended', // not in @types/pg, supported by pg >= 8.11
        types: rawText,
      }
      const r = await this.client.query<(string | null)[], SqlParam[]>(config)
      return {
        fields: r.fields.map(toFieldInfo),
        // pg reports command null for an empty query string and rowCount null when the tag has no number.
        command: r.command ?? '',
        rowCount: r.rowCount,
        rows: r.rows,
      }
    } catch (err) {
      rethrow(err)
    }
  }

  async simple(sql: string): Promise<void> {
    try {
      await this.client.query(sql)
    } catch (err) {
      rethrow(err)
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
    async withSession(fn) {
      const client = await pool.connect()
      try {
        return await fn(new PgSession(client))
      } finally {
        await releaseAfterReset(client)
      }
    },
    close: () => pool.end(),
  }
}

/** Resets the session before it goes back to the pool; a connection that cannot be reset is dropped. */
async function releaseAfterReset(client: pg.PoolClient): Promise<void> {
  try {
    await client.query(RESET_SESSION_SQL)
    client.release()
  } catch (err) {
    client.release(err instanceof Error ? err : true)
  }
}
