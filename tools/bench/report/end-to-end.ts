import type { LoadResult } from '../load'
import { BARE_KEY } from '../measure/end-to-end'
import { LAYERS, type Layer } from '../process-cpu'
import type { E2eResult } from '../results'
import { ANALYTICS_UNCACHED, FLOOR_KEY, TIMESERIES_UNCACHED } from '../routes'
import { ratio } from '../stats'
import { count, fmt, type Row, runAt, table } from './format'
import { ladderSection } from './lean-path'

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

const cpu = (run: LoadResult | undefined, layer: Layer) => run?.cpuMsPerRequest?.[layer]

/**
 * One row per target and concurrency: throughput against the ceiling (the bare Worker) and the floor at the same
 * concurrency, latency, and each layer's CPU per request.
 */
function rows(e2e: E2eResult[]): Row[] {
  return e2e.flatMap((e) =>
    e.runs.map((run) => {
      const ceiling = runAt(e2e, BARE_KEY, run.connections)
      const floor = runAt(e2e, FLOOR_KEY, run.connections)
      const worker = cpu(run, 'worker')
      return [
        e.label,
        run.connections,
        fmt(run.requestsPerSecond, 0),
        ceiling ? fmt(ratio(run.requestsPerSecond, ceiling.requestsPerSecond)) : 'n/a',
        floor ? fmt(ratio(floor.requestsPerSecond, run.requestsPerSecond)) : 'n/a',
        fmt(run.latencyMs.p50),
        fmt(run.latencyMs.p99),
        ...LAYERS.map((layer) => (cpu(run, layer) === undefined ? 'n/a' : fmt(cpu(run, layer), 2))),
        worker === undefined || e.kind === 'driver'
          ? 'n/a'
          : fmt(ratio(worker, cpu(floor, 'worker') ?? Number.NaN)),
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
    `## 4. End to end on the Worker's runtime (autocannon → the bundle under Miniflare/workerd → local Neon-protocol server → PostgreSQL, ${e2e[0]?.scale} data)`,
    '',
    "The Worker is the production bundle (`wrangler deploy --dry-run`'s output) under Miniflare, its requests going straight to workerd's socket: no dev proxy. " +
      'Beside the routes: the ceiling of the harness (a bare Hono Worker answering "ok", bundled the same way), the path without the Worker ' +
      '(`SELECT 1` sent by `neon()` from this Node process to the local server) and the floor route once more under `wrangler dev`, for comparison. ' +
      'Every request has its own sampled user (token) or company. ' +
      'The floor is `GET /favorites/status?activityIds=<one id>`: bearer-token verification plus one single-row lookup through the same path. ' +
      `Interleaved: after one discarded warm-up each, the run goes through every target at each concurrency in turn, ${e2e[0]?.runs[0]?.rounds ?? 1} round(s), ` +
      'so a slow moment of the machine spreads over all of them; a row sums its rounds (latency percentiles: their mean weighted by requests). ' +
      'CPU per request is read from /proc for each layer: the Worker (its process group: workerd and the Miniflare host; under `wrangler dev`, wrangler, its proxy and workerd), ' +
      "the local server (its Node process), PostgreSQL (every `postgres` process) and the load generator (autocannon, or the `neon()` client, in the benchmark's process). " +
      'It is the figure that survives a noisy machine; req/s is shown against the ceiling and the floor at the same concurrency. Everything shares the same 2 cores.',
    '',
    table(
      [
        'target',
        'connections',
        'req/s',
        'req/s ÷ ceiling',
        'cost: floor req/s ÷ req/s',
        'p50 (ms)',
        'p99 (ms)',
        'CPU/req: Worker (ms)',
        'CPU/req: local server',
        'CPU/req: PostgreSQL',
        'CPU/req: load generator',
        'Worker CPU ÷ floor',
        'requests',
        'unexpected statuses',
      ],
      rows(e2e),
    ),
    '',
    ...ladderSection(e2e),
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
