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

/**
 * The trigger-kept favourite counts (drizzle/0004_favorite_counts.sql) against a recount of the favourites. The
 * fields marked optional are absent from results saved before that migration (two tables were checked then).
 */
export interface RollupCheck {
  /** Activities whose `activity_favorite_counts` total, newest favourite or company differs from a recount. */
  activityMismatches: number
  /** (activity, UTC day) keys of `activity_favorite_day_counts` that differ from a recount. */
  activityDayMismatches?: number
  /** (activity, UTC quarter-hour) keys of `activity_favorite_slot_counts` that differ from a recount. */
  activitySlotMismatches?: number
  /** (company, UTC day) keys of `company_favorite_day_counts` that differ from a recount. */
  companyDayMismatches: number
  /** (company, UTC quarter-hour) keys of `company_favorite_slot_counts` that differ from a recount. */
  companySlotMismatches?: number
  /** `activities.favorite_counts_backfill` still says complete (the triggers count every favourite only then). */
  backfillComplete?: boolean
  checkedAfter: string
}

export interface DatasetResult {
  scale: ScaleName
  data: DataSummary
  /** Are the kept counts still in step after every write of the run? (Absent from results of schemas without them.) */
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
  /**
   * The last migration applied to the measured databases (its tag in drizzle/meta/_journal.json). Absent from
   * results saved before drizzle/0004_favorite_counts.sql, which were measured on the sharded rollups of 0002/0003.
   */
  schema?: string
  bundle: BundleResult
  datasets: DatasetResult[]
  e2e: E2eResult[]
  e2eWorkerStartupMs: number[]
  concurrency: number[]
  notes: string[]
}
