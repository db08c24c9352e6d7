import type { E2eResult } from '../results'
import { ratio } from '../stats'
import { fmt, type Row, table } from './format'

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
  ]
}
