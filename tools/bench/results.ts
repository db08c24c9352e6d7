/** The figures of one benchmark run, as written to bench/results/<scale>.json and read by the report. */
import type { BundleResult } from './bundle'
import type { DataSummary, ScaleName } from './generate'
import type { LoadResult } from './load'
import type { Stage } from './stages'
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
  /** (activity, UTC month) keys of `activity_favorite_month_counts` that differ from a recount. */
  activityMonthMismatches?: number
  /** (activity, UTC year) keys of `activity_favorite_year_counts` that differ from a recount. */
  activityYearMismatches?: number
  /** (activity, UTC day) keys of `activity_favorite_day_counts` that differ from a recount. */
  activityDayMismatches?: number
  /** (activity, UTC quarter-hour) keys of `activity_favorite_slot_counts` that differ from a recount. */
  activitySlotMismatches?: number
  /** (company, UTC day) keys of `company_favorite_day_counts` that differ from a recount. */
  companyDayMismatches: number
  /** (company, UTC quarter-hour) keys of `company_favorite_slot_counts` that differ from a recount. */
  companySlotMismatches?: number
  /** `activities.favorite_counts_backfill` still says both backfills complete (the triggers count every favourite only then). */
  backfillComplete?: boolean
  checkedAfter: string
}

/** One question of the analytics matrix (analytics-matrix.ts): database time of its samples. */
export interface AnalyticsMatrixCase {
  key: string
  label: string
  kind: 'table' | 'csv' | 'timeseries' | 'compare'
  sort?: string
  zone: string
  days: number
  /** p99 target, ms; absent when none is stated. */
  targetMs?: number
  samples: number
  executionMs: Percentiles
  planningMs: Percentiles
  buffers: Percentiles
  seqScanFavorites: number
  /** Of the slowest sample: its request path, its plan's root node, its node with the most time of its own. */
  slowest: { path: string; executionMs: number; topNode: string; heaviestNode: string }
}

/** The analytics matrix of the largest company, measured like the plans (captured, EXPLAIN ANALYZE). */
export interface AnalyticsMatrix {
  company: { id: string; activities: number; favorites: number }
  samplesPerCase: number
  cases: AnalyticsMatrixCase[]
  /** The case with the highest p99 for its target: its slowest sample's statement and plan as text. */
  worst: { key: string; path: string; sql: string; params: (string | null)[]; plan: string }
}

/** The status route for 100 ids, as sent and without its favoriteCount lookup (measure/status-counts.ts). */
export interface StatusCountsComparison {
  ids: number
  samples: number
  withCounts: Percentiles
  withoutCounts: Percentiles
  p99Ratio: number
}

export interface DatasetResult {
  scale: ScaleName
  data: DataSummary
  /** Wall time of the data set's stages, its generation included (absent from older results). */
  stages?: Stage[]
  /** Are the kept counts still in step after every write of the run? (Absent from results of schemas without them.) */
  rollupCheck?: RollupCheck
  /** The Worker's start-up, each time the run started it (under Miniflare; `wrangler dev` in older results). */
  workerStartupMs: number[]
  roundTrips: RoundTrip[]
  plans: RoutePlan[]
  deepPagination: DeepPagination
  /** The analytics matrix (the data set measured end to end only; absent from older results). */
  analyticsMatrix?: AnalyticsMatrix
  /** Absent from results before the status route's favoriteCount was measured. */
  statusCounts?: StatusCountsComparison
}

/**
 * What an end-to-end target is: the harness's ceiling, a rung of the ladder, the path without the Worker, a route,
 * the floor under the dev proxy.
 */
export type E2eKind = 'ceiling' | 'ladder' | 'driver' | 'route' | 'wrangler-dev'

export interface E2eResult {
  scale: ScaleName
  route: string
  label: string
  /** Absent from results before the Miniflare harness (every row was a route under `wrangler dev`). */
  kind?: E2eKind
  runs: LoadResult[]
}

/** One way of spreading the concurrent POST /favorites of fresh users (measure/write-contention.ts). */
export interface WriteContentionCase {
  key: 'hot' | 'company' | 'spread'
  label: string
  /** How many activities the requests go to. */
  activities: number
  runs: LoadResult[]
}

/** Many users favouriting one activity at once, beside the same load over many activities. */
export interface WriteContention {
  scale: ScaleName
  /** The largest company's most favourited activity. */
  hotActivity: { id: string; favoritesBefore: number; favoritesAfter: number }
  company: { id: string; activities: number }
  /** Users without favourites, inserted for these loads; each request takes the next (wrapping when used up). */
  freshUsers: number
  /** Requests to the hot activity answered 201 (a new favourite), over all its runs. */
  hotCreated: number
  /** Requests to the hot activity that may have written without a 201 seen: 503s, errors, in flight at the end. */
  hotUnseen: number
  cases: WriteContentionCase[]
}

/** One load of the replica stage: the writes, and the analytics load beside them (none when alone). */
export interface ReplicaLoadCase {
  key: 'alone' | 'replica' | 'primary'
  label: string
  writes: LoadResult
  analytics?: LoadResult
  /** The largest `replay_lag` of the replica seen on the primary while the case ran (sampled every 250 ms). */
  replayLagMaxMs: number
}

/** Write p99 on the primary without and with a concurrent analytics load on the replica (or on the primary). */
export interface ReplicaLoad {
  scale: ScaleName
  connections: number
  /** Replication as run: `asynchronous` (the bench's own replica, as Neon's) or the external server's mode. */
  replication: string
  cases: ReplicaLoadCase[]
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
  /** `wrangler dev`'s start-up in the end-to-end stage (its comparison row); absent from older results. */
  wranglerDevStartupMs?: number[]
  /** Hot activity vs spread writes (absent from older results). */
  writeContention?: WriteContention
  /** The replica stage; a string says why it did not run (absent from older results). */
  replicaLoad?: ReplicaLoad | string
  concurrency: number[]
  notes: string[]
}
