/**
 * One data set: a fresh database, migrated through the Neon HTTP path and filled by the generator (or cloned from
 * the data set an earlier run kept: data-cache.ts), then measured
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
import { createKeptDatabase, dropKeptData, findKeptData, keepData } from './data-cache'
import { type DataSummary, generateData, type Scale, vacuumCountTables } from './generate'
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

/**
 * The data set's database, migrated through the Neon HTTP path and filled, with a local Neon-protocol server on
 * it. Throwaway (`keep` undefined): generated into a fresh database. Kept: a clone of the kept data set, generated
 * into it first when there is none (or `fresh`).
 */
async function prepareData(
  scale: Scale,
  adminUrl: string,
  workDir: string,
  keep: { fresh: boolean } | undefined,
  stages: Stage[],
) {
  const generate = async (url: string) => {
    const generator = await startNeonServer(url, join(workDir, `neon-local-${scale.name}-generate.log`))
    try {
      await timed(stages, 'migrate', () => migrateDatabase(LOCAL_DATABASE_URL, generator.url))
      log('  migrated through the Neon HTTP path')
      const data = await timed(stages, 'generate', () => generateData(url, scale, (line) => log(line)))
      log(
        `  generated in ${data.totalSeconds} s: ${data.favorites} favourites; heaviest user ${data.heaviestUser.favorites}; ` +
          `largest company ${data.largestCompany.activities} activities / ${data.largestCompany.favorites} favourites`,
      )
      return data
    } finally {
      await generator.stop()
    }
  }
  let origin: DatasetResult['origin']
  let template: string | undefined
  let data: DataSummary | undefined
  if (keep) {
    if (keep.fresh) await dropKeptData(adminUrl, scale)
    const found = await findKeptData(adminUrl, scale, log)
    const kept =
      found ?? (await keepData(adminUrl, scale, await generate(await createKeptDatabase(adminUrl, scale))))
    if (found) log(`  reusing the data set ${found.name}, generated ${found.generatedAt}`)
    origin = { kept: kept.name, generatedAt: kept.generatedAt, reused: found !== undefined }
    template = kept.name
    data = kept.data
  }
  const database = await timed(stages, template ? 'clone data set' : 'create database', () =>
    createBenchDatabase(adminUrl, scale.name, template),
  )
  const dropDatabase = onCleanup(`database ${database.name}`, () => database.drop())
  if (data === undefined) data = await generate(database.url)
  const neon = await startNeonServer(database.url, join(workDir, `neon-local-${scale.name}.log`))
  // A clone is migrated already: this checks it (a no-op) through the path a deploy takes.
  if (template) await timed(stages, 'migrate', () => migrateDatabase(LOCAL_DATABASE_URL, neon.url))
  return { database, neon, data, origin, dropDatabase }
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
  /** Keep the generated data set for later runs, or reuse the one kept (data-cache.ts); `fresh`: generate anyway. */
  keep: { fresh: boolean } | undefined,
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
  const prepared = await prepareData(scale, adminUrl, workDir, keep, stages)
  const { database, neon, data } = prepared
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
  await prepared.dropDatabase()
  return {
    dataset: {
      scale: scale.name,
      data,
      ...(prepared.origin ? { origin: prepared.origin } : {}),
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
