/** The last section: each missed target of the targets table, with what limits it and what would fix it. */
import type { BenchResults } from '../results'
import { ratio } from '../stats'
import { MATRIX_ROW, matrixMiss } from './analytics-matrix'
import { CONCURRENT_ANALYTICS_ROW } from './end-to-end'
import {
  BUSINESS,
  fmt,
  isLargestCompany,
  measuredCalendarCounts,
  measuredFavoriteCounts,
  planOf,
  type Row,
  verdict,
} from './format'
import { LEAN_PATH_ROW, leanPathMiss } from './lean-path'
import { statusCountsMiss } from './sync'

function scaleMiss(r: BenchResults, misses: string[]): string | undefined {
  const full = r.datasets.find((d) => d.scale === 'full')
  const small = r.datasets.find((d) => d.scale === 'small')
  if (misses.length === 0 || !full || !small) return undefined
  const p50s = full.plans
    .filter((p) => !BUSINESS.includes(p.route) && !isLargestCompany(p) && p.route !== 'floor')
    .map((p) => {
      const s = planOf(small, p.route, 'random')
      return `${p.route} ×${fmt(ratio(p.executionMs.p50, s?.executionMs.p50 ?? Number.NaN))}`
    })
  const load = `${r.machine.loadAverageAtStart[0]}-${r.machine.loadAverageAtEnd[0]}`
  return (
    `- **10M vs 100k p99** (${misses.map((m) => m.replace('10M / 100k p99, ', '')).join('; ')}): the plans are the same index scans at both ` +
    'scales (see the scan-node table) and touch about the same buffers per request, but at 10M the pages each sampled user needs are ' +
    'rarely hot, and writes descend larger indexes ' +
    (measuredFavoriteCounts(r)
      ? "(plus, for POST/DELETE, the triggers' writes to the five count tables of `drizzle/0004_favorite_counts.sql`). "
      : '(plus the rollup upserts for POST/DELETE; measured on the sharded rollups before 0004). ') +
    'The p50 ratios ' +
    `(${p50s.join(', ')}) grow far less than the tail; the p99 also carries the machine's other load (load average ${load}). ` +
    "What would fix it: an idle box, and shared_buffers/compute sized so the hot set stays resident, as Neon's local file cache does; " +
    'the statements themselves have nothing left to remove.'
  )
}

/** Measured on the sharded day rollups of 0002/0003 (results saved before 0004): what limited them then. */
const ROLLUP_ANALYTICS_LIMITS =
  'measured on the schema before `drizzle/0004_favorite_counts.sql` (its sharded day rollups; since replaced). ' +
  "The rollups removed the scan of the company's favourites; what remained shows in the plans above. (1) The default period " +
  'ended at the next minute, so its first and last days were partial and counted exactly from the favourites: one ' +
  "`(activity_id, created_at)` index probe per activity with favourites that day. (2) The table summed the period's whole " +
  'days from `activity_favorite_days` rows fetched from the heap. What would have fixed it, in order of effect: an hourly ' +
  'rollup for the two edge days, or whole-day default periods (no probes at all); covering indexes so the day and total ' +
  'rows are index-only scans; a per-month rollup for long periods.'

function analyticsMiss(r: BenchResults, misses: string[]): string | undefined {
  if (misses.length === 0) return undefined
  const routes = misses.map((m) => m.replace(/, largest company.*$/, '')).join('; ')
  if (!measuredFavoriteCounts(r))
    return `- **Analytics, largest company** (${routes}): ${ROLLUP_ANALYTICS_LIMITS}`
  if (measuredCalendarCounts(r))
    return (
      `- **Analytics, largest company** (${routes}): no statement reads a favourite, and each reads a few count rows ` +
      'per activity (a signed sum of year, month, day and quarter-hour rows, `src/queries/count-ranges.ts`). A page ' +
      'sorted by total, name or last favourite reads its rows in order from an index, then the period of those rows ' +
      "only. Sorted by the period count, and as CSV, the period is counted for every one of the company's 10,000 " +
      'activities: an index-only scan of 2-3 count rows per activity, a hash aggregate by activity, a join with the ' +
      "activities' totals and a sort, which is what the plans above spend their time on. What would close it: a " +
      'ranking kept ready per fixed window (the default last 30 days), or an aggregate cheaper per row than a hash by ' +
      'activity (rows kept in activity order, summed as they are read).'
    )
  return (
    `- **Analytics, largest company** (${routes}): no statement reads a ` +
    'favourite: the counts of `drizzle/0004_favorite_counts.sql` give a period its whole UTC days from day rows and its partial first ' +
    'and last days (both partial in the default period, which ends on the next whole hour) from quarter-hour rows; what remains shows ' +
    'in the plans above. (1) A page sorted by total or by name reads its rows in order from an index (0005: ' +
    '`activity_favorite_counts_company_id_favorites_idx`, `activities_company_id_name_id_idx`), then the period of those rows ' +
    "only. Sorted by the period count, and as CSV, it reads all of the company's day and quarter-hour rows in the period " +
    '(`activity_favorite_day_counts_company_id_day_idx`, `activity_favorite_slot_counts_company_id_slot_idx`): the favourites ' +
    'are sparse per activity and day (the largest company has about 7 per activity in 30 days), so there is about one day row ' +
    'per favourite and the cost follows the favourites in the period, whatever the grain. Sorted by the last favourite, the key ' +
    "is the hour in the asked zone, which no index holds: every activity's counts row is read and sorted. (2) The timeseries " +
    "reads the company's own rows (`company_favorite_day_counts`, `company_favorite_slot_counts`). Candidates, none measured " +
    "here: the last-favourite page from an index on `(company_id, last_favorited_at)`, read past the page's last hour; " +
    'covering indexes (`INCLUDE (favorites)`) so day and quarter-hour rows are index-only scans; a month grain for long periods.'
  )
}

function concurrentAnalyticsMiss(row: Row | undefined): string | undefined {
  if (!row) return undefined
  return (
    `- **${String(row[0])}** (${String(row[2])}): the errors are answers other than 200, or none (section 4): ` +
    "a 503 is the database not answering within the Worker's deadline while the statements of that many uncached " +
    "questions queue for the local server's pool and the machine's two cores; a socket error or timeout means no answer at all. " +
    'What would fix it: cheaper statements (the analytics matrix shows which), or fewer concurrent uncached questions per company.'
  )
}

function bundleMiss(r: BenchResults): string {
  const b = r.bundle
  const largest = b.byPackage.slice(0, 3).map((p) => p.name)
  return (
    `- **Bundle size** (${fmt(b.gzipKiB, 1)} KiB gzip, minified, zod's locales already aliased to \`en\` only): ` +
    `the largest parts are ${largest.join(', ')}. \`@neondatabase/serverless\` is one pre-bundled file (its WebSocket ` +
    'pg client, SCRAM and TLS included) that esbuild cannot trim although `neon()` over HTTP uses little of it; ' +
    "going lower needs a small fetch client for Neon's HTTP endpoint in its place."
  )
}

function runTimeMiss(r: BenchResults): string {
  const generated = r.datasets.filter((d) => d.origin?.reused !== true)
  const generating = generated.reduce((a, d) => a + d.data.totalSeconds, 0)
  const stages = r.datasets.flatMap((d) => (d.stages ?? []).map((s) => ({ ...s, scale: d.scale })))
  const longest = stages.reduce<(typeof stages)[number] | undefined>(
    (a, s) => (a === undefined || s.seconds > a.seconds ? s : a),
    undefined,
  )
  const kept = r.datasets.some((d) => d.origin !== undefined)
  return (
    `- **Run time** (${fmt(r.durationSeconds / 60, 1)} min, budget 10 min): ` +
    (generated.length > 0
      ? `generating the data took ${fmt(generating, 0)} s of it`
      : 'every data set was reused, none generated') +
    `, with load average ${r.machine.loadAverageAtStart[0]}-${r.machine.loadAverageAtEnd[0]}` +
    (longest
      ? `; the longest stage was ${longest.scale}'s ${longest.step} (${fmt(longest.seconds, 0)} s, section 1 lists them all)`
      : '') +
    (kept && generated.length > 0
      ? ". This run generated its data and kept it: the next run within the data sets' maximum age reuses it and " +
        "skips generation (section 1). What limits a first run: the 10M set's generation and the recount that checks it."
      : '. What would fix it: fewer end-to-end targets or plan samples (the measurements are most of what is left).')
  )
}

export function missedTargetsSection(r: BenchResults, targetRows: Row[]): string[] {
  const missed = targetRows.filter((row) => row[3] === verdict(false)).map((row) => String(row[0]))
  const lines = [
    scaleMiss(
      r,
      missed.filter((m) => m.startsWith('10M / 100k')),
    ),
    missed.some((m) => m.startsWith('Deep page'))
      ? '- **Deep pagination**: the keyset statement was slower on the deep page; see its plan above.'
      : undefined,
    analyticsMiss(
      r,
      missed.filter(
        (m) =>
          m.includes('largest company') &&
          !m.startsWith(MATRIX_ROW) &&
          !m.startsWith(CONCURRENT_ANALYTICS_ROW),
      ),
    ),
    missed.some((m) => m.startsWith(MATRIX_ROW)) ? matrixMiss(r) : undefined,
    concurrentAnalyticsMiss(
      targetRows.find(
        (row) => String(row[0]).startsWith(CONCURRENT_ANALYTICS_ROW) && row[3] === verdict(false),
      ),
    ),
    statusCountsMiss(r),
    missed.some((m) => m.startsWith(LEAN_PATH_ROW)) ? leanPathMiss(r.e2e) : undefined,
    missed.some((m) => m.startsWith('Worker bundle')) ? bundleMiss(r) : undefined,
    r.durationSeconds > 600 ? runTimeMiss(r) : undefined,
  ].filter((line) => line !== undefined)
  return [
    '## Missed targets: what limits them, what would fix them',
    '',
    ...(lines.length > 0 ? lines : ['None: every target above was met in this run.']),
  ]
}
