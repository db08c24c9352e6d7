// Request semantics shared by every backend: a single query runs in autocommit, a batch runs as one
// transaction that is rolled back on the first error (which is the error returned). Statements the proxy could not
// send are refused before they reach the backend (refusals.ts).
import type { Backend, QueryResult, SqlQuery } from './backend.js'
import { refuseUnsupported } from './refusals.js'

export type IsolationLevel = 'ReadUncommitted' | 'ReadCommitted' | 'RepeatableRead' | 'Serializable'

export interface BatchOptions {
  isolationLevel?: IsolationLevel
  readOnly: boolean
  deferrable: boolean
}

const ISOLATION_SQL: Record<IsolationLevel, string> = {
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
}

/** `START TRANSACTION [ISOLATION LEVEL X][, READ ONLY][, DEFERRABLE]`, as the proxy builds it. */
export function startTransactionSql(opts: BatchOptions): string {
  const modes: string[] = []
  if (opts.isolationLevel) modes.push(`ISOLATION LEVEL ${ISOLATION_SQL[opts.isolationLevel]}`)
  if (opts.readOnly) modes.push('READ ONLY')
  if (opts.deferrable) modes.push('DEFERRABLE')
  return modes.length > 0 ? `START TRANSACTION ${modes.join(', ')}` : 'START TRANSACTION'
}

export function runSingle(backend: Backend, q: SqlQuery): Promise<QueryResult> {
  return backend.withSession((s) => {
    refuseUnsupported(q)
    return s.execute(q)
  })
}

export function runBatch(backend: Backend, queries: SqlQuery[], opts: BatchOptions): Promise<QueryResult[]> {
  return backend.withSession(async (s) => {
    await s.simple(startTransactionSql(opts))
    const results: QueryResult[] = []
    try {
      for (const q of queries) {
        refuseUnsupported(q)
        results.push(await s.execute(q))
      }
      await s.simple('COMMIT')
    } catch (err) {
      // Best effort: the session reset that follows also starts with ROLLBACK.
      await s.simple('ROLLBACK').catch(() => undefined)
      throw err
    }
    return results
  })
}
