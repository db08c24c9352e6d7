// PGlite (Postgres in WASM) driven at the wire-protocol level. PGlite's query() would parse values,
// serialise parameters by their inferred type (which throws on e.g. bytea given as text) and drop
// the field metadata and the command tag; speaking the protocol ourselves gives exactly what the
// Neon proxy sees: untyped text parameters, raw text values, full RowDescription and the tag.
import { PGlite, type messages as pgMessages, protocol } from '@electric-sql/pglite'
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

export async function createPGliteBackend(dataDir?: string): Promise<Backend> {
  // TimeZone is pinned in the startup parameters so that RESET ALL returns to UTC too.
  const db = await PGlite.create({
    dataDir,
    startParams: [...PGlite.defaultStartParams, '-c', 'TimeZone=UTC'],
  })
  const session = new PGliteSession(db)
  return {
    kind: 'pglite',
    // PGlite has a single connection: runExclusive keeps a whole batch transaction (and the reset
    // after it) from interleaving with any other request. It has one user too: the connection string's role is
    // not used (every request runs as PGlite's `postgres` superuser), and a running statement cannot be cancelled (the
    // client's leaving is seen between statements; see execute.ts).
    withSession: (_ctx, fn) =>
      db.runExclusive(async () => {
        try {
          return await fn(session)
        } finally {
          await session.simple(RESET_SESSION_SQL)
        }
      }),
    close: () => db.close(),
  }
}
