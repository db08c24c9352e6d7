/**
 * Section 4, continued: POST /favorites of fresh users on one hot activity, on one company's activities, and
 * spread over every company's (measure/write-contention.ts), side by side per concurrency.
 */
import type { LoadResult } from '../load'
import type { BenchResults, WriteContention } from '../results'
import { ratio } from '../stats'
import { count, fmt, type Row, table } from './format'

/** A p99 this many times the spread case's at the same concurrency counts as queueing on the shared rows. */
export const QUEUEING_RATIO = 1.5

function runRows(w: WriteContention): Row[] {
  return w.cases.flatMap((c) =>
    c.runs.map((run) => {
      const other = Object.entries(run.statuses).filter(([code]) => code !== '200' && code !== '201')
      return [
        c.key,
        run.connections,
        fmt(run.requestsPerSecond, 0),
        fmt(run.latencyMs.p50),
        fmt(run.latencyMs.p99),
        fmt(run.dbMs?.p50),
        fmt(run.dbMs?.p99),
        run.requests,
        run.statuses['201'] ?? 0,
        run.statuses['200'] ?? 0,
        other.length === 0 && run.errors === 0
          ? '0'
          : `**${other.reduce((a, [, n]) => a + n, 0) + run.errors}** ${JSON.stringify(Object.fromEntries(other))}` +
            (run.errors > 0 ? `, ${run.errors} socket errors/timeouts` : ''),
      ]
    }),
  )
}

const runAt = (w: WriteContention, key: string, connections: number): LoadResult | undefined =>
  w.cases.find((c) => c.key === key)?.runs.find((run) => run.connections === connections)

/** Per concurrency: the hot and company cases' p99s over the spread case's, and whether that is queueing. */
function ratioRows(w: WriteContention): Row[] {
  const connections = [...new Set(w.cases.flatMap((c) => c.runs.map((run) => run.connections)))]
  return connections.map((n) => {
    const spread = runAt(w, 'spread', n)
    const hot = runAt(w, 'hot', n)
    const company = runAt(w, 'company', n)
    const e2e = ratio(hot?.latencyMs.p99 ?? Number.NaN, spread?.latencyMs.p99 ?? Number.NaN)
    const db = ratio(hot?.dbMs?.p99 ?? Number.NaN, spread?.dbMs?.p99 ?? Number.NaN)
    // Database time when the Worker reported it (the end-to-end figure also carries workerd's own queue).
    const judged = Number.isNaN(db) ? e2e : db
    return [
      n,
      fmt(e2e),
      fmt(db),
      fmt(ratio(company?.latencyMs.p99 ?? Number.NaN, spread?.latencyMs.p99 ?? Number.NaN)),
      fmt(ratio(company?.dbMs?.p99 ?? Number.NaN, spread?.dbMs?.p99 ?? Number.NaN)),
      fmt(ratio(hot?.requestsPerSecond ?? Number.NaN, spread?.requestsPerSecond ?? Number.NaN)),
      Number.isNaN(judged)
        ? 'n/a'
        : judged > QUEUEING_RATIO
          ? `**yes** (×${fmt(judged)})`
          : `no (×${fmt(judged)} ≤ ${QUEUEING_RATIO})`,
    ]
  })
}

export function writeContentionSection(r: BenchResults): string[] {
  const w = r.writeContention
  if (!w) return []
  const added = w.hotActivity.favoritesAfter - w.hotActivity.favoritesBefore
  return [
    `### Hot activity vs spread writes (${w.scale} data)`,
    '',
    'POST /favorites under the same load, each request a new favourite of a user who has none (' +
      `${count(w.freshUsers)} inserted for these runs; a reused one would answer 200, counted as "existing"): ` +
      `**hot**: all to one activity (\`${w.hotActivity.id}\`, the largest company's most favourited), so every statement updates ` +
      "the same activity count row and the same company day and quarter-hour rows; **company**: the largest company's " +
      `${count(w.cases.find((c) => c.key === 'company')?.activities ?? 0)} other activities (its company rows shared, activity rows not); ` +
      `**spread**: ${count(w.cases.find((c) => c.key === 'spread')?.activities ?? 0)} random activities of every company. ` +
      "Database time is the Worker's own (`Server-Timing: db`): its round trip to the local server and PostgreSQL, a wait for a pooled connection included. " +
      'Runs alternate hot, company, spread at each concurrency.',
    '',
    table(
      [
        'case',
        'connections',
        'req/s',
        'p50 (ms)',
        'p99 (ms)',
        'database p50 (ms)',
        'database p99 (ms)',
        'requests',
        'new (201)',
        'existing (200)',
        'other statuses',
      ],
      runRows(w),
    ),
    '',
    table(
      [
        'connections',
        'p99 hot / spread',
        'database p99 hot / spread',
        'p99 company / spread',
        'database p99 company / spread',
        'req/s hot / spread',
        'hot case queues?',
      ],
      ratioRows(w),
    ),
    '',
    `"Queues" when the hot case's p99 (database time, else end to end) is over ${QUEUEING_RATIO}× the spread case's at the same concurrency. ` +
      `The hot activity gained ${count(added)} favourites for ${count(w.hotCreated)} requests answered 201 ` +
      (added >= w.hotCreated && added <= w.hotCreated + w.hotUnseen
        ? '(none lost; any extra are requests still in flight when a run stopped, or answered 503)'
        : `(**not** in step: at most ${count(w.hotUnseen)} requests could have written unseen)`) +
      '; the kept counts are compared with a recount after these runs (section 5).',
    '',
  ]
}
