// PGlite (Postgres in WASM) driven at the wire-protocol level. PGlite's query() would parse values,
// serialise parameters by their inferred type (which throws on e.g. bytea given as text) and drop
// the field metadata and the command tag; speaking the protocol ourselves gives exactly what the
// Neon proxy sees: untyped text parameters, raw text values, full RowDescription and the tag.
import { PGlite, type messages as pgMessages, protocol } from '@electric-sql/pglite'
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto'
import {
  type Backend,
  parseCommandTag,
  type QueryResult,
  type RawPgError,
  RESET_SESSION_SQL,
  type Session,
  type SqlQuery,
  toFieldInfo,
  toPostgresError,
} from '../backend.js'

type BackendMessage = pgMessages.BackendMessage
const { serialize, messages } = protocol

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

function firstError(msgs: BackendMessage[]): RawPgError | undefined {
  for (const m of msgs) if (m instanceof messages.DatabaseError) return m
  return undefined
}

function toResult(msgs: BackendMessage[]): QueryResult {
  const result: QueryResult = { fields: [], command: '', rowCount: null, rows: [] }
  for (const m of msgs) {
    if (m instanceof messages.RowDescriptionMessage) {
      result.fields = m.fields.map(toFieldInfo)
    } else if (m instanceof messages.DataRowMessage) {
      result.rows.push(m.fields)
    } else if (m instanceof messages.CommandCompleteMessage) {
      Object.assign(result, parseCommandTag(m.text))
    }
  }
  return result
}

class PGliteSession implements Session {
  constructor(private readonly db: PGlite) {}

  async execute(q: SqlQuery): Promise<QueryResult> {
    // One Parse/Bind/Describe/Execute/Sync round: unnamed statement, no parameter types (so the
    // server infers them from untyped text, as the proxy does), text result format.
    const wire = concat([
      serialize.parse({ text: q.query }),
      serialize.bind({ values: q.params }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ])
    const { messages: msgs } = await this.db.execProtocol(wire, { throwOnError: false })
    const err = firstError(msgs)
    if (err) throw toPostgresError(err)
    return toResult(msgs)
  }

  async simple(sql: string): Promise<void> {
    const { messages: msgs } = await this.db.execProtocol(serialize.query(sql), { throwOnError: false })
    const err = firstError(msgs)
    if (err) throw toPostgresError(err)
  }
}

/**
 * Neon's reset says `SET SESSION AUTHORIZATION DEFAULT`, but PGlite starts without a default for it (the setting is
 * empty), so a request's `SET SESSION AUTHORIZATION x` would survive into every later request. The user PGlite
 * started as is set back explicitly (allowed: that user is the superuser), then checked.
 */
async function restoreStartupUser(session: PGliteSession, user: string): Promise<void> {
  const quoted = `"${user.replaceAll('"', '""')}"`
  await session.simple(`SET SESSION AUTHORIZATION ${quoted}; RESET ROLE`)
  // Through the session, not db.query(): that takes PGlite's query lock, which runExclusive already holds.
  const { rows } = await session.execute({
    query: 'SELECT session_user = $1 AND current_user = $1',
    params: [user],
  })
  if (rows[0]?.[0] !== 't') throw new Error(`PGlite: the session could not be reset to user ${user}`)
}

export async function createPGliteBackend(dataDir?: string): Promise<Backend> {
  // TimeZone is pinned in the startup parameters so that RESET ALL returns to UTC too. pgcrypto is loaded so
  // that `CREATE EXTENSION pgcrypto` works as on Neon (PGlite ships contrib extensions as separate modules).
  const db = await PGlite.create({
    dataDir,
    startParams: [...PGlite.defaultStartParams, '-c', 'TimeZone=UTC'],
    extensions: { pgcrypto },
  })
  const session = new PGliteSession(db)
  const startupUser = (await db.query<{ u: string }>('SELECT session_user AS u')).rows[0]?.u ?? 'postgres'
  return {
    kind: 'pglite',
    // PGlite has a single connection: runExclusive keeps a whole batch transaction (and the reset
    // after it) from interleaving with any other request. It has one user too: the connection string's role is
    // not used (every request runs as the startup user), and a running statement cannot be cancelled (the
    // client's leaving is seen between statements; see execute.ts).
    withSession: (_ctx, fn) =>
      db.runExclusive(async () => {
        try {
          return await fn(session)
        } finally {
          await session.simple(RESET_SESSION_SQL)
          await restoreStartupUser(session, startupUser)
        }
      }),
    close: () => db.close(),
  }
}
