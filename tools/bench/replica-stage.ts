/**
 * The read-replica stage, after the data sets: a streaming replica of the bench's server, a fresh database of the
 * run's first data set (loaded after the replica started, so it streams there), a local Neon-protocol server
 * whose endpoint `replica` reads from the replica, and Workers reading analytics from it or from the primary
 * (measure/replica-load.ts). It runs apart from the data sets because their bulk loads need `wal_level = minimal`.
 */
import { join } from 'node:path'
import { LOCAL_ANALYTICS_DATABASE_URL, LOCAL_DATABASE_URL, onServerOf } from '../db/connect'
import { migrateDatabase } from '../db/migrate'
import { bundleEntry } from './bundle'
import { onCleanup } from './cleanup'
import { startNeonServer } from './dataset'
import { generateData, type Scale } from './generate'
import { log } from './log'
import { measureReplicaLoad } from './measure/replica-load'
import type { MeasurementPlan } from './measurement-plans'
import { type BenchPostgres, createBenchDatabase, withClient } from './postgres'
import type { ReplicaLoad } from './results'
import { drawSamples } from './routes'
import { startMiniflareWorker } from './worker'

const CATCH_UP_TIMEOUT_MS = 120_000

/** Waits until the replica has replayed everything the primary had written when this was called. */
async function awaitCatchUp(primaryUrl: string, replicaUrl: string): Promise<void> {
  const target = await withClient(primaryUrl, async (c) => {
    const r = await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')
    return r.rows[0]?.lsn ?? '0/0'
  })
  const deadline = Date.now() + CATCH_UP_TIMEOUT_MS
  await withClient(replicaUrl, async (c) => {
    for (;;) {
      const r = await c.query<{ done: boolean }>(
        'SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS done',
        [target],
      )
      if (r.rows[0]?.done) return
      if (Date.now() > deadline)
        throw new Error(`the replica did not catch up within ${CATCH_UP_TIMEOUT_MS} ms`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  })
}

const replicationMode = (primaryUrl: string) =>
  withClient(primaryUrl, async (c) => {
    const r = await c.query<{ mode: string | null }>(
      `SELECT max(sync_state) || ', synchronous_commit = ' || current_setting('synchronous_commit') AS mode
       FROM pg_stat_replication`,
    )
    const mode = r.rows[0]?.mode ?? 'none'
    return mode.startsWith('async') ? `asynchronous (${mode})` : mode
  })

export async function runReplicaStage(
  postgres: BenchPostgres,
  scale: Scale,
  plan: MeasurementPlan,
  workDir: string,
  connections: number,
): Promise<ReplicaLoad | string> {
  const replica = await postgres.startReplica()
  if (!replica) {
    const why =
      'not run: BENCH_DATABASE_URL is set without BENCH_REPLICA_URL (a streaming replica of that server)'
    log(`replica stage ${why}`)
    return why
  }
  log(`replica stage: data set ${scale.name}, writes and analytics at ${connections} connections`)
  const database = await createBenchDatabase(postgres.adminUrl, `replica_${scale.name}`)
  const dropDatabase = onCleanup(`database ${database.name}`, () => database.drop())
  const replicaDatabaseUrl = onServerOf(database.url, replica.url)
  const neon = await startNeonServer(
    database.url,
    join(workDir, 'neon-local-replica.log'),
    replicaDatabaseUrl,
  )
  await migrateDatabase(LOCAL_DATABASE_URL, neon.url)
  const data = await generateData(database.url, scale, () => undefined)
  await awaitCatchUp(database.url, replicaDatabaseUrl)
  log(`  ${data.favorites} favourites generated and replayed on the replica`)
  const samples = await withClient(database.url, (client) =>
    drawSamples(client, { users: plan.planUsers, companies: plan.planCompanies }, data),
  )
  const worker = (name: string, analyticsDatabaseUrl?: string) =>
    startMiniflareWorker(bundleEntry(workDir), {
      endpoint: neon.url,
      logFile: join(workDir, `worker-replica-${name}.log`),
      ...(analyticsDatabaseUrl ? { analyticsDatabaseUrl } : {}),
    })
  const writer = await worker('writer')
  const analyticsOnReplica = await worker('analytics-on-replica', LOCAL_ANALYTICS_DATABASE_URL)
  const analyticsOnPrimary = await worker('analytics-on-primary')
  try {
    return await measureReplicaLoad(
      database.url,
      { writer, analyticsOnReplica, analyticsOnPrimary },
      samples,
      plan,
      connections,
      { scale: scale.name, replication: await replicationMode(database.url) },
    )
  } finally {
    await Promise.all([writer.stop(), analyticsOnReplica.stop(), analyticsOnPrimary.stop()])
    await neon.stop()
    await dropDatabase()
  }
}
