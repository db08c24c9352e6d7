import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { LOCAL_DATABASE_URL } from '../db/connect'
import { migrateDatabase } from '../db/migrate'
import { cleanupAll, installSignalHandlers, onCleanup } from './cleanup'
import { startNeonServer } from './dataset'
import { generateData, SCALES } from './generate'
import { runLoad } from './load'
import { log } from './log'
import { createBenchDatabase, startBenchPostgres, withClient } from './postgres'
import { groupCpuByCommand } from './process-cpu'
import { drawSamples, routeByKey, type RouteCase } from './routes'
import { startMiniflareWorker, unminifiedBundle } from './worker'

installSignalHandlers()
const workDir = mkdtempSync(join(os.tmpdir(), 'bench-ladder.'))
onCleanup('work dir', () => rmSync(workDir, { recursive: true, force: true }))
const postgres = await startBenchPostgres(log)
onCleanup('PostgreSQL', () => postgres.stop())
const database = await createBenchDatabase(postgres.adminUrl, 'ladder')
onCleanup(`database ${database.name}`, () => database.drop())
const neon = await startNeonServer(database.url, join(workDir, 'neon-local.log'))
await migrateDatabase(LOCAL_DATABASE_URL, neon.url)
const data = await withClient(database.url, (client) => generateData(client, SCALES.smoke, () => undefined))
const samples = await withClient(database.url, (client) => drawSamples(client, { users: 50, companies: 10 }, data))
const bundle = await unminifiedBundle(workDir, 'ladder', 'tools/bench/ladder-worker.ts')
const worker = await startMiniflareWorker(bundle, { endpoint: neon.url, logFile: join(workDir, 'worker.log') })
const rung = (path: string): RouteCase => ({ key: path, label: path, surface: 'floor', write: false, status: [200], request: () => ({ method: 'GET', path, headers: {} }) })
const cases = [...['bare', 'log', 'fetch', 'neon', 'drizzle'].map((r) => rung(`/__ladder/${r}`)), routeByKey('health'), routeByKey('floor')]
const totals = new Map<string, { ms: number; node: number; n: number }>()
for (const c of cases) await runLoad(worker.baseUrl, c, samples, 8, 1)
for (let round = 0; round < 3; round++) {
  for (const c of cases) {
    const before = groupCpuByCommand(worker.processGroup)
    const load = await runLoad(worker.baseUrl, c, samples, 8, 4, round * 1000)
    const after = groupCpuByCommand(worker.processGroup)
    const t = totals.get(c.key) ?? { ms: 0, node: 0, n: 0 }
    t.ms += (after.workerd ?? 0) - (before.workerd ?? 0)
    t.node += (after.node ?? 0) - (before.node ?? 0)
    t.n += load.requests
    totals.set(c.key, t)
  }
}
for (const [key, t] of totals) console.log(key.padEnd(20), 'workerd', (t.ms / t.n).toFixed(3), 'ms/req; host node', (t.node / t.n).toFixed(3), '; requests', t.n)
await cleanupAll()
process.exit(0)
