/**
 * The local Neon-protocol server in its own process for the benchmark (so the load generator and the server do
 * not share an event loop). Prints `{"url": ...}` on its first stdout line; SIGTERM/SIGINT close it.
 * Usage: tsx tools/bench/neon-server.ts POSTGRES_URL [POOL_SIZE] [REPLICA_URL]
 * With REPLICA_URL (a replica of POSTGRES_URL's database), the endpoint of `LOCAL_ANALYTICS_DATABASE_URL` (the
 * replica stage's `ANALYTICS_DATABASE_URL`) reads from it.
 */
import { LOCAL_ANALYTICS_ENDPOINT } from '../db/connect'
import { startNeonLocalServer } from '../neon-local/server'
import { serveUntilParentGone } from './script-child'

const url = process.argv[2]
if (!url) {
  console.error('usage: tsx tools/bench/neon-server.ts POSTGRES_URL [POOL_SIZE] [REPLICA_URL]')
  process.exit(2)
}
const max = Number(process.argv[3] ?? '10')
const replicaUrl = process.argv[4]
const server = await startNeonLocalServer({
  backend: { kind: 'postgres', url, max },
  endpoints: replicaUrl ? { [LOCAL_ANALYTICS_ENDPOINT]: { kind: 'postgres', url: replicaUrl, max } } : {},
  port: 0,
})
serveUntilParentGone(server.url, () => server.close())
