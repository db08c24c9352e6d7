/** The targets table: one row per target, measured against this run. Missed rows feed missed-targets.ts. */
import type { BenchResults } from '../results'
import { ratio } from '../stats'
import { matrixTargetRows } from './analytics-matrix'
import { CONCURRENT_ANALYTICS_ROW, concurrentAnalytics, describeConcurrentAnalytics } from './end-to-end'
import { BUSINESS, fmt, isLargestCompany, planOf, type Row, TARGETS, table, verdict } from './format'
import { leanPathTargetRows } from './lean-path'
import { syncTargetRows } from './sync'

/** Rows of `[target, goal, measured, verdict]`. */
export function targetRows(r: BenchResults): Row[] {
  const small = r.datasets.find((d) => d.scale === 'small')
  const full = r.datasets.find((d) => d.scale === 'full')
  const main = r.datasets.at(-1)
  const rows: Row[] = []
  if (small && full) {
    for (const p of full.plans.filter((x) => x.route !== 'floor' && !isLargestCompany(x))) {
      const s = planOf(small, p.route, 'random')
      if (!s || BUSINESS.includes(p.route)) continue
      const q = ratio(p.executionMs.p99, s.executionMs.p99)
      rows.push([
        `10M / 100k p99, ${p.label}`,
        `≤ ${TARGETS.scaleRatio}`,
        `${fmt(p.executionMs.p99, 3)} / ${fmt(s.executionMs.p99, 3)} ms = ${fmt(q)}`,
        verdict(q <= TARGETS.scaleRatio),
      ])
    }
  }
  if (main) {
    const dp = main.deepPagination
    rows.push([
      `Deep page ${dp.page} vs page 1, heaviest user (${main.scale})`,
      `≤ ${TARGETS.deepRatio}`,
      `p50 ${fmt(dp.deep.p50, 3)} / ${fmt(dp.first.p50, 3)} ms = ${fmt(dp.deepVsFirstP50)} (p99 ratio ${fmt(dp.deepVsFirstP99)})`,
      verdict(dp.deepVsFirstP50 <= TARGETS.deepRatio),
    ])
    for (const key of BUSINESS) {
      const p = planOf(main, key, 'largest')
      if (!p) continue
      rows.push([
        `${p.label}, largest company (${main.scale}), database p99`,
        `≤ ${TARGETS.analyticsP99Ms} ms`,
        `${fmt(p.executionMs.p99)} ms`,
        verdict(p.executionMs.p99 <= TARGETS.analyticsP99Ms),
      ])
    }
    rows.push(...matrixTargetRows(r))
    rows.push(...syncTargetRows(r))
    const analytics = concurrentAnalytics(r.e2e)
    if (analytics) {
      rows.push([
        `${CONCURRENT_ANALYTICS_ROW}, ${analytics.connections} at once, largest company, a new question each (${r.e2e[0]?.scale})`,
        '0 errors',
        describeConcurrentAnalytics(analytics),
        verdict(analytics.errors === 0),
      ])
    }
    const seq = [
      ...main.plans.filter((p) => p.route !== 'floor'),
      ...(main.analyticsMatrix?.cases ?? []),
    ].filter((p) => p.seqScanFavorites > 0)
    rows.push([
      `No sequential scan of favourites (${main.scale}, every captured statement)`,
      '0',
      seq.length === 0 ? '0' : seq.map((p) => `${p.label}: ${p.seqScanFavorites}`).join('; '),
      verdict(seq.length === 0),
    ])
    const trips = main.roundTrips.filter((t) => t.counts.some((c) => c !== t.expected))
    rows.push([
      'Database round trips per API request (1; 0 for a cached analytics repeat)',
      '1 / 0',
      trips.length === 0
        ? 'as expected on every route'
        : trips.map((t) => `${t.label}: ${t.counts.join(',')}`).join('; '),
      verdict(trips.length === 0),
    ])
  }
  rows.push(...leanPathTargetRows(r.e2e))
  rows.push([
    'Worker bundle, gzipped',
    `≤ ${TARGETS.bundleGzipKiB} KiB`,
    `${fmt(r.bundle.gzipKiB, 1)} KiB`,
    verdict(r.bundle.gzipKiB <= TARGETS.bundleGzipKiB),
  ])
  return rows
}

export function targetsSection(rows: Row[]): string[] {
  return ['## Targets', '', table(['target', 'goal', 'measured', ''], rows), '']
}
