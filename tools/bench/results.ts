/** The figures of one benchmark run, as written to bench/results/<scale>.json and read by the report. */
import type { BundleResult } from './bundle'
import type { DataSummary, ScaleName } from './generate'
import type { LoadResult } from './load'
import type { Percentiles } from './stats'

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

export interface Machine {
  cpus: number
  cpuModel: string
  memoryGiB: number
  os: string
  loadAverageAtStart: number[]
  loadAverageAtEnd: number[]
}

export interface BenchResults {
  scale: ScaleName
  command: string
  startedAt: string
  finishedAt: string
  durationSeconds: number
  machine: Machine
  versions: Record<string, string>
  postgres: { source: string; version: string; settings: Record<string, string> }
  bundle: BundleResult
  datasets: DatasetResult[]
  e2e: E2eResult[]
  e2eWorkerStartupMs: number[]
  concurrency: number[]
  notes: string[]
}
