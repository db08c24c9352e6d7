import type { LoadResult } from './load'
import { rollupMismatches } from './measure/rollups'
import type { BenchResults, WriteContention } from './results'
import { ROUTES } from './routes'

/**
 * A status an end-to-end run may answer besides its route's own: 503, the database not answering within the
 * Worker's deadline, depends on how loaded the machine is (the report's table shows it). Any other status means
 * the benchmark asked something the API refuses, or the API broke: the run then measured the wrong thing.
 */
const LOAD_STATUSES = ['503']

/** A load run that answered a status neither its route nor the load explains, or nothing it expects. */
function unexplainedStatuses(run: LoadResult): boolean {
  const load = LOAD_STATUSES.reduce((a, code) => a + (run.statuses[code] ?? 0), 0)
  const expected = run.requests - run.unexpected
  return run.unexpected - load > 0 || (run.requests > 0 && expected === 0)
}

/**
 * The hot activity's favourites after its loads: at least one more per 201 answered (no write lost under
 * contention), and at most as many more as requests were sent to it.
 */
function hotWritesViolation(w: WriteContention): string | undefined {
  const added = w.hotActivity.favoritesAfter - w.hotActivity.favoritesBefore
  if (added >= w.hotCreated && added <= w.hotCreated + w.hotUnseen) return undefined
  return (
    `${w.scale}: the hot activity gained ${added} favourites under the concurrent writes, but ${w.hotCreated} ` +
    `requests were answered 201 (and at most ${w.hotUnseen} more may have written unseen)`
  )
}

/**
 * What must hold at any scale: one round trip (0 when cached), expected statuses (one request at a time, and under
 * load), no seq scan of favourites (the analytics matrix included), the kept counts in step with a recount and
 * their backfill complete, and no favourite of the hot activity lost under concurrent writes.
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
    for (const p of [...d.plans, ...(d.analyticsMatrix?.cases ?? [])]) {
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
      if (unexplainedStatuses(run))
        out.push(
          `${e.scale}: end to end ${e.label} c=${run.connections}: statuses ${JSON.stringify(run.statuses)}`,
        )
    }
  }
  const w = results.writeContention
  if (w) {
    for (const c of w.cases) {
      for (const run of c.runs) {
        if (unexplainedStatuses(run))
          out.push(
            `${w.scale}: concurrent writes, ${c.label} c=${run.connections}: statuses ${JSON.stringify(run.statuses)}`,
          )
      }
    }
    const lost = hotWritesViolation(w)
    if (lost) out.push(lost)
  }
  const replica = results.replicaLoad
  if (typeof replica === 'object') {
    for (const c of replica.cases) {
      for (const [what, run] of [
        ['writes', c.writes],
        ['analytics', c.analytics],
      ] as const) {
        if (run && (unexplainedStatuses(run) || run.requests === 0))
          out.push(
            `replica stage, ${c.label}, ${what}: statuses ${JSON.stringify(run.statuses)}, ${run.errors} socket errors`,
          )
      }
    }
  }
  return out
}
