import type { BenchResults } from './results'
import { ROUTES } from './routes'

/** What must hold at any scale: one round trip (0 when cached), expected statuses, no seq scan, rollups in step. */
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
    if (
      d.rollupCheck &&
      (d.rollupCheck.activityMismatches !== 0 || d.rollupCheck.companyDayMismatches !== 0)
    ) {
      out.push(`${d.scale}: rollups differ from a recount of the favourites`)
    }
  }
  return out
}
