import { rollupMismatches } from './measure/rollups'
import type { BenchResults } from './results'
import { ROUTES } from './routes'

/**
 * A status an end-to-end run may answer besides its route's own: 503, the database not answering within the
 * Worker's deadline, depends on how loaded the machine is (the report's table shows it). Any other status means
 * the benchmark asked something the API refuses, or the API broke: the run then measured the wrong thing.
 */
const LOAD_STATUSES = ['503']

/**
 * What must hold at any scale: one round trip (0 when cached), expected statuses (one request at a time, and under
 * load), no seq scan of favourites, the kept counts in step with a recount and their backfill complete.
 */
export function invariantViolations(results: BenchResults): string[] {
  const out: string[] = []
  for (const d of results.datasets) {
    for (const t of d.roundTrips) {
      if (t.counts.some((c) => c !== t.expected))
        out.push(`${d.scale}: ${t.label}: round trips ${t.counts.join(',')}`)
      const route = ROUTES.find((r) => r.key === t.route.replace(/Repeat$/, ''))
      if (route && t.statuses.some((st) => !route.status.includes(st))) {
        out.push(`${d.scale}: ${t.label}: statuses ${t.statuses.join(',')}`)
      }
    }
    for (const p of d.plans) {
      if (p.seqScanFavorites > 0)
        out.push(`${d.scale}: ${p.label}: ${p.seqScanFavorites} sequential scans of favourites`)
    }
    if (!d.rollupCheck) {
      out.push(`${d.scale}: the kept favourite counts were not checked against a recount`)
    } else {
      const differing = rollupMismatches(d.rollupCheck).filter(([, n]) => n !== 0)
      if (differing.length > 0) {
        const which = differing.map(([what, n]) => `${n} ${what}`).join(', ')
        out.push(`${d.scale}: kept favourite counts differ from a recount of the favourites (${which})`)
      }
      if (d.rollupCheck.backfillComplete !== true)
        out.push(`${d.scale}: activities.favorite_counts_backfill is not complete after the run`)
    }
  }
  for (const e of results.e2e) {
    for (const run of e.runs) {
      const load = LOAD_STATUSES.reduce((a, code) => a + (run.statuses[code] ?? 0), 0)
      const expected = run.requests - run.unexpected
      if (run.unexpected - load > 0 || (run.requests > 0 && expected === 0)) {
        out.push(
          `${e.scale}: end to end ${e.label} c=${run.connections}: statuses ${JSON.stringify(run.statuses)}`,
        )
      }
    }
  }
  return out
}
