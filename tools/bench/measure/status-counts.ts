/**
 * What `favoriteCount` costs the status route: the statement the Worker sends for 100 ids, explained as sent and
 * with the count's subquery replaced by a constant (the statement of the version before counts), alternately on
 * the same samples, so the ratio is of like with like.
 */
import type { CaptureProxy } from '../capture-proxy'
import { log } from '../log'
import { explainCaptured } from '../plans'
import { withClient } from '../postgres'
import type { StatusCountsComparison } from '../results'
import { routeByKey, type Samples } from '../routes'
import { percentiles, ratio } from '../stats'
import type { RunningWorker } from '../worker'
import { capture } from './plans'

/** The per-activity count lookup of src/queries/favorites.ts (`favoriteCountOf`), as the Worker sends it. */
const COUNT_LOOKUP = /coalesce\(\(SELECT [^()]*"activity_favorite_counts"[^()]*= asked\.activity_id\), 0\)/

export function withoutCounts(query: string): string {
  if (!COUNT_LOOKUP.test(query)) throw new Error('the status statement has no favoriteCount lookup to remove')
  return query.replace(COUNT_LOOKUP, '0')
}

export async function measureStatusCounts(
  databaseUrl: string,
  proxy: CaptureProxy,
  worker: RunningWorker,
  samples: Samples,
  count: number,
): Promise<StatusCountsComparison> {
  const route = routeByKey('status100')
  const { queries } = await capture(proxy, worker, route, samples, count)
  const withMs: number[] = []
  const withoutMs: number[] = []
  await withClient(databaseUrl, async (client) => {
    for (const request of queries) {
      withMs.push((await explainCaptured(client, request, false)).executionMs)
      const stripped = {
        ...request,
        queries: request.queries.map((q) => ({ ...q, query: withoutCounts(q.query) })),
      }
      withoutMs.push((await explainCaptured(client, stripped, false)).executionMs)
    }
  })
  const result = {
    ids: 100,
    samples: queries.length,
    withCounts: percentiles(withMs),
    withoutCounts: percentiles(withoutMs),
    p99Ratio: 0,
  }
  result.p99Ratio = ratio(result.withCounts.p99, result.withoutCounts.p99)
  log(
    `  status (100 ids) with / without favoriteCount: p99 ${result.withCounts.p99} / ${result.withoutCounts.p99} ms ` +
      `= ${result.p99Ratio}`,
  )
  return result
}
