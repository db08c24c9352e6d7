/**
 * `npm run bench:profile -- [--route floor] [--seconds 5] [--connections 8]`: where the Worker's CPU goes on one
 * route. Starts what the benchmark starts (PostgreSQL, the smoke data set, the local Neon-protocol server), runs the
 * Worker's bundle, built unminified so function names survive, under Miniflare with workerd's V8 inspector open,
 * loads the route once without the profiler (the Worker's CPU per request, read from /proc as the benchmark does)
 * and once while the V8 sampling profiler runs, and prints the functions with the most self time. The profile is
 * written to bench/results/tmp/<route>.cpuprofile (Chrome DevTools opens it).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { LOCAL_DATABASE_URL } from '../db/connect'
import { migrateDatabase } from '../db/migrate'
import { freePort } from '../free-port'
import { ROOT } from '../root'
import { cleanupAll, installSignalHandlers, onCleanup } from './cleanup'
import { startNeonServer } from './dataset'
import { generateData, SCALES } from './generate'
import { runLoad } from './load'
import { log } from './log'
import { createBenchDatabase, startBenchPostgres, withClient } from './postgres'
import { cpuPerRequest, cpuSnapshot, groupCpuByCommand } from './process-cpu'
import { drawSamples, routeByKey } from './routes'
import { buildBundle, startMiniflareWorker } from './worker'

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
  samples: number[]
  timeDeltas: number[]
}

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback
}

/** A minimal Chrome DevTools Protocol session on workerd's inspector (the user Worker's target). */
async function inspect(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    title: string
    webSocketDebuggerUrl: string
  }[]
  const target = targets.find((t) => t.title.includes('core:user')) ?? targets[0]
  if (!target) throw new Error('workerd exposes no inspector target')
  const socket = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  let id = 0
  const pending = new Map<number, (result: unknown) => void>()
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown }
    if (message.id !== undefined) pending.get(message.id)?.(message.result)
  })
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      pending.set(++id, resolve)
      socket.send(JSON.stringify({ id, method, params }))
    })
  return { send, close: () => socket.close() }
}

function summarise(profile: CpuProfile, requests: number): string[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]))
  const self = new Map<string, number>()
  let total = 0
  profile.samples.forEach((nodeId, i) => {
    const frame = byNode.get(nodeId)
    const delta = profile.timeDeltas[i] ?? 0
    if (!frame || frame.functionName === '(idle)') return
    total += delta
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber + 1}`
    self.set(name, (self.get(name) ?? 0) + delta)
  })
  const perRequest = (us: number) => `${(us / 1000 / requests).toFixed(3)} ms/request`
  return [
    `sampled CPU (not idle): ${perRequest(total)} over ${requests} requests`,
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40)
      .map(([name, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${perRequest(us)}  ${name}`),
  ]
}

async function main(): Promise<void> {
  installSignalHandlers()
  const route = routeByKey(argument('route', 'floor'))
  const seconds = Number(argument('seconds', '5'))
  const connections = Number(argument('connections', '8'))
  const workDir = mkdtempSync(join(process.env.TMPDIR ?? os.tmpdir(), 'bench-profile.'))
  onCleanup('work dir', () => rmSync(workDir, { recursive: true, force: true }))
  const postgres = await startBenchPostgres(log)
  onCleanup('PostgreSQL', () => postgres.stop())
  const database = await createBenchDatabase(postgres.adminUrl, 'profile')
  onCleanup(`database ${database.name}`, () => database.drop())
  const neon = await startNeonServer(database.url, join(workDir, 'neon-local.log'))
  await migrateDatabase(LOCAL_DATABASE_URL, neon.url)
  const data = await generateData(database.url, SCALES.smoke, () => undefined)
  const samples = await withClient(database.url, (client) =>
    drawSamples(client, { users: 50, companies: 10 }, data),
  )
  const inspectorPort = await freePort()
  const worker = await startMiniflareWorker(await buildBundle(workDir, 'profile', { minify: false }), {
    endpoint: neon.url,
    logFile: join(workDir, 'worker.log'),
    inspectorPort,
  })
  await runLoad(worker.baseUrl, route, samples, connections, 2) // warm-up
  // Without the profiler first: the Worker's CPU per request as the benchmark reads it (/proc).
  const processes = { worker: worker.processGroup, neonLocal: neon.processGroup }
  const before = cpuSnapshot(processes)
  const commandsBefore = groupCpuByCommand(worker.processGroup)
  const plain = await runLoad(worker.baseUrl, route, samples, connections, seconds, 500_000)
  const cpu = cpuPerRequest(before, cpuSnapshot(processes), plain.requests)
  const commands = Object.entries(groupCpuByCommand(worker.processGroup))
    .map(
      ([command, ms]) =>
        `${command} ${((ms - (commandsBefore[command] ?? 0)) / plain.requests).toFixed(3)} ms`,
    )
    .join(', ')
  const inspector = await inspect(inspectorPort)
  await inspector.send('Profiler.enable')
  await inspector.send('Profiler.setSamplingInterval', { interval: 50 })
  await inspector.send('Profiler.start')
  const load = await runLoad(worker.baseUrl, route, samples, connections, seconds, 1_000_000)
  const { profile } = (await inspector.send('Profiler.stop')) as { profile: CpuProfile }
  inspector.close()
  const outDir = join(ROOT, 'bench', 'results', 'tmp')
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, `${route.key}.cpuprofile`), JSON.stringify(profile))
  console.log(
    `${route.label}, ${connections} connections, not profiled: ${plain.requestsPerSecond} req/s; CPU per request: ` +
      `Worker ${cpu.worker} ms (${commands}), local server ${cpu.neonLocal} ms, PostgreSQL ${cpu.postgres} ms`,
  )
  console.log(`profiled: ${load.requestsPerSecond} req/s`)
  for (const line of summarise(profile, load.requests)) console.log(line)
}

main()
  .then(() => cleanupAll())
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    console.error(
      `[profile] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    )
    await cleanupAll()
    process.exit(1)
  })
