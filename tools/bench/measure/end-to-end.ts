/**
 * End to end on the Worker's runtime: the production bundle under Miniflare (workerd, no dev proxy) on the real
 * database, every route beside the harness's ceiling (a bare Hono Worker), the ladder (the Worker's own CPU piece
 * by piece, workers/ladder.ts), the path without the Worker (`neon()` from Node sending `SELECT 1`) and one
 * `wrangler dev` row (the floor route) for comparison. Interleaved: each round
 * runs every target at each concurrency in turn, so a slow moment of the machine spreads over all of them. Each
 * run also reads the CPU each layer used (process-cpu.ts), per request.
 */
import { sleep } from '../../child-process'
import { runDriverLoad } from '../driver-load'
import type { ScaleName } from '../generate'
import { type LoadResult, runLoad } from '../load'
import { log } from '../log'
import type { MeasurementPlan } from '../measurement-plans'
import { cpuDelta, cpuSnapshot, type LayerCpu, perRequest, sumCpu } from '../process-cpu'
import type { E2eKind, E2eResult } from '../results'
import {
  ANALYTICS_CACHED,
  ANALYTICS_UNCACHED,
  FLOOR_KEY,
  type RouteCase,
  routeByKey,
  type Samples,
  TIMESERIES_UNCACHED,
} from '../routes'
import { round } from '../stats'
import type { RunningWorker } from '../worker'

const API_ROUTES: RouteCase[] = [
  routeByKey(FLOOR_KEY),
  routeByKey('health'),
  routeByKey('get'),
  routeByKey('list'),
  routeByKey('status'),
  routeByKey('create'),
  routeByKey('delete'),
  routeByKey('batch'),
  routeByKey('changes'),
  ANALYTICS_CACHED,
  ANALYTICS_UNCACHED,
  TIMESERIES_UNCACHED,
]

/** A pause after each run, before its CPU is read, for the requests still in flight at its deadline. */
const SETTLE_MS = 500

export const BARE_KEY = 'bare'
export const DRIVER_KEY = 'neonSelect1'
export const WRANGLER_FLOOR_KEY = 'floorWranglerDev'

const BARE_ROUTE: RouteCase = {
  key: BARE_KEY,
  label: 'ceiling: a bare Hono Worker answering "ok" (Miniflare)',
  surface: 'floor',
  write: false,
  status: [200],
  request: () => ({ method: 'GET', path: '/', headers: {} }),
}

/** The ladder's rungs (tools/bench/workers/ladder.ts), each one more piece of the floor route's work. */
export const LADDER_RUNGS: { key: string; label: string; path: string }[] = [
  { key: 'bare', label: 'a bare answer' },
  { key: 'log', label: '+ one JSON log line' },
  { key: 'hono', label: 'Hono routing, a bare answer' },
  { key: 'middleware', label: "Hono + the API's Worker-wide middleware" },
  { key: 'fetch', label: 'one raw fetch of `SELECT 1` to the local server' },
  { key: 'neon', label: 'the same through `neon()`' },
  { key: 'drizzle', label: 'the same through drizzle' },
].map((rung) => ({
  key: `ladder.${rung.key}`,
  label: `ladder: ${rung.label}`,
  path: `/__ladder/${rung.key}`,
}))

export interface EndToEndHarness {
  /** The API's bundle under Miniflare. */
  api: RunningWorker
  /** The ladder's bundle under Miniflare: the API's, with rungs beside it. */
  ladder: RunningWorker
  bare: RunningWorker
  wranglerDev: RunningWorker
  /** The local Neon-protocol server: its /sql URL and process group. */
  neonLocal: { url: string; processGroup: number }
}

interface Target {
  key: string
  label: string
  kind: E2eKind
  worker?: RunningWorker
  run(connections: number, seconds: number, offset: number): Promise<LoadResult>
}

function targets(harness: EndToEndHarness, samples: Samples): Target[] {
  const http = (
    route: RouteCase,
    worker: RunningWorker,
    kind: E2eKind,
    key = route.key,
    label = route.label,
  ) => ({
    key,
    label,
    kind,
    worker,
    run: (connections: number, seconds: number, offset: number) =>
      runLoad(worker.baseUrl, route, samples, connections, seconds, offset),
  })
  const floor = routeByKey(FLOOR_KEY)
  const rung = (key: string, label: string, path: string): RouteCase => ({
    key,
    label,
    surface: 'floor',
    write: false,
    status: [200],
    request: () => ({ method: 'GET', path, headers: {} }),
  })
  return [
    http(BARE_ROUTE, harness.bare, 'ceiling'),
    ...LADDER_RUNGS.map(({ key, label, path }) => http(rung(key, label, path), harness.ladder, 'ladder')),
    {
      key: DRIVER_KEY,
      label: 'without the Worker: `SELECT 1` by `neon()` from Node to the local server',
      kind: 'driver',
      run: (connections, seconds) => runDriverLoad(harness.neonLocal.url, connections, seconds),
    },
    ...API_ROUTES.map((route) => http(route, harness.api, 'route')),
    http(
      floor,
      harness.wranglerDev,
      'wrangler-dev',
      WRANGLER_FLOOR_KEY,
      `${floor.label}, under \`wrangler dev\``,
    ),
  ]
}

/** One target's rounds at one concurrency as one result: sums, and latency percentiles weighted by requests. */
function mergeRounds(rounds: { load: LoadResult; cpuMs: LayerCpu }[]): LoadResult {
  const first = rounds[0]
  if (!first) throw new Error('no rounds')
  const requests = rounds.reduce((a, r) => a + r.load.requests, 0)
  const seconds = rounds.reduce((a, r) => a + r.load.durationSeconds, 0)
  const weighted = (pick: (l: LoadResult) => number) =>
    round(rounds.reduce((a, r) => a + pick(r.load) * r.load.requests, 0) / Math.max(1, requests), 2)
  const statuses: Record<string, number> = {}
  for (const r of rounds)
    for (const [code, n] of Object.entries(r.load.statuses)) statuses[code] = (statuses[code] ?? 0) + n
  return {
    connections: first.load.connections,
    durationSeconds: round(seconds, 1),
    requests,
    requestsPerSecond: round(requests / seconds, 1),
    latencyMs: {
      p50: weighted((l) => l.latencyMs.p50),
      p90: weighted((l) => l.latencyMs.p90),
      p99: weighted((l) => l.latencyMs.p99),
      max: Math.max(...rounds.map((r) => r.load.latencyMs.max)),
      mean: weighted((l) => l.latencyMs.mean),
    },
    statuses,
    unexpected: rounds.reduce((a, r) => a + r.load.unexpected, 0),
    errors: rounds.reduce((a, r) => a + r.load.errors, 0),
    rounds: rounds.length,
    cpuMsPerRequest: perRequest(sumCpu(rounds.map((r) => r.cpuMs)), requests),
  }
}

export async function measureEndToEnd(
  harness: EndToEndHarness,
  samples: Samples,
  plan: MeasurementPlan,
  concurrency: number[],
  scale: ScaleName,
): Promise<E2eResult[]> {
  const all = targets(harness, samples)
  const seconds = Math.max(1, Math.round(plan.loadSeconds / plan.endToEndRounds))
  let offset = 0
  // Warm-up (discarded): JIT, connection pools, the cache entry for the cached case.
  for (const target of all) {
    await target.run(concurrency[0] ?? 8, plan.warmupSeconds, offset)
    offset += 100_000
  }
  const rounds = new Map<string, { load: LoadResult; cpuMs: LayerCpu }[]>()
  for (let r = 0; r < plan.endToEndRounds; r++) {
    for (const connections of concurrency) {
      for (const target of all) {
        const processes = { worker: target.worker?.processGroup, neonLocal: harness.neonLocal.processGroup }
        const before = cpuSnapshot(processes)
        const load = await target.run(connections, seconds, offset)
        // The requests autocannon abandoned at the deadline finish now: their CPU stays with this target, not the next.
        await sleep(SETTLE_MS)
        const after = cpuSnapshot(processes)
        offset += 100_000
        const cpuMs = cpuDelta(before, after)
        const key = `${target.key}@${connections}`
        rounds.set(key, [...(rounds.get(key) ?? []), { load, cpuMs }])
      }
    }
  }
  return all.map((target) => {
    const runs = concurrency.map((connections) =>
      mergeRounds(rounds.get(`${target.key}@${connections}`) ?? []),
    )
    for (const run of runs) {
      const cpu = run.cpuMsPerRequest
      log(
        `  e2e ${target.key} c=${run.connections}: ${run.requestsPerSecond} req/s, p50 ${run.latencyMs.p50} ms, ` +
          `p99 ${run.latencyMs.p99} ms; CPU/request worker ${cpu?.worker} neon-local ${cpu?.neonLocal} ` +
          `postgres ${cpu?.postgres} load ${cpu?.loadGenerator} ms; unexpected statuses ${run.unexpected}`,
      )
    }
    return { scale, route: target.key, label: target.label, kind: target.kind, runs }
  })
}
