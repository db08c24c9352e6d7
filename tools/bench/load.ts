/** One load: autocannon against a running Worker -> local Neon-protocol server -> PostgreSQL. */
import type { IncomingHttpHeaders } from 'node:http'
import autocannon from 'autocannon'
import type { LayerCpu } from './process-cpu'
import type { RouteCase, Samples } from './routes'
import { type Percentiles, percentiles, round } from './stats'

export interface LoadResult {
  connections: number
  durationSeconds: number
  requests: number
  requestsPerSecond: number
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number }
  statuses: Record<string, number>
  /** Responses whose status is not one the route answers when the database answers. */
  unexpected: number
  /** Socket errors and timeouts (no status). */
  errors: number
  /**
   * The Worker's own database time per request, from its `Server-Timing: db;dur=` (the round trips to the local
   * server and PostgreSQL, queueing for a pooled connection included); only when asked for.
   */
  dbMs?: Percentiles
  /** Rounds merged into this result (measure/end-to-end.ts interleaves them); absent = one. */
  rounds?: number
  /** CPU ms per request of each layer of the path, from /proc (measure/end-to-end.ts). */
  cpuMsPerRequest?: LayerCpu
}

/** `db;dur=1.23` in a Server-Timing header (one string, or several). */
function databaseMs(headers: IncomingHttpHeaders | undefined): number | undefined {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'server-timing' || value === undefined) continue
    const match = /(?:^|,)\s*db;dur=([\d.]+)/.exec([value].flat().join(','))
    if (match) return Number(match[1])
  }
  return undefined
}

export async function runLoad(
  baseUrl: string,
  route: RouteCase,
  samples: Samples,
  connections: number,
  durationSeconds: number,
  offset = 0,
  options: { serverTiming?: boolean } = {},
): Promise<LoadResult> {
  let k = offset
  const dbMs: number[] = []
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: durationSeconds,
    timeout: 30,
    requests: [
      {
        setupRequest: (req) => {
          const spec = route.request(samples, k++)
          return { ...req, method: spec.method, path: spec.path, headers: spec.headers, body: spec.body }
        },
        ...(options.serverTiming
          ? {
              onResponse: (
                _status: number,
                _body: string,
                _context: object,
                headers?: IncomingHttpHeaders,
              ) => {
                const ms = databaseMs(headers)
                if (ms !== undefined) dbMs.push(ms)
              },
            }
          : {}),
      },
    ],
  })
  const statuses: Record<string, number> = {}
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0
  const total = Object.values(statuses).reduce((a, b) => a + b, 0)
  const expected = route.status.reduce((a, code) => a + (statuses[String(code)] ?? 0), 0)
  return {
    connections,
    durationSeconds: round(result.duration, 1),
    requests: total,
    requestsPerSecond: round(total / result.duration, 1),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: round(result.latency.mean, 2),
    },
    statuses,
    unexpected: total - expected,
    errors: result.errors,
    ...(options.serverTiming ? { dbMs: percentiles(dbMs, 2) } : {}),
  }
}
