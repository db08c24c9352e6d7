/**
 * The analytics matrix (analytics-matrix.ts) for the largest company, measured like the plans: each sample's
 * request goes to the running Worker with the proxy in capture mode (one at a time, and answered 503, which is
 * never cached, so every request sends its own statement), then the captured statement runs under EXPLAIN
 * (ANALYZE, BUFFERS): a warm-up and TIMED_RUNS timed runs, the median kept.
 */

import type { SqlQuery } from '../../neon-local/backend'
import { matrixCases } from '../analytics-matrix'
import type { CaptureProxy } from '../capture-proxy'
import { log } from '../log'
import { explainCaptured, explainText, type PlanSample } from '../plans'
import { withClient } from '../postgres'
import type { AnalyticsMatrix, AnalyticsMatrixCase } from '../results'
import type { Samples } from '../routes'
import { percentiles } from '../stats'
import type { RunningWorker } from '../worker'
import { capture } from './plans'

/** How far over its target a case is (its p99 over the target); cases without a target rank by p99 alone, last. */
const overTarget = (c: AnalyticsMatrixCase) =>
  c.targetMs === undefined ? c.executionMs.p99 / 1e6 : c.executionMs.p99 / c.targetMs

export async function measureAnalyticsMatrix(
  databaseUrl: string,
  proxy: CaptureProxy,
  worker: RunningWorker,
  samples: Samples,
  samplesPerCase: number,
): Promise<AnalyticsMatrix> {
  const started = performance.now()
  const company = samples.largestCompany
  const cases: AnalyticsMatrixCase[] = []
  const slowestStatements = new Map<string, SqlQuery>()
  const worst = await withClient(databaseUrl, async (client) => {
    for (const c of matrixCases(company.activities)) {
      // One at a time: the same question sent concurrently could be answered by one shared statement.
      const { queries } = await capture(proxy, worker, c.route, samples, samplesPerCase, 1)
      const results: { sample: PlanSample; path: string; index: number }[] = []
      for (const [index, q] of queries.entries()) {
        results.push({
          sample: await explainCaptured(client, q, false),
          path: c.route.request(samples, index).path,
          index,
        })
      }
      const slowest = results.reduce((a, r) => (r.sample.executionMs > a.sample.executionMs ? r : a))
      const statement = queries[slowest.index]?.queries[0]
      if (statement) slowestStatements.set(c.key, statement)
      const times = results.map((r) => r.sample)
      const measured: AnalyticsMatrixCase = {
        key: c.key,
        label: c.label,
        kind: c.kind,
        ...(c.sort === undefined ? {} : { sort: c.sort }),
        zone: c.zone,
        days: c.days,
        ...(c.targetMs === undefined ? {} : { targetMs: c.targetMs }),
        samples: results.length,
        executionMs: percentiles(times.map((t) => t.executionMs)),
        planningMs: percentiles(times.map((t) => t.planningMs)),
        buffers: percentiles(
          times.map((t) => t.buffers),
          0,
        ),
        seqScanFavorites: times.filter((t) => t.seqScanFavorites).length,
        slowest: {
          path: slowest.path,
          executionMs: slowest.sample.executionMs,
          topNode: slowest.sample.topNode,
          heaviestNode: slowest.sample.heaviestNode,
        },
      }
      cases.push(measured)
      log(
        `  matrix ${c.key}: n=${measured.samples} p50=${measured.executionMs.p50} p99=${measured.executionMs.p99} ms` +
          (c.targetMs === undefined ? '' : ` (target ${c.targetMs})`),
      )
    }
    const worstCase = cases.reduce((a, c) => (overTarget(c) > overTarget(a) ? c : a))
    const statement = slowestStatements.get(worstCase.key)
    if (!statement) throw new Error(`analytics matrix: no statement kept for ${worstCase.key}`)
    const plan = await explainText(client, statement, false)
    return {
      key: worstCase.key,
      path: worstCase.slowest.path,
      sql: statement.query,
      params: statement.params,
      plan,
    }
  })
  log(`  analytics matrix: ${cases.length} cases in ${Math.round((performance.now() - started) / 1000)} s`)
  return {
    company: { id: company.id, activities: company.activities, favorites: company.favorites },
    samplesPerCase,
    cases,
    worst,
  }
}
