/** Deep pagination for the heaviest user: keyset page N (reached through the Worker) vs page 1 vs OFFSET. */
import type { SqlQuery } from '../../neon-local/backend'
import type { CaptureProxy } from '../capture-proxy'
import { explainQuery, explainText, runQuery } from '../plans'
import { withClient } from '../postgres'
import type { DeepPagination } from '../results'
import { type Samples, send } from '../routes'
import { percentiles, ratio } from '../stats'
import type { RunningWorker } from '../worker'

export async function measureDeepPagination(
  databaseUrl: string,
  proxy: CaptureProxy,
  worker: RunningWorker,
  samples: Samples,
  repeats: number,
): Promise<DeepPagination> {
  const pageSize = 10
  const user = samples.heaviestUser
  const page = Math.max(2, Math.min(500, Math.floor(user.favorites / pageSize)))
  const headers = { Authorization: `Bearer ${user.token}` }
  let cursor: string | null = null
  let firstQuery: SqlQuery | undefined
  let deepQuery: SqlQuery | undefined
  let deepIds: string[] = []
  proxy.mode = 'pass'
  for (let p = 1; p <= page; p++) {
    proxy.recording = p === 1 || p === page
    proxy.take()
    const path: string = `/favorites?limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    const answer = await send(worker.baseUrl, { method: 'GET', path, headers })
    if (answer.status !== 200) throw new Error(`deep pagination: page ${p} answered ${answer.status}`)
    const body = JSON.parse(answer.body) as { items: { id: string }[]; nextCursor: string | null }
    const captured = proxy.take()
    if (p === 1) firstQuery = captured[0]?.queries[0]
    if (p === page) {
      deepQuery = captured[0]?.queries[0]
      deepIds = body.items.map((i) => i.id)
    }
    cursor = body.nextCursor
    if (!cursor && p < page) throw new Error(`deep pagination: no page ${p + 1}`)
  }
  proxy.recording = false
  if (!firstQuery || !deepQuery) throw new Error('deep pagination: queries not captured')
  // The baseline: the first page's own statement, with OFFSET instead of a keyset position, after its last
  // `LIMIT $n` (the page's own; drizzle writes it lowercase, and the page is a derived table of the statement).
  const offsetQuery = {
    query: firstQuery.query.replace(
      /(LIMIT \$\d+)(?![\s\S]*LIMIT \$\d+)/i,
      (_m, limit: string) => `${limit} OFFSET ${(page - 1) * pageSize}`,
    ),
    params: firstQuery.params,
  }
  if (offsetQuery.query === firstQuery.query)
    throw new Error('deep pagination: could not add OFFSET to the statement')
  return withClient(databaseUrl, async (client) => {
    const offsetRows = await runQuery(client, offsetQuery)
    const sameRowsAsOffset =
      JSON.stringify(offsetRows.slice(0, pageSize).map((r) => r[0])) === JSON.stringify(deepIds)
    const first: number[] = []
    const deep: number[] = []
    const offset: number[] = []
    for (let k = 0; k < repeats; k++) {
      first.push((await explainQuery(client, firstQuery as SqlQuery, false)).executionMs)
      deep.push((await explainQuery(client, deepQuery as SqlQuery, false)).executionMs)
      offset.push((await explainQuery(client, offsetQuery, false)).executionMs)
    }
    const f = percentiles(first)
    const d = percentiles(deep)
    const o = percentiles(offset)
    return {
      userFavorites: user.favorites,
      pageSize,
      page,
      first: f,
      deep: d,
      offset: o,
      deepVsFirstP50: ratio(d.p50, f.p50),
      deepVsFirstP99: ratio(d.p99, f.p99),
      offsetVsFirstP50: ratio(o.p50, f.p50),
      sameRowsAsOffset,
      deepPlan: await explainText(client, deepQuery as SqlQuery, false),
      offsetPlan: await explainText(client, offsetQuery, false),
    }
  })
}
