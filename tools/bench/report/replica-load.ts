/**
 * Section 4, continued: write p99 on the primary alone, with an analytics load on the replica, and with the same
 * load on the primary (measure/replica-load.ts).
 */
import type { BenchResults, ReplicaLoad } from '../results'
import { ratio } from '../stats'
import { fmt, type Row, table } from './format'

function rows(load: ReplicaLoad): Row[] {
  const alone = load.cases.find((c) => c.key === 'alone')
  return load.cases.map((c) => [
    c.label,
    fmt(c.writes.requestsPerSecond, 0),
    fmt(c.writes.latencyMs.p50),
    fmt(c.writes.latencyMs.p99),
    fmt(c.writes.dbMs?.p99),
    fmt(ratio(c.writes.latencyMs.p99, alone?.writes.latencyMs.p99 ?? Number.NaN)),
    c.analytics ? fmt(c.analytics.requestsPerSecond, 0) : '-',
    c.analytics ? fmt(c.analytics.latencyMs.p99) : '-',
    fmt(c.replayLagMaxMs, 1),
    c.writes.unexpected + (c.analytics?.unexpected ?? 0) + c.writes.errors + (c.analytics?.errors ?? 0),
  ])
}

export function replicaLoadSection(r: BenchResults): string[] {
  const load = r.replicaLoad
  if (load === undefined) return []
  const heading = '### Analytics on a read replica'
  if (typeof load === 'string') return [heading, '', `The replica stage was ${load}.`, '']
  return [
    `${heading} (${load.scale} data, ${load.connections} connections each)`,
    '',
    'POST /favorites of fresh users spread over the activities, alone, then beside a dashboard load (the largest ' +
      "company's table, a new period each request, so neither cache nor coalescing answers it) that one Worker reads " +
      'from a streaming replica (`ANALYTICS_DATABASE_URL`) and another from the primary. Replication: ' +
      `${load.replication}. The replay lag is the primary's \`pg_stat_replication.replay_lag\`, sampled every 250 ms. ` +
      'Primary, replica, the Workers and the load generator share this machine, so the replica still takes CPU from ' +
      'the primary here; on Neon it is a compute of its own.',
    '',
    table(
      [
        'case',
        'writes req/s',
        'write p50 (ms)',
        'write p99 (ms)',
        'write database p99 (ms)',
        'write p99 / alone',
        'analytics req/s',
        'analytics p99 (ms)',
        'replay lag max (ms)',
        'unexpected statuses or errors',
      ],
      rows(load),
    ),
    '',
  ]
}
