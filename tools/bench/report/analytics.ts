/** Section 5: the analytics routes for the largest company, now and (full scale) before any kept counts. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { rollupMismatches } from '../measure/rollups'
import type { BenchResults, DatasetResult } from '../results'
import {
  BUSINESS,
  fmt,
  measuredCalendarCounts,
  measuredFavoriteCounts,
  planOf,
  type Row,
  TARGETS,
  table,
} from './format'

/** The analytics figures measured before migration 0002, when the routes counted the favourites (kept from that run). */
const BEFORE_FILE = 'bench/results/full.before-rollup.json'

function rows(d: DatasetResult | undefined, design: string): Row[] {
  return BUSINESS.flatMap((key) => {
    const p = planOf(d, key, 'largest')
    return p
      ? [
          [
            design,
            p.label,
            p.samples,
            fmt(p.executionMs.p50),
            fmt(p.executionMs.p95),
            fmt(p.executionMs.p99),
            fmt(p.buffers.p50, 0),
          ],
        ]
      : []
  })
}

export function analyticsSection(r: BenchResults, root: string): string[] {
  const main = r.datasets.at(-1)
  const beforePath = join(root, BEFORE_FILE)
  const withBefore = r.scale === 'full' && existsSync(beforePath)
  const before = withBefore ? (JSON.parse(readFileSync(beforePath, 'utf8')) as BenchResults) : undefined
  const lines = [
    '## 5. Analytics at scale (largest company)',
    '',
    measuredCalendarCounts(r)
      ? 'The routes read the favourite counts kept in step by triggers on the favourites (`drizzle/0004_favorite_counts.sql`, ' +
        '`0008_month_and_year_counts.sql`): per activity (`activity_favorite_counts`), per activity by UTC year, month, day ' +
        'and quarter-hour, and per company by UTC day and quarter-hour. A period is a signed sum of those rows ' +
        '(`src/queries/count-ranges.ts`): whole years, months and days where it covers them, and at each edge the finer rows ' +
        'or the coarser row minus the finer rows around it, whichever reads fewer; the company-wide reads are index-only ' +
        'scans of covering indexes (0007). No statement reads a favourite.'
      : measuredFavoriteCounts(r)
        ? 'The routes read the favourite counts of migration `drizzle/0004_favorite_counts.sql`, kept in step by triggers ' +
          'on the favourites: per activity (`activity_favorite_counts`), and per activity and per company by UTC day ' +
          '(`activity_favorite_day_counts`, `company_favorite_day_counts`) and by UTC quarter-hour ' +
          '(`activity_favorite_slot_counts`, `company_favorite_slot_counts`). A period is counted from the day rows of ' +
          'its whole UTC days and the quarter-hour rows of its partial first and last days; no statement reads a favourite.'
        : 'Measured on the schema before `drizzle/0004_favorite_counts.sql`: the routes then read the sharded per-activity ' +
          'and per-company daily rollups of `drizzle/0002_analytics_rollups.sql` (`activity_favorite_totals`, ' +
          '`activity_favorite_days`, `company_favorite_days`, since replaced by the counts of 0004), kept in step by ' +
          "triggers on the favourites, and counted the period's partial first and last day from the favourites.",
    '',
    table(
      ['design', 'route', 'n', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'buffers p50'],
      [
        ...(before
          ? rows(
              before.datasets.find((d) => d.scale === 'full'),
              `before migration 0002 (${before.startedAt.slice(0, 16)}Z)`,
            )
          : []),
        ...rows(main, `now (${main?.scale})`),
      ],
    ),
    '',
    `Database time under EXPLAIN ANALYZE for the largest company (target p99 ≤ ${TARGETS.analyticsP99Ms} ms). The end-to-end figures above add the Worker and HTTP hops.` +
      (before
        ? ` "Before" rows come from \`${BEFORE_FILE}\`, the same benchmark on the schema before migration 0002, whose routes counted the period from the favourites (that harness timed each sample once, without the warm-up and median).`
        : ''),
    '',
  ]
  const checks = r.datasets.flatMap((d) => (d.rollupCheck ? [{ scale: d.scale, check: d.rollupCheck }] : []))
  if (checks.length > 0) {
    lines.push(
      'Kept counts in step: after each data set, the favourites are recounted per key and compared with the counts the ' +
        (measuredFavoriteCounts(r)
          ? "triggers kept (activity: each activity's total, newest favourite and company; the others: the counts of " +
            'the year, month, day and quarter-hour tables): '
          : "triggers kept (activity: each activity's total and newest favourite; company-day: the company's day " +
            'counts): ') +
        checks
          .map(({ scale, check }) => {
            const counted = rollupMismatches(check)
              .map(([what, n]) => `${n} ${what}`)
              .join(', ')
            const backfill =
              check.backfillComplete === undefined
                ? ''
                : `, backfill ${check.backfillComplete ? 'complete' : '**not complete**'}`
            return `${scale}: ${counted} mismatches after ${check.checkedAfter}${backfill}`
          })
          .join('; ') +
        '.',
      '',
    )
  }
  return lines
}
