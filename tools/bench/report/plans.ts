/** Section 3: the plan of each route's SQL per data set, and how it scales from 100k to 10M. */
import { TIMED_RUNS } from '../plans'
import type { BenchResults, DatasetResult, RoutePlan } from '../results'
import { ratio } from '../stats'
import {
  BUSINESS,
  count,
  details,
  fmt,
  isLargestCompany,
  planOf,
  type Row,
  TARGETS,
  table,
  verdict,
} from './format'

const subjectName = (p: RoutePlan) => p.subject.replace(/ \(.*\)/, '')

function timingRows(d: DatasetResult): Row[] {
  return d.plans.map((p) => [
    p.label,
    subjectName(p),
    p.samples,
    fmt(p.executionMs.p50),
    fmt(p.executionMs.p95),
    fmt(p.executionMs.p99),
    fmt(p.planningMs.p50),
    fmt(p.buffers.p50, 0),
    p.seqScanFavorites === 0 ? 'none' : `**${p.seqScanFavorites}**`,
  ])
}

function scanShapes(p: RoutePlan): string {
  return p.scanShapes
    .slice(0, 3)
    .map((s) => `${s.count}× ${s.scans.map((x) => `\`${x}\``).join(', ')}`)
    .join('<br>')
}

function dataSetPlans(d: DatasetResult, withExamples: boolean): string[] {
  const lines = [
    `### ${d.scale} (${count(d.data.favorites)} favourites)`,
    '',
    table(
      [
        'route',
        'subject',
        'n',
        'p50',
        'p95',
        'p99',
        'planning p50',
        'buffers p50',
        'seq scans of favourites',
      ],
      timingRows(d),
    ),
    '',
    table(
      ['route', 'subject', 'scan nodes (most common plan shapes)'],
      d.plans.map((p) => [p.label, subjectName(p), scanShapes(p)]),
    ),
    '',
  ]
  if (!withExamples) return lines
  for (const p of d.plans.filter((x) => isLargestCompany(x) || x.subject === 'random users')) {
    lines.push(
      details(
        `${p.label}: the statement and its plan (${isLargestCompany(p) ? 'largest company' : 'heaviest user'})`,
        `${p.example.sql.trim()}\n\n-- params: ${JSON.stringify(p.example.params)}\n\n${p.example.plan}`,
      ),
      '',
    )
  }
  return lines
}

function scaleComparison(small: DatasetResult, full: DatasetResult): string[] {
  const rows = full.plans
    .filter((p) => !isLargestCompany(p))
    .map((p) => {
      const s = planOf(small, p.route, 'random')
      const q = s ? ratio(p.executionMs.p99, s.executionMs.p99) : Number.NaN
      return [
        p.label,
        `${fmt(s?.executionMs.p50, 3)} / ${fmt(p.executionMs.p50, 3)}`,
        fmt(s?.executionMs.p99, 3),
        fmt(p.executionMs.p99, 3),
        fmt(q),
        BUSINESS.includes(p.route) ? 'n/a (business)' : verdict(q <= TARGETS.scaleRatio),
      ]
    })
  return [
    '### 10M vs 100k',
    '',
    table(
      [
        'route',
        'p50 at 100k / 10M (ms)',
        'p99 at 100k (ms)',
        'p99 at 10M (ms)',
        'p99 ratio',
        `target ≤ ${TARGETS.scaleRatio}`,
      ],
      rows,
    ),
    '',
  ]
}

export function plansSection(r: BenchResults): string[] {
  const small = r.datasets.find((d) => d.scale === 'small')
  const full = r.datasets.find((d) => d.scale === 'full')
  const main = r.datasets.at(-1)
  return [
    '## 3. Query plans at scale',
    '',
    'Each route is called on the running Worker through a proxy (`tools/bench/capture-proxy.ts`) that records the SQL and parameters ' +
      'as the driver sends them and answers 503 without running them, so writes change nothing. Each captured statement then runs on ' +
      `PostgreSQL under \`EXPLAIN (ANALYZE, BUFFERS)\` (writes inside \`BEGIN ... ROLLBACK\`): once to warm up, then ${TIMED_RUNS} times, ` +
      "keeping the median. p50/p95/p99 are across samples of PostgreSQL's `Execution Time` (`Planning Time` separately), in ms. " +
      'Users and companies are drawn at random; analytics also repeats the largest company. ' +
      "EXPLAIN ANALYZE's per-node timing inflates plans that touch many rows (analytics).",
    '',
    ...r.datasets.flatMap((d) => dataSetPlans(d, d === main)),
    ...(small && full ? scaleComparison(small, full) : []),
  ]
}
