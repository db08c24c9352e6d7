/** Renders BENCHMARKS.md (or bench/results/<scale>.md) from the raw results of one run, section by section. */
import { analyticsSection } from './report/analytics'
import { analyticsMatrixSection } from './report/analytics-matrix'
import { dataSetsSection } from './report/data-sets'
import { deepPaginationSection } from './report/deep-pagination'
import { endToEndSection } from './report/end-to-end'
import { header } from './report/header'
import { missedTargetsSection } from './report/missed-targets'
import { plansSection } from './report/plans'
import { roundTripsSection } from './report/round-trips'
import { syncSection } from './report/sync'
import { targetRows, targetsSection } from './report/targets'
import { workerSection } from './report/worker'
import { writeContentionSection } from './report/write-contention'
import type { BenchResults } from './results'

export function renderReport(r: BenchResults, options: { root: string; resultsFile: string }): string {
  const targets = targetRows(r)
  const lines = [
    ...header(r, options.resultsFile),
    ...targetsSection(targets),
    ...dataSetsSection(r),
    ...roundTripsSection(r),
    ...plansSection(r),
    ...deepPaginationSection(r),
    ...endToEndSection(r.e2e),
    ...writeContentionSection(r),
    ...syncSection(r),
    ...analyticsSection(r, options.root),
    ...analyticsMatrixSection(r),
    ...workerSection(r),
    ...missedTargetsSection(r, targets),
    '',
  ]
  return `${lines.join('\n')}\n`
}
