/** Section 5: the analytics routes for the largest company, now and (full scale) before the rollup migration. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BenchResults, DatasetResult } from '../results'
import { BUSINESS, fmt, planOf, type Row, TARGETS, table } from './format'

/** The analytics figures measured before the rollup redesign (kept from that run). */
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
    'The routes read the per-activity and per-company daily rollups of migration `drizzle/0002_analytics_rollups.sql` ' +
      "(kept in step by triggers on the favourites), and count the period's partial first and last day from the favourites.",
    '',
    table(
      ['design', 'route', 'n', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'buffers p50'],
      [
        ...(before
          ? rows(
              before.datasets.find((d) => d.scale === 'full'),
              `before the rollup (${before.startedAt.slice(0, 16)}Z)`,
            )
          : []),
        ...rows(main, `now (${main?.scale})`),
      ],
    ),
    '',
    `Database time under EXPLAIN ANALYZE for the largest company (target p99 ≤ ${TARGETS.analyticsP99Ms} ms). The end-to-end figures above add the Worker and HTTP hops.` +
      (before
        ? ` "Before" rows come from \`${BEFORE_FILE}\`, the same benchmark on the schema before the rollup migration (that harness timed each sample once, without the warm-up and median).`
        : ''),
    '',
  ]
  const checks = r.datasets.filter((d) => d.rollupCheck)
  if (checks.length > 0) {
    lines.push(
      "Rollups kept in step: after each data set, every activity's total and newest favourite and every company-day count are recounted from the favourites and compared with the rollups: " +
        checks
          .map(
            (d) =>
              `${d.scale}: ${d.rollupCheck?.activityMismatches} activity and ${d.rollupCheck?.companyDayMismatches} company-day mismatches after ${d.rollupCheck?.checkedAfter}`,
          )
          .join('; ') +
        '.',
      '',
    )
  }
  return lines
}
