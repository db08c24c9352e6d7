/** How the analytics routes write a period: instants in the zone's offset, and file names. */
import type { Period } from '../../analytics/period'
import { formatInstant } from '../../analytics/time-zone'
import type { AnalyticsPeriodDto } from '../../contracts/analytics'

export const periodDto = (period: Period): AnalyticsPeriodDto => ({
  from: formatInstant(period.from, period.zone),
  to: formatInstant(period.to, period.zone),
  tz: period.zone,
})

/** `2026-01-01` for a midnight in the zone, `20260101T103000+0545` otherwise: safe in a file name everywhere. */
export function fileStamp(instant: number, zone: string): string {
  const text = formatInstant(instant, zone)
  if (text.slice(10, 19) === 'T00:00:00') return text.slice(0, 10)
  return text.slice(0, 10).replaceAll('-', '') + text.slice(10).replaceAll(':', '')
}
