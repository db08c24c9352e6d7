/**
 * The analytics matrix of the largest company: every question a dashboard asks that the analytics issue sets a
 * target for, each as a route case whose i-th request asks a period no other sample of the case asks (whole days
 * of its zone, ending i days before the zone's next midnight), so that no answer could come from the cache even
 * outside capture mode.
 */
import { ANALYTICS_SORTS } from '../../src/contracts/analytics'
import type { RouteCase, Samples } from './routes'

/** UTC, and a zone a quarter-hour off UTC whose midnight falls on a quarter-hour slot (+05:45, no DST). */
export const MATRIX_ZONES = ['UTC', 'Asia/Kathmandu'] as const
export const MATRIX_PERIOD_DAYS = [30, 366] as const
/** Rows of the CSV representation (CSV_PAGE_ROWS of src/routes/analytics/favorite-analytics.ts). */
export const CSV_ROWS = 10_000

/** Database time (p99 under EXPLAIN ANALYZE) each kind of question must stay within, ms. */
export const MATRIX_TARGETS_MS = {
  table30: 20,
  table366: 50,
  csv: 100,
  timeseries: 10,
}

export type MatrixKind = 'table' | 'csv' | 'timeseries' | 'compare'

export interface MatrixCase {
  key: string
  label: string
  kind: MatrixKind
  sort?: string
  zone: string
  days: number
  /** Absent: the issue states no target (the comparison page is measured beside the plain one). */
  targetMs?: number
  route: RouteCase
}

const DAY_MS = 86_400_000

/** The zone's calendar date at `ms`, `YYYY-MM-DD`. */
export function zoneDate(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(ms)
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')}`
}

export const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)

/**
 * `from` and `to` of sample `i`: `days` whole days of the zone ending `i` days before its next midnight (dates
 * are the zone's midnights, so both bounds are whole hours there).
 */
export function samplePeriod(zone: string, days: number, i: number, now: number): string {
  const to = addDays(zoneDate(now, zone), 1 - i)
  return `from=${addDays(to, -days)}&to=${to}`
}

const staff = (s: Samples, extra: Record<string, string> = {}) => ({
  Authorization: `Bearer ${s.largestCompany.token}`,
  ...extra,
})

function matrixRoute(key: string, label: string, path: (i: number) => string, csv = false): RouteCase {
  return {
    key,
    label,
    surface: 'business',
    write: false,
    status: [200],
    request: (s, i) => ({
      method: 'GET',
      path: path(i),
      headers: staff(s, csv ? { Accept: 'text/csv' } : {}),
    }),
  }
}

/** The cases, in report order; `now` fixes the dates (one clock for the whole matrix). */
export function matrixCases(companyActivities: number, now = Date.now()): MatrixCase[] {
  const out: MatrixCase[] = []
  const period = (zone: string, days: number) => (i: number) => samplePeriod(zone, days, i, now)
  const tz = (zone: string) => `tz=${encodeURIComponent(zone)}`
  for (const days of MATRIX_PERIOD_DAYS) {
    for (const zone of MATRIX_ZONES) {
      for (const sort of ANALYTICS_SORTS) {
        const key = `table-${sort}-${zone}-${days}d`
        const label = `table page (20), sort ${sort}, ${zone}, ${days} days`
        const at = period(zone, days)
        out.push({
          key,
          label,
          kind: 'table',
          sort,
          zone,
          days,
          targetMs: days === 30 ? MATRIX_TARGETS_MS.table30 : MATRIX_TARGETS_MS.table366,
          route: matrixRoute(
            key,
            label,
            (i) => `/analytics/favorites?sort=${sort}&limit=20&${tz(zone)}&${at(i)}`,
          ),
        })
      }
    }
  }
  const rows = Math.min(companyActivities, CSV_ROWS)
  for (const zone of MATRIX_ZONES) {
    const key = `csv-${zone}-30d`
    const label = `CSV, whole table (${rows.toLocaleString('en-US')} rows), ${zone}, 30 days`
    const at = period(zone, 30)
    out.push({
      key,
      label,
      kind: 'csv',
      zone,
      days: 30,
      targetMs: MATRIX_TARGETS_MS.csv,
      route: matrixRoute(key, label, (i) => `/analytics/favorites?${tz(zone)}&${at(i)}`, true),
    })
  }
  for (const zone of MATRIX_ZONES) {
    const key = `timeseries-${zone}-30d`
    const label = `timeseries by day, ${zone}, 30 days`
    const at = period(zone, 30)
    out.push({
      key,
      label,
      kind: 'timeseries',
      zone,
      days: 30,
      targetMs: MATRIX_TARGETS_MS.timeseries,
      route: matrixRoute(
        key,
        label,
        (i) => `/analytics/favorites/timeseries?interval=day&${tz(zone)}&${at(i)}`,
      ),
    })
  }
  const key = 'compare-total-UTC-30d'
  const label = 'table page (20), sort total, UTC, 30 days, compare=previous'
  const at = period('UTC', 30)
  out.push({
    key,
    label,
    kind: 'compare',
    sort: 'total',
    zone: 'UTC',
    days: 30,
    route: matrixRoute(
      key,
      label,
      (i) => `/analytics/favorites?sort=total&limit=20&compare=previous&tz=UTC&${at(i)}`,
    ),
  })
  return out
}
