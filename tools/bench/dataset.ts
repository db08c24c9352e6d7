/**
 * One data set: a fresh database, migrated through the Neon HTTP path and filled by the generator, then measured
 * against the running Worker: query plans, deep pagination, round trips, optionally (the run's last data set) the
 * analytics matrix of the largest company, end to end and the hot-activity writes, and whether the favourite
 * counts kept by the triggers (drizzle/0004_favorite_counts.sql) are still in step with the favourites afterwards.
 */
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { LOCAL_DATABASE_URL } from '../db/connect'
import { migrateDatabase } from '../db/migrate'
import { ROOT } from '../root'
import { startCaptureProxy } from './capture-proxy'
import { onCleanup } from './cleanup'
import { generateData, type Scale, vacuumCountTables } from './generate'
import { log } from './log'
import { measureAnalyticsMatrix } from './measure/analytics-matrix'
import { measureDeepPagination } from './measure/deep-pagination'
import { measureEndToEnd } from './measure/end-to-end'
import { measurePlans } from './measure/plans'
import { checkRollups, rollupMismatches } from './measure/rollups'
import { measureRoundTrips } from './measure/round-trips'
import { measureStatusCounts } from './measure/status-counts'
import { measureWriteContention } from './measure/write-contention'
import { type MeasurementPlan, NEON_SERVER_POOL_SIZE } from './measurement-plans'
import { createBenchDatabase, withClient } from './postgres'
import type { AnalyticsMatrix, DatasetResult, E2eResult, WriteContention } from './results'
import { drawSamples, ROUTES } from './routes'
import { type ScriptChild, startScriptChild } from './script-child'
import { type Stage, timed } from './stages'
import { startBareWorker, startLadderWorker, startMiniflareWorker, startWranglerDevWorker } from './worker'

/** The local Neon-protocol server in a child process; resolves with its /sql URL. */
export function startNeonServer(
  databaseUrl: string,
  logFile: string,
  replicaUrl?: string,
): Promise<ScriptChild> {
  return startScriptChild(
    'local Neon-protocol server',
    join(ROOT, 'tools', 'bench', 'neon-server.ts'),
    [databaseUrl, String(NEON_SERVER_POOL_SIZE), ...(replicaUrl ? [replicaUrl] : [])],
    logFile,
  )
}

export async function runDataset(
  scale: Scale,
  plan: MeasurementPlan,
  adminUrl: string,
  workDir: string,
  /** The Worker's bundle (bundle.ts's bundleEntry). */
  bundle: string,
  withEndToEnd: boolean,
  concurrency: number[],
): Promise<{
  dataset: DatasetResult
  e2e: E2eResult[]
  /** `wrangler dev`'s start-up (its comparison row). */
  wranglerDevStartupMs: number[]
  writeContention?: WriteContention
}> {
  log(
    `data set ${scale.name}: ${scale.users} users, ${scale.activities} activities, ${scale.favorites} favourites`,
  )
  const stages: Stage[] = []
  const database = await createBenchDatabase(adminUrl, scale.name)
  const dropDatabase = onCleanup(`database ${database.name}`, () => database.drop())
  const neon = await startNeonServer(database.url, join(workDir, `neon-local-${scale.name}.log`))
  await timed(stages, 'migrate', () => migrateDatabase(LOCAL_DATABASE_URL, neon.url))
  log('  migrated through the Neon HTTP path')
  const data = await timed(stages, 'generate', () => generateData(database.url, scale, (line) => log(line)))
  log(
    `  generated in ${data.totalSeconds} s: ${data.favorites} favourites; heaviest user ${data.heaviestUser.favorites}; ` +
      `largest company ${data.largestCompany.activities} activities / ${data.largestCompany.favorites} favourites`,
  )
  const samples = await withClient(database.url, (client) =>
    drawSamples(
      client,
      { users: plan.planUsers + plan.roundTripRepeats * ROUTES.length, companies: plan.planCompanies },
      data,
    ),
  )

  const proxy = await startCaptureProxy(neon.url)
  const closeProxy = onCleanup('capture proxy', () => proxy.close())
  const workerStartupMs: number[] = []
  const worker = await startMiniflareWorker(bundle, {
    endpoint: proxy.url,
    logFile: join(workDir, `worker-${scale.name}-capture.log`),
  })
  workerStartupMs.push(worker.startupMs)
  log(`  the Worker (Miniflare) answered /health after ${worker.startupMs} ms`)

  // Plans first: captured requests are answered 503, so nothing is cached or written before them.
  const plans = await timed(stages, 'plans', () => measurePlans(database.url, proxy, worker, samples, plan))
  // The write plans ran thousands of rolled-back writes (a batch is 100 each), leaving dead row versions in the
  // count tables that the analytics stages would wade through: vacuumed, as autovacuum would in time.
  await withClient(database.url, (client) => vacuumCountTables(client))
  // The matrix only where the run also goes end to end: the largest company of the run's largest data set.
  let analyticsMatrix: AnalyticsMatrix | undefined
  if (withEndToEnd) {
    analyticsMatrix = await timed(stages, 'analytics matrix', () =>
      measureAnalyticsMatrix(database.url, proxy, worker, samples, plan.analyticsMatrixSamples),
    )
  }
  const statusCounts = await timed(stages, 'status counts', () =>
    measureStatusCounts(database.url, proxy, worker, samples, Math.min(plan.planUsers, samples.users.length)),
  )
  const deepPagination = await timed(stages, 'deep pagination', () =>
    measureDeepPagination(database.url, proxy, worker, samples, plan.deepRepeats),
  )
  log(
    `  deep pagination: page ${deepPagination.page} p50 ${deepPagination.deep.p50} ms vs first ${deepPagination.first.p50} ms ` +
      `(x${deepPagination.deepVsFirstP50}); OFFSET ${deepPagination.offset.p50} ms`,
  )
  const roundTrips = await timed(stages, 'round trips', () =>
    measureRoundTrips(worker, neon.url, samples, plan.roundTripRepeats),
  )
  for (const r of roundTrips)
    log(`  round trips ${r.route}: ${r.counts.join(', ')} (statuses ${r.statuses.join(', ')})`)
  await worker.stop()
  await closeProxy()

  let e2e: E2eResult[] = []
  let writeContention: WriteContention | undefined
  const wranglerDevStartupMs: number[] = []
  if (withEndToEnd) {
    const harness = {
      api: await startMiniflareWorker(bundle, {
        endpoint: neon.url,
        logFile: join(workDir, `worker-${scale.name}-e2e.log`),
      }),
      ladder: await startLadderWorker(workDir, {
        endpoint: neon.url,
        logFile: join(workDir, `ladder-${scale.name}.log`),
      }),
      bare: await startBareWorker(workDir, join(workDir, 'bare-worker.log')),
      wranglerDev: await startWranglerDevWorker({
        endpoint: neon.url,
        stateDir: mkdtempSync(join(workDir, 'wrangler-state-')),
        logFile: join(workDir, `wrangler-${scale.name}-e2e.log`),
      }),
      neonLocal: neon,
    }
    workerStartupMs.push(harness.api.startupMs)
    wranglerDevStartupMs.push(harness.wranglerDev.startupMs)
    log(
      `  end to end: the Worker (Miniflare) answered /health after ${harness.api.startupMs} ms, ` +
        `wrangler dev after ${harness.wranglerDev.startupMs} ms`,
    )
    e2e = await timed(stages, 'end to end', () =>
      measureEndToEnd(harness, samples, plan, concurrency, scale.name),
    )
    await harness.wranglerDev.stop()
    await harness.bare.stop()
    await harness.ladder.stop()
    writeContention = await timed(stages, 'write contention', () =>
      measureWriteContention(database.url, harness.api, samples, plan, concurrency, scale.name),
    )
    await harness.api.stop()
  }
  const rollupCheck = await timed(stages, 'recount', () =>
    checkRollups(
      database.url,
      withEndToEnd
        ? 'the bulk load, the round-trip writes and the concurrent end-to-end writes (the hot-activity ones included)'
        : 'the bulk load and the round-trip writes',
    ),
  )
  const differing = rollupMismatches(rollupCheck)
    .map(([what, n]) => `${n} ${what}`)
    .join(', ')
  log(
    `  kept counts vs recount: ${differing} mismatches; backfill ${rollupCheck.backfillComplete ? 'complete' : 'NOT complete'}`,
  )
  await neon.stop()
  await dropDatabase()
  return {
    dataset: {
      scale: scale.name,
      data,
      stages,
      rollupCheck,
      workerStartupMs,
      roundTrips,
      plans,
      deepPagination,
      ...(analyticsMatrix ? { analyticsMatrix } : {}),
      statusCounts,
    },
    e2e,
    wranglerDevStartupMs,
    ...(writeContention ? { writeContention } : {}),
  }
}
