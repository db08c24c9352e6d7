/**
 * `npm run bench [-- --scale small|full|smoke]`: the performance benchmark suite. The default (`small`) stays within
 * 10 minutes on 2 cores; `--scale full` adds the 10M data set (about 17 minutes on a loaded 2-core box).
 *
 * Starts its own PostgreSQL (or uses BENCH_DATABASE_URL), and for each data set of the scale (full = the 100k
 * "small" set then the 10M set; small; smoke) creates a fresh database, migrates it through the Neon HTTP path,
 * generates the data, and measures, against the running Worker (`wrangler dev`):
 *   1. round trips per API request (the local Neon-protocol server's /stats),
 *   2. the SQL each route sends (captured by a proxy in front of the local server) under EXPLAIN (ANALYZE,
 *      BUFFERS), for sampled users/companies: plans, sequential scans, p50/p95/p99,
 *   3. deep pagination for the heaviest user (keyset page N vs page 1 vs OFFSET),
 *   4. end to end with autocannon at concurrency 8 and 32 (the last data set only),
 * plus the Worker bundle and its start-up. Writes bench/results/<scale>.json and a report (BENCHMARKS.md for full).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'
import { LOCAL_DATABASE_URL } from '../db/connect'
import { migrateDatabase } from '../db/migrate'
import type { SqlQuery } from '../neon-local/backend'
import { type BundleResult, measureBundle, measureStartup } from './bundle'
import { type CapturedRequest, type CaptureProxy, startCaptureProxy } from './capture-proxy'
import { type DataSummary, generateData, SCALES, type Scale, type ScaleName } from './generate'
import { type LoadResult, runLoad } from './load'
import { explainCaptured, explainQuery, explainText, type PlanSample, runQuery } from './plans'
import { createBenchDatabase, startBenchPostgres, withClient } from './postgres'
import { cleanupAll, installSignalHandlers, onCleanup, spawnChild } from './processes'
import { renderReport } from './report'
import {
  ANALYTICS_CACHED,
  ANALYTICS_UNCACHED,
  drawSamples,
  FLOOR_KEY,
  forLargestCompany,
  ROUTES,
  type RouteCase,
  routeByKey,
  type Samples,
  send,
  TIMESERIES_UNCACHED,
} from './routes'
import { type Percentiles, percentiles, ratio, round } from './stats'
import { type RunningWorker, startWorker } from './worker'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** How much each scale measures. Analytics samples are fewer than 1,000 to keep the run bounded. */
interface Plan {
  datasets: ScaleName[]
  planUsers: number
  planCompanies: number
  largestCompanyRepeats: number
  deepRepeats: number
  loadSeconds: number
  warmupSeconds: number
  roundTripRepeats: number
}

const PLANS: Record<ScaleName, Plan> = {
  smoke: {
    datasets: ['smoke'],
    planUsers: 20,
    planCompanies: 5,
    largestCompanyRepeats: 3,
    deepRepeats: 5,
    loadSeconds: 1,
    warmupSeconds: 1,
    roundTripRepeats: 2,
  },
  small: {
    datasets: ['small'],
    planUsers: 1000,
    planCompanies: 100,
    largestCompanyRepeats: 50,
    deepRepeats: 100,
    loadSeconds: 5,
    warmupSeconds: 1,
    roundTripRepeats: 3,
  },
  full: {
    datasets: ['small', 'full'],
    planUsers: 1000,
    planCompanies: 100,
    largestCompanyRepeats: 30,
    deepRepeats: 100,
    loadSeconds: 6,
    warmupSeconds: 1,
    roundTripRepeats: 3,
  },
}

export interface RoundTrip {
  route: string
  label: string
  counts: number[]
  statuses: number[]
  expected: number
  note?: string
}

export interface RoutePlan {
  route: string
  label: string
  subject: string
  samples: number
  executionMs: Percentiles
  planningMs: Percentiles
  buffers: Percentiles
  seqScanFavorites: number
  scanShapes: { scans: string[]; count: number }[]
  example: { sql: string; params: (string | null)[]; plan: string }
}

export interface DeepPagination {
  userFavorites: number
  pageSize: number
  page: number
  first: Percentiles
  deep: Percentiles
  offset: Percentiles
  deepVsFirstP50: number
  deepVsFirstP99: number
  offsetVsFirstP50: number
  sameRowsAsOffset: boolean
  deepPlan: string
  offsetPlan: string
}

export interface RollupCheck {
  /** Activities whose rollup total or newest favourite differs from a recount of the favourites. */
  activityMismatches: number
  /** (company, day) pairs whose rollup differs from a recount. */
  companyDayMismatches: number
  checkedAfter: string
}

export interface DatasetResult {
  scale: ScaleName
  data: DataSummary
  /** Present when the schema has the analytics rollups: are they still in step after every write of the run? */
  rollupCheck?: RollupCheck
  workerStartupMs: number[]
  roundTrips: RoundTrip[]
  plans: RoutePlan[]
  deepPagination: DeepPagination
}

export interface E2eResult {
  scale: ScaleName
  route: string
  label: string
  runs: LoadResult[]
}

export interface BenchResults {
  scale: ScaleName
  command: string
  startedAt: string
  finishedAt: string
  durationSeconds: number
  machine: {
    cpus: number
    cpuModel: string
    memoryGiB: number
    os: string
    loadAverageAtStart: number[]
    loadAverageAtEnd: number[]
  }
  versions: Record<string, string>
  postgres: { source: string; version: string; settings: Record<string, string> }
  bundle: BundleResult
  datasets: DatasetResult[]
  e2e: E2eResult[]
  e2eWorkerStartupMs: number[]
  concurrency: number[]
  notes: string[]
}

const log = (line: string) => console.log(`[bench] ${line}`)

function parseArgs(argv: string[]): { scale: ScaleName; out?: string; report?: string } {
  let scale: ScaleName = 'small'
  let out: string | undefined
  let report: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = argv[i + 1]
    if (arg === '--scale' && value) {
      if (!(value in SCALES)) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`)
      scale = value as ScaleName
      i++
    } else if (arg?.startsWith('--scale=')) {
      const v = arg.slice('--scale='.length)
      if (!(v in SCALES)) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`)
      scale = v as ScaleName
    } else if (arg === '--out' && value) {
      out = value
      i++
    } else if (arg === '--report' && value) {
      report = value
      i++
    } else if (arg === '--help' || arg === '-h') {
      console.log(
        'usage: npm run bench -- [--scale small|full|smoke] [--out results.json] [--report report.md]\n' +
          '  full (default): 100k and 10M favourites, writes bench/results/full.json and BENCHMARKS.md\n' +
          '  small: 100k favourites, writes bench/results/small.json and bench/results/small.md\n' +
          '  smoke: 5k favourites, every stage briefly (CI), writes into bench/results/tmp/\n' +
          '  BENCH_DATABASE_URL=postgres://... uses that server (a fresh database in it) instead of starting one',
      )
      process.exit(0)
    } else {
      throw new Error(`unknown argument ${arg} (try --help)`)
    }
  }
  return { scale, out, report }
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string
    }
    return pkg.version
  } catch {
    return 'n/a'
  }
}

function versions(postgres: string): Record<string, string> {
  return {
    node: process.version,
    postgres,
    wrangler: packageVersion('wrangler'),
    workerd: packageVersion('workerd'),
    hono: packageVersion('hono'),
    '@hono/zod-openapi': packageVersion('@hono/zod-openapi'),
    zod: packageVersion('zod'),
    'drizzle-orm': packageVersion('drizzle-orm'),
    '@neondatabase/serverless': packageVersion('@neondatabase/serverless'),
    pg: packageVersion('pg'),
    autocannon: packageVersion('autocannon'),
    git: gitRevision(),
  }
}

function gitRevision(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== ''
    return dirty ? `${rev} + uncommitted changes` : rev
  } catch {
    return 'n/a'
  }
}

/** The local Neon-protocol server in a child process; resolves with its /sql URL. */
async function startNeonServer(
  databaseUrl: string,
  logFile: string,
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
      '20',
    ],
    {
      cwd: ROOT,
      logFile,
      onStdoutLine: (line) => {
        if (line.startsWith('{')) resolveUrl((JSON.parse(line) as { url: string }).url)
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

async function databaseRequests(neonUrl: string): Promise<number> {
  const response = await fetch(neonUrl.replace(/\/sql$/, '/stats'))
  return ((await response.json()) as { requests: number }).requests
}

// ---- stages ---------------------------------------------------------------------------------------------------

async function measureRoundTrips(
  worker: RunningWorker,
  neonUrl: string,
  samples: Samples,
  repeats: number,
): Promise<RoundTrip[]> {
  const out: RoundTrip[] = []
  const last = samples.users.length - 1
  for (const [index, route] of ROUTES.entries()) {
    const counts: number[] = []
    const statuses: number[] = []
    for (let k = 0; k < repeats; k++) {
      // Users from the end of the sample list, different ones per route: these requests write.
      const spec = route.request(samples, route.surface === 'business' ? k : last - index * repeats - k)
      const before = await databaseRequests(neonUrl)
      const answer = await send(worker.baseUrl, spec)
      counts.push((await databaseRequests(neonUrl)) - before)
      statuses.push(answer.status)
    }
    out.push({ route: route.key, label: route.label, counts, statuses, expected: 1 })
  }
  // A repeated analytics question within the cache's 60 s: answered from the Workers Cache API.
  for (const key of ['analytics', 'timeseries']) {
    const route = routeByKey(key)
    const spec = route.request(forLargestCompany(samples), 0)
    await send(worker.baseUrl, spec)
    const counts: number[] = []
    const statuses: number[] = []
    for (let k = 0; k < repeats; k++) {
      const before = await databaseRequests(neonUrl)
      const answer = await send(worker.baseUrl, spec)
      counts.push((await databaseRequests(neonUrl)) - before)
      statuses.push(answer.status)
    }
    out.push({
      route: `${key}Repeat`,
      label: `${route.label}, asked again within 60 s`,
      counts,
      statuses,
      expected: 0,
      note: 'cached',
    })
  }
  return out
}

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
 * Calls the route `count` times (8 at a time) with the proxy in capture mode and returns what the Worker sent.
 * Every request must send exactly one statement: the total captured must equal the number of requests.
 */
async function capture(
  proxy: CaptureProxy,
  worker: RunningWorker,
  route: RouteCase,
  samples: Samples,
  count: number,
): Promise<{ queries: CapturedRequest[] }> {
  proxy.mode = 'capture'
  proxy.take()
  let next = 0
  const statuses = new Map<number, number>()
  try {
    await Promise.all(
      Array.from({ length: Math.min(8, count) }, async () => {
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

async function measurePlans(
  databaseUrl: string,
  proxy: CaptureProxy,
  worker: RunningWorker,
  samples: Samples,
  plan: Plan,
): Promise<RoutePlan[]> {
  const out: RoutePlan[] = []
  const jobs: { route: RouteCase; samples: Samples; count: number; subject: string }[] = []
  for (const route of ROUTES) {
    if (route.key === 'health') continue
    if (route.surface === 'business') {
      jobs.push({
        route,
        samples,
        count: Math.min(plan.planCompanies, samples.companies.length),
        subject: 'random companies',
      })
      jobs.push({
        route,
        samples: forLargestCompany(samples),
        count: plan.largestCompanyRepeats,
        subject: `the largest company (${samples.largestCompany.activities} activities, ${samples.largestCompany.favorites} favourites), repeated`,
      })
    } else {
      jobs.push({
        route,
        samples,
        count: Math.min(plan.planUsers, samples.users.length),
        subject: 'random users',
      })
    }
  }
  await withClient(databaseUrl, async (client) => {
    for (const job of jobs) {
      const started = performance.now()
      const { queries } = await capture(proxy, worker, job.route, job.samples, job.count)
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

async function measureDeepPagination(
  databaseUrl: string,
  proxy: CaptureProxy,
  worker: RunningWorker,
  samples: Samples,
  repeats: number,
): Promise<DeepPagination> {
  const pageSize = 10
  const user = samples.heaviestUser
  const page = Math.max(2, Math.min(500, Math.floor(user.favorites / pageSize)))
  const headers = { Authorization: `Bearer ${user.token}` }
  let cursor: string | null = null
  let firstQuery: SqlQuery | undefined
  let deepQuery: SqlQuery | undefined
  let deepIds: string[] = []
  proxy.mode = 'pass'
  for (let p = 1; p <= page; p++) {
    proxy.recording = p === 1 || p === page
    proxy.take()
    const path: string = `/favorites?limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    const answer = await send(worker.baseUrl, { method: 'GET', path, headers })
    if (answer.status !== 200) throw new Error(`deep pagination: page ${p} answered ${answer.status}`)
    const body = JSON.parse(answer.body) as { items: { id: string }[]; nextCursor: string | null }
    const captured = proxy.take()
    if (p === 1) firstQuery = captured[0]?.queries[0]
    if (p === page) {
      deepQuery = captured[0]?.queries[0]
      deepIds = body.items.map((i) => i.id)
    }
    cursor = body.nextCursor
    if (!cursor && p < page) throw new Error(`deep pagination: no page ${p + 1}`)
  }
  proxy.recording = false
  if (!firstQuery || !deepQuery) throw new Error('deep pagination: queries not captured')
  // The baseline: the first page's own statement, with OFFSET instead of a keyset position.
  const offsetQuery = {
    query: firstQuery.query.replace(
      /LIMIT \$(\d+)\s*$/,
      (_m, n: string) => `LIMIT $${n} OFFSET ${(page - 1) * pageSize}`,
    ),
    params: firstQuery.params,
  }
  if (offsetQuery.query === firstQuery.query)
    throw new Error('deep pagination: could not add OFFSET to the statement')
  return withClient(databaseUrl, async (client) => {
    const offsetRows = await runQuery(client, offsetQuery)
    const sameRowsAsOffset =
      JSON.stringify(offsetRows.slice(0, pageSize).map((r) => r[0])) === JSON.stringify(deepIds)
    const first: number[] = []
    const deep: number[] = []
    const offset: number[] = []
    for (let k = 0; k < repeats; k++) {
      first.push((await explainQuery(client, firstQuery as SqlQuery, false)).executionMs)
      deep.push((await explainQuery(client, deepQuery as SqlQuery, false)).executionMs)
      offset.push((await explainQuery(client, offsetQuery, false)).executionMs)
    }
    const f = percentiles(first)
    const d = percentiles(deep)
    const o = percentiles(offset)
    return {
      userFavorites: user.favorites,
      pageSize,
      page,
      first: f,
      deep: d,
      offset: o,
      deepVsFirstP50: ratio(d.p50, f.p50),
      deepVsFirstP99: ratio(d.p99, f.p99),
      offsetVsFirstP50: ratio(o.p50, f.p50),
      sameRowsAsOffset,
      deepPlan: await explainText(client, deepQuery as SqlQuery, false),
      offsetPlan: await explainText(client, offsetQuery, false),
    }
  })
}

const E2E_ROUTES: RouteCase[] = [
  routeByKey(FLOOR_KEY),
  routeByKey('health'),
  routeByKey('get'),
  routeByKey('list'),
  routeByKey('status'),
  routeByKey('create'),
  routeByKey('delete'),
  ANALYTICS_CACHED,
  ANALYTICS_UNCACHED,
  TIMESERIES_UNCACHED,
]

async function measureEndToEnd(
  worker: RunningWorker,
  samples: Samples,
  plan: Plan,
  concurrency: number[],
  scale: ScaleName,
): Promise<E2eResult[]> {
  const out: E2eResult[] = []
  let offset = 0
  for (const route of E2E_ROUTES) {
    const runs: LoadResult[] = []
    // Warm-up (discarded): JIT, connection pools, the cache entry for the cached case.
    await runLoad(worker.baseUrl, route, samples, concurrency[0] ?? 8, plan.warmupSeconds, offset)
    offset += 100_000
    for (const connections of concurrency) {
      const result = await runLoad(worker.baseUrl, route, samples, connections, plan.loadSeconds, offset)
      offset += 100_000
      runs.push(result)
      log(
        `  e2e ${route.key} c=${connections}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, ` +
          `p99 ${result.latencyMs.p99} ms, unexpected statuses ${result.unexpected}`,
      )
    }
    out.push({ scale, route: route.key, label: route.label, runs })
  }
  return out
}

/** Recounts every activity's favourites and every company-day and compares them with the trigger-kept rollups. */
async function checkRollups(client: pg.Client, after: string): Promise<RollupCheck | undefined> {
  const exists = await client.query<{ present: boolean }>(
    `SELECT to_regclass('activities.activity_favorite_totals') IS NOT NULL AS present`,
  )
  if (!exists.rows[0]?.present) return undefined
  const activities = await client.query<{ n: string }>(
    `WITH actual AS (
       SELECT activity_id, count(*) AS total, max(created_at) AS last_at
       FROM activities.user_activity_favorites GROUP BY activity_id
     ), kept AS (
       SELECT activity_id, sum(favorites) AS total, max(last_favorited_at) AS last_at
       FROM activities.activity_favorite_totals GROUP BY activity_id
     )
     SELECT count(*) AS n FROM actual FULL JOIN kept USING (activity_id)
     WHERE coalesce(actual.total, 0) <> coalesce(kept.total, 0)
        OR (coalesce(actual.total, 0) > 0 AND actual.last_at IS DISTINCT FROM kept.last_at)`,
  )
  const days = await client.query<{ n: string }>(
    `WITH actual AS (
       SELECT a.company_id, (f.created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
       FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
       GROUP BY 1, 2
     ), kept AS (
       SELECT company_id, day, sum(favorites) AS n FROM activities.company_favorite_days GROUP BY 1, 2
     )
     SELECT count(*) AS n FROM actual FULL JOIN kept USING (company_id, day)
     WHERE coalesce(actual.n, 0) <> coalesce(kept.n, 0)`,
  )
  return {
    activityMismatches: Number(activities.rows[0]?.n ?? -1),
    companyDayMismatches: Number(days.rows[0]?.n ?? -1),
    checkedAfter: after,
  }
}

// ---- main -----------------------------------------------------------------------------------------------------

async function runDataset(
  scale: Scale,
  plan: Plan,
  adminUrl: string,
  workDir: string,
  withEndToEnd: boolean,
  concurrency: number[],
): Promise<{ dataset: DatasetResult; e2e: E2eResult[]; e2eStartupMs: number[] }> {
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
    root: ROOT,
    endpoint: proxy.url,
    stateDir: mkdtempSync(join(workDir, 'wrangler-state-')),
    logFile: join(workDir, `wrangler-${scale.name}-capture.log`),
  })
  workerStartupMs.push(worker.startupMs)
  log(`  wrangler dev answered /health after ${worker.startupMs} ms`)

  // Plans first: captured requests are answered 503, so nothing is cached or written before them.
  const plans = await measurePlans(database.url, proxy, worker, samples, plan)
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
  const e2eStartupMs: number[] = []
  if (withEndToEnd) {
    const direct = await startWorker({
      root: ROOT,
      endpoint: neon.url,
      stateDir: mkdtempSync(join(workDir, 'wrangler-state-')),
      logFile: join(workDir, `wrangler-${scale.name}-e2e.log`),
    })
    e2eStartupMs.push(direct.startupMs)
    workerStartupMs.push(direct.startupMs)
    log(`  end to end (wrangler dev answered /health after ${direct.startupMs} ms)`)
    e2e = await measureEndToEnd(direct, samples, plan, concurrency, scale.name)
    await direct.stop()
  }
  const rollupCheck = await withClient(database.url, (client) =>
    checkRollups(
      client,
      withEndToEnd
        ? 'the bulk load, the round-trip writes and the concurrent end-to-end writes'
        : 'the bulk load and the round-trip writes',
    ),
  )
  if (rollupCheck) {
    log(
      `  rollups vs recount: ${rollupCheck.activityMismatches} activity and ${rollupCheck.companyDayMismatches} company-day mismatches`,
    )
  }
  await neon.stop()
  await dropDatabase()
  return {
    dataset: { scale: scale.name, data, rollupCheck, workerStartupMs, roundTrips, plans, deepPagination },
    e2e,
    e2eStartupMs,
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const plan = PLANS[args.scale]
  installSignalHandlers()
  const started = new Date()
  const loadAverageAtStart = os.loadavg().map((v) => round(v, 2))
  const resultsDir =
    args.scale === 'smoke' ? join(ROOT, 'bench', 'results', 'tmp') : join(ROOT, 'bench', 'results')
  const outFile = args.out ?? join(resultsDir, `${args.scale}.json`)
  const reportFile =
    args.report ??
    (args.scale === 'full' ? join(ROOT, 'BENCHMARKS.md') : join(resultsDir, `${args.scale}.md`))
  const workDir = mkdtempSync(join(process.env.TMPDIR ?? os.tmpdir(), 'bench-run.'))
  onCleanup('work dir', () => rmSync(workDir, { recursive: true, force: true }))
  log(`scale ${args.scale}; logs in ${workDir} (removed at the end)`)

  const postgres = await startBenchPostgres(log)
  onCleanup('PostgreSQL', () => postgres.stop())

  log('bundle: wrangler deploy --dry-run --minify')
  const bundle = await measureBundle(ROOT, workDir)
  bundle.startup = await measureStartup(ROOT, workDir)
  log(
    `  ${bundle.rawKiB} KiB raw, ${bundle.gzipKiB} KiB gzip; start-up CPU ${bundle.startup?.scriptCpuMs ?? '?'} ms`,
  )

  const concurrency = [8, 32]
  const datasets: DatasetResult[] = []
  let e2e: E2eResult[] = []
  let e2eWorkerStartupMs: number[] = []
  for (const [index, name] of plan.datasets.entries()) {
    const isLast = index === plan.datasets.length - 1
    const result = await runDataset(SCALES[name], plan, postgres.adminUrl, workDir, isLast, concurrency)
    datasets.push(result.dataset)
    if (isLast) {
      e2e = result.e2e
      e2eWorkerStartupMs = result.e2eStartupMs
    }
  }

  const finished = new Date()
  const results: BenchResults = {
    scale: args.scale,
    command: `npm run bench -- --scale ${args.scale}`,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: Math.round((finished.getTime() - started.getTime()) / 1000),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg().map((v) => round(v, 2)),
    },
    versions: versions(postgres.version),
    postgres: { source: postgres.source, version: postgres.version, settings: postgres.settings },
    bundle,
    datasets,
    e2e,
    e2eWorkerStartupMs,
    concurrency,
    notes: [],
  }
  mkdirSync(dirname(outFile), { recursive: true })
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`)
  mkdirSync(dirname(reportFile), { recursive: true })
  writeFileSync(reportFile, renderReport(results, { root: ROOT, resultsFile: relative(ROOT, outFile) }))
  log(`wrote ${relative(ROOT, outFile)} and ${relative(ROOT, reportFile)} in ${results.durationSeconds} s`)
  const broken = invariantViolations(results)
  for (const line of broken) console.error(`[bench] invariant broken: ${line}`)
  // The smoke run guards the suite and the design in CI: a broken invariant fails it (timings never do).
  if (broken.length > 0 && args.scale === 'smoke') process.exitCode = 1
}

/** What must hold at any scale: one round trip (0 when cached), expected statuses, no seq scan, rollups in step. */
function invariantViolations(results: BenchResults): string[] {
  const out: string[] = []
  for (const d of results.datasets) {
    for (const t of d.roundTrips) {
      if (t.counts.some((c) => c !== t.expected))
        out.push(`${d.scale}: ${t.label}: round trips ${t.counts.join(',')}`)
      const route = ROUTES.find((r) => r.key === t.route.replace(/Repeat$/, ''))
      if (route && t.statuses.some((st) => !route.status.includes(st))) {
        out.push(`${d.scale}: ${t.label}: statuses ${t.statuses.join(',')}`)
      }
    }
    for (const p of d.plans) {
      if (p.seqScanFavorites > 0)
        out.push(`${d.scale}: ${p.label}: ${p.seqScanFavorites} sequential scans of favourites`)
    }
    if (
      d.rollupCheck &&
      (d.rollupCheck.activityMismatches !== 0 || d.rollupCheck.companyDayMismatches !== 0)
    ) {
      out.push(`${d.scale}: rollups differ from a recount of the favourites`)
    }
  }
  return out
}

main()
  .then(() => cleanupAll())
  .then(() => process.exit(process.exitCode ?? 0))
  .catch(async (error: unknown) => {
    console.error(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    )
    await cleanupAll()
    process.exit(1)
  })
