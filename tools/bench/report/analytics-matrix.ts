/**
 * The analytics matrix of the largest company (measure/analytics-matrix.ts): a table of its cases, its rows of the
 * targets table (one per target, judged by the worst case), and what the missed-targets section says of them.
 */
import { MATRIX_TARGETS_MS } from '../analytics-matrix'
import { TIMED_RUNS } from '../plans'
import type { AnalyticsMatrix, AnalyticsMatrixCase, BenchResults, DatasetResult } from '../results'
import { count, fmt, type Row, table, verdict } from './format'

/** Targets rows of the matrix start with this (missed-targets.ts tells them from the older analytics rows). */
export const MATRIX_ROW = 'Analytics matrix'
/** Lines of the worst case's plan the report keeps (the JSON keeps all). */
const PLAN_LINES = 60

const matrixOf = (r: BenchResults): { d: DatasetResult; m: AnalyticsMatrix } | undefined => {
  const d = r.datasets.findLast((x) => x.analyticsMatrix !== undefined)
  return d?.analyticsMatrix ? { d, m: d.analyticsMatrix } : undefined
}

const met = (c: AnalyticsMatrixCase) =>
  c.targetMs === undefined ? undefined : c.executionMs.p99 <= c.targetMs

/** The groups the issue sets one target for. */
function groups(m: AnalyticsMatrix): { name: string; targetMs: number; cases: AnalyticsMatrixCase[] }[] {
  const rows = m.cases.find((c) => c.kind === 'csv')?.label.match(/\(([\d,]+) rows\)/)?.[1] ?? '?'
  return [
    {
      name: 'table page (20 rows), every sort, UTC and Asia/Kathmandu, 30 days',
      targetMs: MATRIX_TARGETS_MS.table30,
      cases: m.cases.filter((c) => c.kind === 'table' && c.days === 30),
    },
    {
      name: 'table page (20 rows), every sort, UTC and Asia/Kathmandu, 366 days',
      targetMs: MATRIX_TARGETS_MS.table366,
      cases: m.cases.filter((c) => c.kind === 'table' && c.days === 366),
    },
    {
      name: `CSV of the whole table (${rows} rows), both zones, 30 days`,
      targetMs: MATRIX_TARGETS_MS.csv,
      cases: m.cases.filter((c) => c.kind === 'csv'),
    },
    {
      name: 'daily timeseries, both zones, 30 days',
      targetMs: MATRIX_TARGETS_MS.timeseries,
      cases: m.cases.filter((c) => c.kind === 'timeseries'),
    },
  ].filter((g) => g.cases.length > 0)
}

/** One targets row per group: the worst p99 of its cases against the target. */
export function matrixTargetRows(r: BenchResults): Row[] {
  const found = matrixOf(r)
  if (!found) return []
  return groups(found.m).map((g) => {
    const worst = g.cases.reduce((a, c) => (c.executionMs.p99 > a.executionMs.p99 ? c : a))
    const missed = g.cases.filter((c) => met(c) === false).length
    return [
      `${MATRIX_ROW}: ${g.name}, largest company (${found.d.scale}), database p99`,
      `≤ ${g.targetMs} ms`,
      `worst ${fmt(worst.executionMs.p99)} ms (${worst.label})` +
        (missed > 0 ? `; ${missed} of ${g.cases.length} over` : ''),
      verdict(missed === 0),
    ]
  })
}

function truncated(plan: string): string {
  const lines = plan.split('\n')
  if (lines.length <= PLAN_LINES) return plan
  return [
    ...lines.slice(0, PLAN_LINES),
    `... (${lines.length - PLAN_LINES} more lines in the JSON results)`,
  ].join('\n')
}

export function analyticsMatrixSection(r: BenchResults): string[] {
  const found = matrixOf(r)
  if (!found) return []
  const { d, m } = found
  const worst = m.cases.find((c) => c.key === m.worst.key)
  const sql = m.worst.sql.trim()
  return [
    `### The analytics matrix (largest company, ${d.scale}: ${count(m.company.activities)} activities, ${count(m.company.favorites)} favourites)`,
    '',
    `Each question ${m.samplesPerCase} times, one at a time, captured like the plans above (answered 503 by the proxy, never cached) and ` +
      `run under \`EXPLAIN (ANALYZE, BUFFERS)\` (a warm-up and ${TIMED_RUNS} timed runs, the median kept); p50/p99 of database time across the samples, in ms. ` +
      "Periods are whole days of the zone (`from` and `to` as dates, the zone's midnights): sample i ends i days before the zone's next midnight, " +
      'so no two samples ask the same question. These requests are not part of the end-to-end load.',
    '',
    table(
      ['case', 'p50 (ms)', 'p99 (ms)', 'target (ms)', 'met?'],
      m.cases.map((c) => {
        const ok = met(c)
        return [
          c.label,
          fmt(c.executionMs.p50),
          fmt(c.executionMs.p99),
          c.targetMs === undefined ? '—' : `≤ ${c.targetMs}`,
          ok === undefined ? '— (no target)' : verdict(ok),
        ]
      }),
    ),
    '',
    "<details><summary>Where the time goes: each case's slowest sample, its plan's top node and the node with the most time of its own</summary>",
    '',
    table(
      ['case', 'buffers p50', 'top node', 'most time of its own'],
      m.cases.map((c) => [
        c.label,
        fmt(c.buffers.p50, 0),
        `\`${c.slowest.topNode}\``,
        `\`${c.slowest.heaviestNode}\``,
      ]),
    ),
    '',
    '</details>',
    '',
    '<details><summary>' +
      `The plan of the case with the highest p99 for its target: ${worst?.label ?? m.worst.key} (\`${m.worst.path}\`, its slowest sample)` +
      `</summary>\n\n\`\`\`\n${sql.length > 4000 ? `${sql.slice(0, 4000)} ...` : sql}\n\n-- params: ${JSON.stringify(m.worst.params)}\n\n` +
      `${truncated(m.worst.plan)}\n\`\`\`\n\n</details>`,
    '',
  ]
}

/** The missed-targets bullet: each case over its target with its plan's top and heaviest nodes. */
export function matrixMiss(r: BenchResults): string | undefined {
  const found = matrixOf(r)
  const over = found?.m.cases.filter((c) => met(c) === false) ?? []
  if (!found || over.length === 0) return undefined
  return (
    `- **${MATRIX_ROW}, largest company** (${found.d.scale}): ` +
    over
      .map(
        (c) =>
          `${c.label}: p99 ${fmt(c.executionMs.p99)} ms over ${c.targetMs} ms, top node \`${c.slowest.topNode}\`, ` +
          `most time of its own in \`${c.slowest.heaviestNode}\``,
      )
      .join('; ') +
    `. The plan of the furthest over (${found.m.worst.key}) is in section 5 (collapsed).`
  )
}
