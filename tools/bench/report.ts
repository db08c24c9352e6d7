/** Renders BENCHMARKS.md (or bench/results/<scale>.md) from the raw results of one run, section by section. */
import { writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { analyticsSection } from './report/analytics'
import { analyticsMatrixSection } from './report/analytics-matrix'
import { benchCharts, writeCharts } from './report/charts'
import { dataSetsSection } from './report/data-sets'
import { deepPaginationSection } from './report/deep-pagination'
import { endToEndSection } from './report/end-to-end'
import { header } from './report/header'
import { missedTargetsSection } from './report/missed-targets'
import { plansSection } from './report/plans'
import { replicaLoadSection } from './report/replica-load'
import { roundTripsSection } from './report/round-trips'
import { syncSection } from './report/sync'
import { targetRows, targetsSection } from './report/targets'
import { workerSection } from './report/worker'
import { writeContentionSection } from './report/write-contention'
import type { BenchResults } from './results'

type ReportOptions = { root: string; resultsFile: string; chartLines?: string[] }

export function renderReport(r: BenchResults, options: ReportOptions): string {
  const targets = targetRows(r)
  const lines = [
    ...header(r, options.resultsFile),
    ...targetsSection(targets),
    ...(options.chartLines ?? []),
    ...dataSetsSection(r),
    ...roundTripsSection(r),
    ...plansSection(r),
    ...deepPaginationSection(r),
    ...endToEndSection(r.e2e),
    ...writeContentionSection(r),
    ...replicaLoadSection(r),
    ...syncSection(r),
    ...analyticsSection(r, options.root),
    ...analyticsMatrixSection(r),
    ...workerSection(r),
    ...missedTargetsSection(r, targets),
    '',
  ]
  return `${lines.join('\n')}\n`
}

/** Writes the report and its charts (SVG, in `charts/` beside the results file). */
export function writeReport(
  r: BenchResults,
  options: { root: string; resultsFile: string; reportFile: string },
) {
  const chartsDir = join(dirname(join(options.root, options.resultsFile)), 'charts')
  const chartLines = writeCharts(benchCharts(r), chartsDir, options.reportFile)
  writeFileSync(options.reportFile, renderReport(r, { ...options, chartLines }))
  return relative(options.root, chartsDir)
}
