/**
 * One data set: a fresh database, migrated through the Neon HTTP path and filled by the generator, then measured
 * against the running Worker: query plans, deep pagination, round trips, optionally (the run's last data set) the
 * analytics matrix of the largest company, end to end and the hot-activity writes, and whether the favourite
 * counts kept by the triggers (drizzle/0004_favorite_counts.sql) are still in step with the favourites afterwards.
 */
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { spawnChild } from '../child-process'
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
import { startWorker } from './worker'

/** The local Neon-protocol server in a child process; resolves with its /sql URL. */
export async function startNeonServer(
  databaseUrl: string,
  logFile: string,
  replicaUrl?: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  let resolveUrl: (url: string) => void = () => undefined
  const ready = new Promise<string>((resolve) => {
    resolveUrl = resolve
  })
  const child = spawnChild(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(ROOT, 'tools', 'bench', 'neon-server.ts'),
      databaseUrl,
      String(NEON_SERVER_POOL_SIZE),
      ...(replicaUrl ? [replicaUrl] : []),
    ],
    {
      cwd: ROOT,
      // Its stdin closing tells it the benchmark is gone.
      stdin: 'pipe',
      output: {
        kind: 'file',
        path: logFile,
        onStdoutLine: (line) => {
          if (line.startsWith('{')) resolveUrl((JSON.parse(line) as { url: string }).url)
        },
      },
    },
  )
  const stop = onCleanup('local Neon-protocol server', () => child.stop())
  const url = await Promise.race([
    ready,
    child.exited.then(() => {
      throw new Error(`the local Neon-protocol server exited; see ${logFile}`)
    }),
  ])
  return { url, stop }
}

export async function runDataset(
  scale: Scale,
  plan: MeasurementPlan,
  adminUrl: string,
  workDir: string,
  withEndToEnd: boolean,
  concurrency: number[],
): Promise<{
  dataset: DatasetResult
  e2e: E2eResult[]
  e2eStartupMs: number[]
  writeContention?: WriteContention
}> {
  log(
    `data set ${scale.name}: ${scale.users} users, ${scale.activities} activities, ${scale.favorites} favourites`,
  )
  const database = await createBenchDatabase(adminUrl, scale.name)
  const dropDatabase = onCleanup(`database ${database.name}`, () => database.drop())
  const neon = await startNeonServer(database.url, join(workDir, `neon-local-${scale.name}.log`))
  await migrateDatabase(LOCAL_DATABASE_URL, neon.url)
  log('  migrated through the Neon HTTP path')
  const data = await withClient(database.url, (client) => generateData(client, scale, (line) => log(line)))
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
  const worker = await startWorker({
    endpoint: proxy.url,
    stateDir: mkdtempSync(join(workDir, 'wrangler-state-')),
    logFile: join(workDir, `wrangler-${scale.name}-capture.log`),
  })
  workerStartupMs.push(worker.startupMs)
  log(`  wrangler dev answered /health after ${worker.startupMs} ms`)

  // Plans first: captured requests are answered 503, so nothing is cached or written before them.
  const plans = await measurePlans(database.url, proxy, worker, samples, plan)
  // The write plans ran thousands of rolled-back writes (a batch is 100 each), leaving dead row versions in the
  // count tables that the analytics stages would wade through: vacuumed, as autovacuum would in time.
  await withClient(database.url, (client) => vacuumCountTables(client))
  // The matrix only where the run also goes end to end: the largest company of the run's largest data set.
  let analyticsMatrix: AnalyticsMatrix | undefined
  if (withEndToEnd) {
    analyticsMatrix = await measureAnalyticsMatrix(
      database.url,
      proxy,
      worker,
      samples,
      plan.analyticsMatrixSamples,
    )
  }
  const statusCounts = await measureStatusCounts(
    database.url,
    proxy,
    worker,
    samples,
    Math.min(plan.planUsers, samples.users.length),
  )
  const deepPagination = await measureDeepPagination(database.url, proxy, worker, samples, plan.deepRepeats)
  log(
    `  deep pagination: page ${deepPagination.page} p50 ${deepPagination.deep.p50} ms vs first ${deepPagination.first.p50} ms ` +
      `(x${deepPagination.deepVsFirstP50}); OFFSET ${deepPagination.offset.p50} ms`,
  )
  const roundTrips = await measureRoundTrips(worker, neon.url, samples, plan.roundTripRepeats)
  for (const r of roundTrips)
    log(`  round trips ${r.route}: ${r.counts.join(', ')} (statuses ${r.statuses.join(', ')})`)
  await worker.stop()
  await closeProxy()

  let e2e: E2eResult[] = []
  let writeContention: WriteContention | undefined
  const e2eStartupMs: number[] = []
  if (withEndToEnd) {
    const direct = await startWorker({
      endpoint: neon.url,
      stateDir: mkdtempSync(join(workDir, 'wrangler-state-')),
      logFile: join(workDir, `wrangler-${scale.name}-e2e.log`),
    })
    e2eStartupMs.push(direct.startupMs)
    workerStartupMs.push(direct.startupMs)
    log(`  end to end (wrangler dev answered /health after ${direct.startupMs} ms)`)
    e2e = await measureEndToEnd(direct, samples, plan, concurrency, scale.name)
    writeContention = await measureWriteContention(
      database.url,
      direct,
      samples,
      plan,
      concurrency,
      scale.name,
    )
    await direct.stop()
  }
  const rollupCheck = await withClient(database.url, (client) =>
    checkRollups(
      client,
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
      rollupCheck,
      workerStartupMs,
      roundTrips,
      plans,
      deepPagination,
      ...(analyticsMatrix ? { analyticsMatrix } : {}),
      statusCounts,
    },
    e2e,
    e2eStartupMs,
    ...(writeContention ? { writeContention } : {}),
  }
}
