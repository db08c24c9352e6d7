/**
 * The SQL each route sends, captured by the proxy in front of the local server, under EXPLAIN (ANALYZE, BUFFERS)
 * for sampled users and companies: timings, buffers, scan nodes, sequential scans of the favourites.
 */
import type { CapturedRequest, CaptureProxy } from '../capture-proxy'
import { log } from '../log'
import type { MeasurementPlan } from '../measurement-plans'
import { explainCaptured, explainText, type PlanSample } from '../plans'
import { withClient } from '../postgres'
import type { RoutePlan } from '../results'
import { forLargestCompany, ROUTES, type RouteCase, type Samples, send } from '../routes'
import { percentiles } from '../stats'
import type { RunningWorker } from '../worker'

function summarizePlans(
  route: RouteCase,
  subject: string,
  results: PlanSample[],
  example: RoutePlan['example'],
): RoutePlan {
  const shapes = new Map<string, number>()
  for (const r of results) {
    const key = JSON.stringify(r.scans)
    shapes.set(key, (shapes.get(key) ?? 0) + 1)
  }
  return {
    route: route.key,
    label: route.label,
    subject,
    samples: results.length,
    executionMs: percentiles(results.map((r) => r.executionMs)),
    planningMs: percentiles(results.map((r) => r.planningMs)),
    buffers: percentiles(
      results.map((r) => r.buffers),
      0,
    ),
    seqScanFavorites: results.filter((r) => r.seqScanFavorites).length,
    scanShapes: [...shapes]
      .sort((a, b) => b[1] - a[1])
      .map(([scans, count]) => ({ scans: JSON.parse(scans) as string[], count })),
    example,
  }
}

/**
 * Calls the route `count` times (`parallel` at a time) with the proxy in capture mode and returns what the Worker
 * sent. Every request must send exactly one statement: the total captured must equal the number of requests.
 */
export async function capture(
  proxy: CaptureProxy,
  worker: RunningWorker,
  route: RouteCase,
  samples: Samples,
  count: number,
  parallel = 8,
): Promise<{ queries: CapturedRequest[] }> {
  proxy.mode = 'capture'
  proxy.take()
  let next = 0
  const statuses = new Map<number, number>()
  try {
    await Promise.all(
      Array.from({ length: Math.min(parallel, count) }, async () => {
        while (next < count) {
          const i = next++
          const answer = await send(worker.baseUrl, route.request(samples, i))
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
        }
      }),
    )
  } finally {
    proxy.mode = 'pass'
  }
  const queries = proxy.take()
  if (queries.length !== count || queries.some((q) => q.queries.length !== 1)) {
    throw new Error(
      `${route.label}: expected ${count} single-statement database requests, captured ${queries.length} ` +
        `(statuses ${JSON.stringify(Object.fromEntries(statuses))})`,
    )
  }
  return { queries }
}

export async function measurePlans(
  databaseUrl: string,
  proxy: CaptureProxy,
  worker: RunningWorker,
  samples: Samples,
  plan: MeasurementPlan,
): Promise<RoutePlan[]> {
  const out: RoutePlan[] = []
  // `parallel`: requests in flight at once. The largest company's question is one and the same request repeated:
  // sent concurrently, the Worker may answer them from one shared run (one statement for all), so it goes one at a
  // time; a captured request is answered 503, which is never cached, so each one sends its own statement.
  const jobs: { route: RouteCase; samples: Samples; count: number; subject: string; parallel: number }[] = []
  for (const route of ROUTES) {
    if (route.key === 'health') continue
    if (route.surface === 'business') {
      jobs.push({
        route,
        samples,
        count: Math.min(plan.planCompanies, samples.companies.length),
        subject: 'random companies',
        parallel: 8,
      })
      jobs.push({
        route,
        samples: forLargestCompany(samples),
        count: plan.largestCompanyRepeats,
        subject: `the largest company (${samples.largestCompany.activities} activities, ${samples.largestCompany.favorites} favourites), repeated`,
        parallel: 1,
      })
    } else {
      jobs.push({
        route,
        samples,
        count: Math.min(route.planSamples ?? plan.planUsers, plan.planUsers, samples.users.length),
        subject: route.subject?.(samples) ?? 'random users',
        parallel: 8,
      })
    }
  }
  await withClient(databaseUrl, async (client) => {
    for (const job of jobs) {
      const started = performance.now()
      const { queries } = await capture(proxy, worker, job.route, job.samples, job.count, job.parallel)
      const results: PlanSample[] = []
      for (const q of queries) results.push(await explainCaptured(client, q, job.route.write))
      const first = queries[0]?.queries[0]
      if (!first) throw new Error(`${job.route.label}: nothing captured`)
      // The example: the heaviest user / largest company for client/business routes.
      const exampleSamples =
        job.route.surface === 'business'
          ? forLargestCompany(samples)
          : {
              ...samples,
              users: [
                {
                  ...samples.users[0],
                  id: samples.heaviestUser.id,
                  token: samples.heaviestUser.token,
                } as Samples['users'][number],
              ],
            }
      const exampleCapture =
        (await capture(proxy, worker, job.route, exampleSamples, 1)).queries[0]?.queries[0] ?? first
      const planText = await explainText(client, exampleCapture, job.route.write)
      const summary = summarizePlans(job.route, job.subject, results, {
        sql: exampleCapture.query,
        params: exampleCapture.params,
        plan: planText,
      })
      out.push(summary)
      log(
        `  plan ${job.route.key} (${job.subject.split(' (')[0]}): n=${summary.samples} p50=${summary.executionMs.p50} ` +
          `p99=${summary.executionMs.p99} ms, seq scans of favourites: ${summary.seqScanFavorites} ` +
          `(${Math.round((performance.now() - started) / 1000)} s)`,
      )
    }
  })
  return out
}
