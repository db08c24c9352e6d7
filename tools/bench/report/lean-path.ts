/**
 * The lean request path's targets, judged on the Worker's own CPU per request (its workerd process, from /proc)
 * measured under Miniflare in the same run: the floor route against the bare Worker (the harness's ceiling) and
 * the `neon()`-from-Node path, every client route and a cached analytics answer against the floor.
 */
import type { LoadResult } from '../load'
import { BARE_KEY, DRIVER_KEY, LADDER_RUNGS } from '../measure/end-to-end'
import type { E2eResult } from '../results'
import { ANALYTICS_CACHED, FLOOR_KEY } from '../routes'
import { ratio, round } from '../stats'
import { fmt, type Row, runAt, table, verdict } from './format'

export const LEAN_TARGETS = {
  /** The floor route's Worker CPU per request above the bare Worker's, ms. */
  floorAboveBareMs: 1.0,
  /** Floor throughput ÷ the `neon()`-from-Node path's. */
  floorVsDriver: 0.6,
  /** A client route's Worker CPU ÷ the floor's. */
  clientRouteVsFloor: 1.3,
  /** A cached analytics answer's Worker CPU ÷ the floor's. */
  cachedAnalyticsVsFloor: 1.1,
}

/** The rows of the lean-path targets start with this (missed-targets.ts finds them by it). */
export const LEAN_PATH_ROW = 'Lean request path'

/** The client routes judged against the floor (the floor itself excluded). */
const CLIENT_ROUTES = ['get', 'list', 'status', 'create', 'delete', 'batch', 'changes']

const workerCpu = (run: LoadResult | undefined) => run?.cpuMsPerRequest?.worker ?? Number.NaN

export function leanPathTargetRows(e2e: E2eResult[]): Row[] {
  const floorRuns = e2e.find((e) => e.route === FLOOR_KEY)?.runs ?? []
  if (!floorRuns.some((run) => run.cpuMsPerRequest)) return []
  return floorRuns.flatMap((floor) => {
    const c = floor.connections
    const bare = runAt(e2e, BARE_KEY, c)
    const driver = runAt(e2e, DRIVER_KEY, c)
    const cached = runAt(e2e, ANALYTICS_CACHED.key, c)
    const above = round(workerCpu(floor) - workerCpu(bare), 3)
    const throughput = ratio(floor.requestsPerSecond, driver?.requestsPerSecond ?? Number.NaN)
    const clients = CLIENT_ROUTES.map((key) => ({
      key,
      r: ratio(workerCpu(runAt(e2e, key, c)), workerCpu(floor)),
    }))
    const over = clients.filter((x) => !(x.r <= LEAN_TARGETS.clientRouteVsFloor))
    const worst = clients.reduce((a, b) => (b.r > a.r ? b : a), clients[0] ?? { key: '', r: Number.NaN })
    const cachedRatio = ratio(workerCpu(cached), workerCpu(floor))
    return [
      [
        `${LEAN_PATH_ROW}, c=${c}: floor's Worker CPU per request above the bare Worker's`,
        `≤ ${LEAN_TARGETS.floorAboveBareMs} ms`,
        `${fmt(workerCpu(floor), 3)} − ${fmt(workerCpu(bare), 3)} = ${fmt(above, 3)} ms`,
        verdict(above <= LEAN_TARGETS.floorAboveBareMs),
      ],
      [
        `${LEAN_PATH_ROW}, c=${c}: floor throughput ÷ \`neon()\` from Node`,
        `≥ ${LEAN_TARGETS.floorVsDriver}`,
        `${fmt(floor.requestsPerSecond, 0)} / ${fmt(driver?.requestsPerSecond, 0)} req/s = ${fmt(throughput)}`,
        verdict(throughput >= LEAN_TARGETS.floorVsDriver),
      ],
      [
        `${LEAN_PATH_ROW}, c=${c}: every client route's Worker CPU ÷ the floor's`,
        `≤ ${LEAN_TARGETS.clientRouteVsFloor}`,
        over.length === 0
          ? `highest ${worst.key} ${fmt(worst.r)}`
          : over.map((x) => `${x.key} ${fmt(x.r)}`).join(', '),
        verdict(over.length === 0),
      ],
      [
        `${LEAN_PATH_ROW}, c=${c}: a cached analytics answer's Worker CPU ÷ the floor's`,
        `≤ ${LEAN_TARGETS.cachedAnalyticsVsFloor}`,
        `${fmt(workerCpu(cached), 3)} / ${fmt(workerCpu(floor), 3)} ms = ${fmt(cachedRatio)}`,
        verdict(cachedRatio <= LEAN_TARGETS.cachedAnalyticsVsFloor),
      ],
    ]
  })
}

/** The pieces of the Worker's CPU, from the ceiling up to the floor route, in the order the ladder adds them. */
const PIECES = [BARE_KEY, ...LADDER_RUNGS.map((r) => r.key), 'health', FLOOR_KEY]

/** The ladder as a table: each piece's Worker CPU per request at each concurrency, and what it adds. */
export function ladderSection(e2e: E2eResult[]): string[] {
  const pieces = PIECES.map((key) => e2e.find((e) => e.route === key)).filter((e) => e !== undefined)
  if (!pieces.some((e) => e.kind === 'ladder')) return []
  const concurrency = pieces[0]?.runs.map((run) => run.connections) ?? []
  return [
    "### The Worker's own CPU, piece by piece",
    '',
    "The ladder (`tools/bench/workers/ladder.ts`) is the API's bundle with rungs beside it, in the same isolate and configuration (assets, `nodejs_compat`, the rate limiters): " +
      "each rung does one more piece of the floor route's work. Worker CPU per request (ms, workerd and its Miniflare host, from /proc), beside the bare Hono Worker (its own bundle, no assets) and the API's `GET /health` and floor route.",
    '',
    table(
      ['piece', ...concurrency.map((c) => `c=${c}`)],
      pieces.map((e) => [
        e.label,
        ...concurrency.map((c) => fmt(workerCpu(e.runs.find((run) => run.connections === c)), 3)),
      ]),
    ),
    '',
  ]
}

/** What the lean-path rows missed, and where the floor's Worker CPU goes (from the ladder), for missed-targets.ts. */
export function leanPathMiss(e2e: E2eResult[]): string | undefined {
  const c = e2e.find((e) => e.route === FLOOR_KEY)?.runs[0]?.connections
  if (c === undefined) return undefined
  const cpu = (key: string) => workerCpu(runAt(e2e, key, c))
  const step = (from: string, to: string) => fmt(round(cpu(to) - cpu(from), 3), 2)
  return (
    `- **Lean request path** (c=${c}): the floor route costs ${fmt(cpu(FLOOR_KEY), 2)} ms of Worker CPU per request against ${fmt(cpu(BARE_KEY), 2)} for the bare Hono Worker. ` +
    `The ladder says where it goes: a bare answer in the API's own bundle and configuration already costs ${fmt(cpu('ladder.bare'), 2)} ms ` +
    `(${step(BARE_KEY, 'ladder.bare')} above the bare Worker: Miniflare's router in front of a Worker with assets, even with \`run_worker_first\`, and the bigger isolate); ` +
    `one raw fetch of \`SELECT 1\` to the local server adds ${step('ladder.bare', 'ladder.fetch')}, \`neon()\` and drizzle over it ${step('ladder.fetch', 'ladder.drizzle')}, ` +
    `Hono with the Worker-wide middleware ${step('ladder.hono', 'ladder.middleware')} over Hono alone, and the floor's own work (token verification, validation, the ETag, its statement) ` +
    `${step('health', FLOOR_KEY)} over \`GET /health\`. The configuration's own cost and the one fetch every route makes add up to ` +
    `${fmt(round(cpu('ladder.fetch') - cpu(BARE_KEY), 3), 2)} ms above the bare Worker before any of the API's code runs: against the 1 ms budget, ` +
    "that part measures workerd's HTTP client and Miniflare's router, which trimming the Worker cannot change. " +
    `Judged against the ladder's bare answer instead (same configuration), the floor is ${step('ladder.bare', FLOOR_KEY)} ms above. ` +
    'Throughput against `neon()` from Node and the client routes against the floor follow from the same figures: every process shares 2 cores, so ' +
    "the Worker's CPU per request is what caps its requests per second; the routes over 1.3× are the ones doing more than one lookup's work " +
    '(a page of rows, a batch of 100 changes, the changes feed).'
  )
}
