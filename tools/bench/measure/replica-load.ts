/**
 * What analytics on a read replica buys the app: POST /favorites of fresh users (each a new favourite, spread over
 * the activities) alone, then with a concurrent dashboard load (the largest company's table, a new period each
 * request, so neither cache nor coalescing answers it) read from the replica, then the same load read from the
 * primary. Three Workers, so each case has the same processes: one sends the writes, one the analytics on the
 * replica (`ANALYTICS_DATABASE_URL`), one the analytics on the primary.
 */
import { readFileSync } from 'node:fs'
import { addFreshUsers } from '../generate'
import { type LoadResult, runLoad } from '../load'
import { log } from '../log'
import type { MeasurementPlan } from '../measurement-plans'
import { withClient } from '../postgres'
import type { ReplicaLoad, ReplicaLoadCase } from '../results'
import { ANALYTICS_UNCACHED, type Samples, userToken } from '../routes'
import type { RunningWorker } from '../worker'
import { type FreshUser, PROVISIONED_RATE, writeRoute } from './write-contention'

const LAG_SAMPLE_MS = 250

export interface ReplicaWorkers {
  writer: RunningWorker
  analyticsOnReplica: RunningWorker
  analyticsOnPrimary: RunningWorker
}

/** The largest `replay_lag` (ms) of any standby seen on the primary while `run` runs. */
async function withReplayLag<T>(primaryUrl: string, run: () => Promise<T>): Promise<[T, number]> {
  let max = 0
  let running = true
  const sampler = withClient(primaryUrl, async (client) => {
    while (running) {
      const r = await client.query<{ ms: number | null }>(
        'SELECT max(extract(epoch FROM replay_lag) * 1000)::float8 AS ms FROM pg_stat_replication',
      )
      max = Math.max(max, r.rows[0]?.ms ?? 0)
      await new Promise((resolve) => setTimeout(resolve, LAG_SAMPLE_MS))
    }
  })
  try {
    return [await run(), Math.round(max * 10) / 10]
  } finally {
    running = false
    await sampler
  }
}

/** A load that got no answer at all: the Worker's last log lines, before its work dir is removed. */
function reportSilentWorker(run: LoadResult | undefined, worker: RunningWorker, what: string): void {
  if (!run || run.requests > 0) return
  let tail = '(no log)'
  try {
    tail = readFileSync(worker.logFile, 'utf8').split('\n').slice(-20).join('\n')
  } catch {
    // The log is gone: nothing more to say.
  }
  log(
    `  replica stage: ${what} got no answer (${run.errors} socket errors); ${worker.logFile} ends:\n${tail}`,
  )
}

export async function measureReplicaLoad(
  databaseUrl: string,
  workers: ReplicaWorkers,
  samples: Samples,
  plan: MeasurementPlan,
  connections: number,
  meta: Pick<ReplicaLoad, 'scale' | 'replication'>,
): Promise<ReplicaLoad> {
  const seconds = 3 * plan.loadSeconds + plan.warmupSeconds
  const userIds = await withClient(databaseUrl, (client) =>
    addFreshUsers(client, Math.ceil(PROVISIONED_RATE * seconds)),
  )
  const users: FreshUser[] = []
  for (const id of userIds) users.push({ id, token: await userToken(id) })
  let next = 0
  const writes = writeRoute(
    'writeSpread',
    'POST /favorites, spread',
    users,
    () => next++,
    (k) => samples.activities[(k * 7) % samples.activities.length] as string,
  )
  const load = (worker: RunningWorker, route = writes) =>
    runLoad(worker.baseUrl, route, samples, connections, plan.loadSeconds, 0, { serverTiming: true })
  await runLoad(workers.writer.baseUrl, writes, samples, connections, plan.warmupSeconds)

  const cases: ReplicaLoadCase[] = []
  const record = (c: ReplicaLoadCase) => {
    cases.push(c)
    log(
      `  replica stage, ${c.key}: writes p99 ${c.writes.latencyMs.p99} ms (database p99 ${c.writes.dbMs?.p99 ?? '?'} ms)` +
        (c.analytics ? `; analytics ${c.analytics.requestsPerSecond} req/s` : '') +
        `; replay lag up to ${c.replayLagMaxMs} ms`,
    )
  }
  const [alone, aloneLag] = await withReplayLag(databaseUrl, () => load(workers.writer))
  record({ key: 'alone', label: 'writes alone', writes: alone, replayLagMaxMs: aloneLag })
  reportSilentWorker(alone, workers.writer, 'the writes alone')
  for (const [key, worker, label] of [
    ['replica', workers.analyticsOnReplica, 'writes + analytics on the replica'],
    ['primary', workers.analyticsOnPrimary, 'writes + analytics on the primary'],
  ] as const) {
    const [[w, a], lag] = await withReplayLag(databaseUrl, () =>
      Promise.all([load(workers.writer), load(worker, ANALYTICS_UNCACHED)]),
    )
    record({ key, label, writes: w, analytics: a, replayLagMaxMs: lag })
    reportSilentWorker(w, workers.writer, `the writes (${key})`)
    reportSilentWorker(a, worker, `the analytics (${key})`)
  }
  return { ...meta, connections, cases }
}
