/** End to end: autocannon against wrangler dev -> local Neon-protocol server -> PostgreSQL. */
import autocannon from 'autocannon'
import type { RouteCase, Samples } from './routes'
import { round } from './stats'

export interface LoadResult {
  connections: number
  durationSeconds: number
  requests: number
  requestsPerSecond: number
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number }
  statuses: Record<string, number>
  /** Responses whose status is not one the route answers when the database answers. */
  unexpected: number
  errors: number
}

export async function runLoad(
  baseUrl: string,
  route: RouteCase,
  samples: Samples,
  connections: number,
  durationSeconds: number,
  offset = 0,
): Promise<LoadResult> {
  let k = offset
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
  }
}
