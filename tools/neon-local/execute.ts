// Request semantics shared by every backend: a single query runs in autocommit, a batch runs as one
// transaction that is rolled back on the first error (which is the error returned). A request whose client went
// away runs no further statement, and its batch is rolled back, never committed, as on Neon.
import type { Backend, QueryResult, RequestContext, Session, SqlQuery } from './backend.js'
import { ClientGoneError } from './errors.js'
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

/**
 * Throws if the client is gone. It first lets the event loop take in pending I/O: PGlite answers from the same
 * thread, so a batch could otherwise run to its COMMIT on promise callbacks alone without ever seeing the close.
 */
async function throwIfGone(ctx: RequestContext): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  if (ctx.signal.aborted) throw new ClientGoneError()
}

/** One statement: refused if the proxy could not send it, skipped if nobody waits for its answer. */
async function executeOne(s: Session, q: SqlQuery, ctx: RequestContext): Promise<QueryResult> {
  refuseUnsupported(q)
  await throwIfGone(ctx)
  return s.execute(q)
}

export function runSingle(backend: Backend, q: SqlQuery, ctx: RequestContext): Promise<QueryResult> {
  return backend.withSession(ctx, (s) => executeOne(s, q, ctx))
}

export function runBatch(
  backend: Backend,
  queries: SqlQuery[],
  opts: BatchOptions,
  ctx: RequestContext,
): Promise<QueryResult[]> {
  return backend.withSession(ctx, async (s) => {
    await throwIfGone(ctx)
    await s.simple(startTransactionSql(opts))
    const results: QueryResult[] = []
    try {
      for (const q of queries) results.push(await executeOne(s, q, ctx))
      // Checked again here: the client may have left while the last statement ran (PGlite cannot cancel it).
      await throwIfGone(ctx)
      await s.simple('COMMIT')
    } catch (err) {
      // Best effort: the session reset that follows also starts with ROLLBACK.
      await s.simple('ROLLBACK').catch(() => undefined)
      throw err
    }
    return results
  })
}
