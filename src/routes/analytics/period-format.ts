/** How the analytics routes write a period: instants in the zone's offset, and file names. */
import type { Period } from '../../analytics/period'
import { formatInstant } from '../../analytics/time-zone'
import type { AnalyticsPeriodDto } from '../../contracts/analytics'

/**
 * `tz` is the zone as the caller wrote it (validated): the computations use ICU's canonical name, which for a few
 * renamed zones is the older spelling (Asia/Katmandu for Asia/Kathmandu), not what a caller expects back.
 */
export const periodDto = (period: Period, tz: string): AnalyticsPeriodDto => ({
  from: formatInstant(period.from, period.zone),
  to: formatInstant(period.to, period.zone),
  tz,
})

/** `2026-01-01` for a midnight in the zone, `20260101T103000+0545` otherwise: safe in a file name everywhere. */
export function fileStamp(instant: number, zone: string): string {
  const text = formatInstant(instant, zone)
  if (text.slice(10, 19) === 'T00:00:00') return text.slice(0, 10)
  return text.slice(0, 10).replaceAll('-', '') + text.slice(10).replaceAll(':', '')
}
