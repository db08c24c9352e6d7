/**
 * The path without the Worker: `SELECT 1` sent by `neon()` from this Node process to the local Neon-protocol
 * server, `connections` requests in flight for `seconds`. The floor route's throughput is judged against it.
 */
import { neon, neonConfig } from '@neondatabase/serverless'
import { LOCAL_DATABASE_URL } from '../db/connect'
import type { LoadResult } from './load'
import { percentile, percentiles, round } from './stats'

export async function runDriverLoad(
  endpoint: string,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  neonConfig.fetchEndpoint = endpoint
  const sql = neon(LOCAL_DATABASE_URL)
  const latencies: number[] = []
  let errors = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  const loop = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now()
      try {
        await sql`SELECT 1`
        latencies.push(performance.now() - sent)
      } catch {
        errors++
      }
    }
  }
  await Promise.all(Array.from({ length: connections }, loop))
  const durationSeconds = (performance.now() - started) / 1000
  const latency = percentiles(latencies, 2)
  const p90 = round(
    percentile(
      [...latencies].sort((a, b) => a - b),
      90,
    ),
    2,
  )
  return {
    connections,
    durationSeconds: round(durationSeconds, 1),
    requests: latencies.length,
    requestsPerSecond: round(latencies.length / durationSeconds, 1),
    latencyMs: { p50: latency.p50, p90, p99: latency.p99, max: latency.max, mean: latency.mean },
    statuses: { 200: latencies.length },
    unexpected: 0,
    errors,
  }
}
