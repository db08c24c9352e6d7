/** End to end: each route under autocannon at each concurrency, against wrangler dev on the real database. */
import type { ScaleName } from '../generate'
import { type LoadResult, runLoad } from '../load'
import { log } from '../log'
import type { MeasurementPlan } from '../measurement-plans'
import type { E2eResult } from '../results'
import {
  ANALYTICS_CACHED,
  ANALYTICS_UNCACHED,
  FLOOR_KEY,
  type RouteCase,
  routeByKey,
  type Samples,
  TIMESERIES_UNCACHED,
} from '../routes'
import type { RunningWorker } from '../worker'

const E2E_ROUTES: RouteCase[] = [
  routeByKey(FLOOR_KEY),
  routeByKey('health'),
  routeByKey('get'),
  routeByKey('list'),
  routeByKey('status'),
  routeByKey('create'),
  routeByKey('delete'),
  routeByKey('batch'),
  routeByKey('changes'),
  ANALYTICS_CACHED,
  ANALYTICS_UNCACHED,
  TIMESERIES_UNCACHED,
]

export async function measureEndToEnd(
  worker: RunningWorker,
  samples: Samples,
  plan: MeasurementPlan,
  concurrency: number[],
  scale: ScaleName,
): Promise<E2eResult[]> {
  const out: E2eResult[] = []
  let offset = 0
  for (const route of E2E_ROUTES) {
    const runs: LoadResult[] = []
    // Warm-up (discarded): JIT, connection pools, the cache entry for the cached case.
    await runLoad(worker.baseUrl, route, samples, concurrency[0] ?? 8, plan.warmupSeconds, offset)
    offset += 100_000
    for (const connections of concurrency) {
      const result = await runLoad(worker.baseUrl, route, samples, connections, plan.loadSeconds, offset)
      offset += 100_000
      runs.push(result)
      log(
        `  e2e ${route.key} c=${connections}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, ` +
          `p99 ${result.latencyMs.p99} ms, unexpected statuses ${result.unexpected}`,
      )
    }
    out.push({ scale, route: route.key, label: route.label, runs })
  }
  return out
}
