import type { E2eResult } from '../results'
import { ANALYTICS_UNCACHED, TIMESERIES_UNCACHED } from '../routes'
import { ratio } from '../stats'
import { count, fmt, type Row, table } from './format'

/** The targets row of the concurrent uncached analytics loads starts with this. */
export const CONCURRENT_ANALYTICS_ROW = 'Concurrent analytics requests'

/**
 * The uncached analytics loads of the largest company (a new period each request: neither the cache nor
 * coalescing answers them) at the highest concurrency. Errors: any answer but 200 (503 included) and any socket
 * error or timeout.
 */
export function concurrentAnalytics(e2e: E2eResult[]) {
  const loads = e2e.filter((e) => e.route === ANALYTICS_UNCACHED.key || e.route === TIMESERIES_UNCACHED.key)
  const connections = Math.max(...loads.flatMap((e) => e.runs.map((run) => run.connections)))
  const runs = loads.flatMap((e) =>
    e.runs
      .filter((run) => run.connections === connections)
      .map((run) => ({
        route: e.route === ANALYTICS_UNCACHED.key ? 'table' : 'timeseries',
        requests: run.requests,
        errors: run.unexpected + run.errors,
        statuses: run.statuses,
        socketErrors: run.errors,
      })),
  )
  return runs.length === 0
    ? undefined
    : { connections, runs, errors: runs.reduce((a, run) => a + run.errors, 0) }
}

export const describeConcurrentAnalytics = (c: NonNullable<ReturnType<typeof concurrentAnalytics>>) =>
  c.runs
    .map(
      (run) =>
        `${run.route} ${count(run.requests)} requests, ${run.errors} errors` +
        (run.errors > 0
          ? ` (statuses ${JSON.stringify(run.statuses)}${run.socketErrors > 0 ? `, ${run.socketErrors} socket errors/timeouts` : ''})`
          : ''),
    )
    .join('; ')

/** One row per route and concurrency; the cost columns are ratios to the floor at the same concurrency. */
function rows(e2e: E2eResult[]): Row[] {
  const floor = e2e.find((e) => e.route === 'floor')
  return e2e.flatMap((e) =>
    e.runs.map((run, i) => {
      const f = floor?.runs[i]
      return [
        e.label,
        run.connections,
        fmt(run.requestsPerSecond, 0),
        fmt(run.latencyMs.p50),
        fmt(run.latencyMs.p99),
        f ? fmt(ratio(f.requestsPerSecond, run.requestsPerSecond)) : 'n/a',
        f ? fmt(ratio(run.latencyMs.p50, f.latencyMs.p50)) : 'n/a',
        f ? fmt(ratio(run.latencyMs.p99, f.latencyMs.p99)) : 'n/a',
        run.requests,
        run.unexpected === 0 ? '0' : `**${run.unexpected}** ${JSON.stringify(run.statuses)}`,
      ]
    }),
  )
}

export function endToEndSection(e2e: E2eResult[]): string[] {
  if (e2e.length === 0) return []
  const analytics = concurrentAnalytics(e2e)
  return [
    `## 4. End to end (autocannon → wrangler dev → local Neon-protocol server → PostgreSQL, ${e2e[0]?.scale} data)`,
    '',
    'Each route for a fixed duration at each concurrency after a discarded warm-up, every request with its own sampled user (token) or company. ' +
      'The floor is `GET /favorites/status?activityIds=<one id>`: bearer-token verification plus one single-row lookup through the same path. ' +
      '"cost" columns are ratios to the floor measured in the same run at the same concurrency: floor req/s ÷ route req/s, and route latency ÷ floor latency. ' +
      'autocannon, workerd, the local server and PostgreSQL share the same machine.',
    '',
    table(
      [
        'route',
        'connections',
        'req/s',
        'p50 (ms)',
        'p99 (ms)',
        'cost: throughput',
        'cost: p50',
        'cost: p99',
        'requests',
        'unexpected statuses',
      ],
      rows(e2e),
    ),
    '',
    ...(analytics
      ? [
          `${analytics.connections} concurrent analytics requests for the largest company, each a question not asked before ` +
            `(so neither the 60 s cache nor the coalescing of identical requests answers it; the "new period each request" rows): ` +
            `${describeConcurrentAnalytics(analytics)}: **${analytics.errors} errors** in all. An error is any answer but 200, ` +
            'or no answer. A status besides 200 and 503 fails the run (`tools/bench/invariants.ts`); a 503 (the database not ' +
            "answering within the Worker's deadline) depends on the machine's load and counts here as an error, not as a broken rule.",
          '',
        ]
      : []),
  ]
}
