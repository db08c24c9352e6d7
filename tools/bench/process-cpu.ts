/**
 * CPU time per layer of the request path, read from /proc (Linux): each layer is a set of processes, summed over
 * their threads, plus what their reaped children used (a PostgreSQL backend that exits mid-run still counts).
 * Differences of two snapshots divided by the requests served give CPU milliseconds per request per layer, a
 * figure that survives a noisy machine better than requests per second.
 */
import { readdirSync, readFileSync } from 'node:fs'

/** /proc's clock ticks (USER_HZ), 100 on Linux's ABI whatever the kernel's own tick rate. */
const TICK_MS = 10

export const LAYERS = ['worker', 'neonLocal', 'postgres', 'loadGenerator'] as const
export type Layer = (typeof LAYERS)[number]
export type LayerCpu = Record<Layer, number>

export const LAYER_NAMES: Record<Layer, string> = {
  worker: 'Worker',
  neonLocal: 'local server',
  postgres: 'PostgreSQL',
  loadGenerator: 'load generator',
}

interface ProcessStat {
  pid: number
  comm: string
  processGroup: number
  /** utime + stime + cutime + cstime, in ms. */
  cpuMs: number
}

function readStat(pid: string): ProcessStat | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined // Gone between the listing and the read.
  }
  // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses, so split after the last ')'.
  const close = text.lastIndexOf(')')
  const fields = text.slice(close + 2).split(' ')
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0)
  return {
    pid: Number(pid),
    comm: text.slice(text.indexOf('(') + 1, close),
    processGroup: Number(fields[2]),
    cpuMs: ticks * TICK_MS,
  }
}

export interface LayerProcesses {
  /** The Worker's process group (workerd under Miniflare; wrangler, its proxy and workerd under `wrangler dev`). */
  worker?: number
  /** The local Neon-protocol server's process group. */
  neonLocal?: number
}

/** Every process's figures, read from /proc once. */
function processStats(): ProcessStat[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .map(readStat)
    .filter((stat) => stat !== undefined)
}

/** CPU used so far by each layer; PostgreSQL is every `postgres` process, the load generator this process. */
export function cpuSnapshot(processes: LayerProcesses): LayerCpu {
  const out: LayerCpu = { worker: 0, neonLocal: 0, postgres: 0, loadGenerator: 0 }
  for (const stat of processStats()) {
    if (stat.processGroup === processes.worker) out.worker += stat.cpuMs
    else if (stat.processGroup === processes.neonLocal) out.neonLocal += stat.cpuMs
    else if (stat.comm === 'postgres') out.postgres += stat.cpuMs
  }
  const self = process.cpuUsage()
  out.loadGenerator = (self.user + self.system) / 1000
  return out
}

const eachLayer = (value: (layer: Layer) => number): LayerCpu => ({
  worker: value('worker'),
  neonLocal: value('neonLocal'),
  postgres: value('postgres'),
  loadGenerator: value('loadGenerator'),
})

/** CPU ms each layer used between two snapshots. */
export const cpuDelta = (before: LayerCpu, after: LayerCpu): LayerCpu =>
  eachLayer((layer) => after[layer] - before[layer])

/** The sum of several measurements, layer by layer. */
export const sumCpu = (all: LayerCpu[]): LayerCpu =>
  eachLayer((layer) => all.reduce((a, c) => a + c[layer], 0))

/** CPU ms per request per layer, of `total` spent on `requests` (NaN for none). */
export const perRequest = (total: LayerCpu, requests: number): LayerCpu =>
  eachLayer((layer) => (requests > 0 ? Math.round((total[layer] / requests) * 1000) / 1000 : Number.NaN))

/** CPU ms per request per layer between two snapshots. */
export const cpuPerRequest = (before: LayerCpu, after: LayerCpu, requests: number): LayerCpu =>
  perRequest(cpuDelta(before, after), requests)

/** CPU used so far by each command (workerd, node, ...) of one process group. */
export function groupCpuByCommand(processGroup: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const stat of processStats())
    if (stat.processGroup === processGroup) out[stat.comm] = (out[stat.comm] ?? 0) + stat.cpuMs
  return out
}
