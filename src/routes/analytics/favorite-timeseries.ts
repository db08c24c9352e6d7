import { z } from '@hono/zod-openapi'
import { analyticsCacheKey, negotiatedRepresentation, withAnalyticsCache } from '../../analytics/cache'
import {
  MAX_BUCKETS,
  misaligned,
  periodBuckets,
  previousBuckets,
  previousPeriod,
} from '../../analytics/period'
import { bucketStart, formatInstant } from '../../analytics/time-zone'
import type { App } from '../../app/types'
import {
  CachedAnswerHeaders,
  csvDispositionHeader,
  FAVORITE_TIMESERIES_EXAMPLE,
  FavoriteTimeseriesQuerySchema,
  FavoriteTimeseriesResponseDtoSchema,
  statedPeriod,
} from '../../contracts/analytics'
import { toCsv } from '../../lib/csv'
import { invalidField, ProblemError } from '../../problems/problem-error'
import { favoriteTimeseries } from '../../queries/analytics-timeseries'
import { staffRoute } from '../surface-route'
import { fileStamp, periodDto } from './period-format'

const TOO_MANY_BUCKETS_MESSAGE =
  'The period spans 731 day buckets; at most 400: use a coarser interval or a shorter period'

const CSV_COLUMNS = ['start', 'favorites'] as const
const CSV_COMPARED_COLUMNS = ['start', 'favorites', 'previousCount'] as const
const CSV_EXAMPLE =
  'start,favorites\r\n2026-01-01T00:00:00+05:45,4\r\n2026-01-02T00:00:00+05:45,0\r\n2026-01-03T00:00:00+05:45,7\r\n'

export const favoriteTimeseriesRoute = staffRoute(
  {
    method: 'get',
    path: '/favorites/timeseries',
    operationId: 'getFavoriteTimeseries',
    summary: 'Favourites added per day, week or month, for a chart',
    description:
      "Favourites added to the token's company's activities (or to one of them, `activityId`, or to those of one " +
      '`type`) per bucket of `tz` in `[from, to)`: every bucket is present, zeros included, oldest first. A bucket ' +
      'starts at midnight in `tz` (daylight saving time included: a day can be 23 or 25 hours); a week is an ISO ' +
      'week starting on Monday; the first and last buckets may be partial (only favourites inside the period ' +
      'count). `from` and `to` must be whole hours in `tz`. With `compare=previous`, each bucket also has ' +
      '`previousCount`: the same bucket shifted back by the period length. ' +
      `At most ${MAX_BUCKETS} buckets; the period defaults to the last 30 days.\n\n` +
      '**Removals are not history**: un-favouriting deletes the favourite, so a bucket counts the favourites added ' +
      'then that still exist now; the numbers of past buckets can go down. Counts only, never who.\n\n' +
      '**CSV**: send `Accept: text/csv` for the buckets as an RFC 4180 file (header row, CRLF).\n\n' +
      'Answers may be up to 60 seconds old (`Cache-Control: private, max-age=60`), or up to 120 seconds while a ' +
      'newer one is being computed (`X-Analytics-Cache: stale`); identical requests in flight share one query.',
    request: { query: FavoriteTimeseriesQuerySchema },
    responses: {
      200: {
        description: 'The buckets, as JSON or (with `Accept: text/csv`) as CSV.',
        headers: z.object({
          ...CachedAnswerHeaders,
          'Content-Disposition': csvDispositionHeader('timeseries'),
        }),
        content: {
          'application/json': {
            schema: FavoriteTimeseriesResponseDtoSchema,
            example: FAVORITE_TIMESERIES_EXAMPLE,
          },
          'text/csv': {
            schema: z.string().openapi({
              description: `Columns: ${CSV_COLUMNS.join(', ')} (and previousCount with \`compare=previous\`). UTF-8, CRLF line endings, a header row.`,
            }),
            example: CSV_EXAMPLE,
          },
        },
      },
    },
  },
  {
    instance: '/analytics/favorites/timeseries',
    statuses: [400, 404],
    details: {
      400: {
        detail: `query.interval: ${TOO_MANY_BUCKETS_MESSAGE}`,
        issues: [{ path: 'query.interval', message: TOO_MANY_BUCKETS_MESSAGE, code: 'custom' }],
      },
      404: {
        detail: "Activity 0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e is not one of your company's activities",
      },
    },
  },
)

export const registerFavoriteTimeseries = (router: App) =>
  router.openapi(favoriteTimeseriesRoute, async (c) => {
    const query = c.req.valid('query')
    const companyId = c.get('companyId')
    const period = statedPeriod(query)
    const zone = period.zone
    const compared = query.compare === 'previous'
    const buckets = periodBuckets(period, query.interval)
    const previous = compared ? previousBuckets(period, buckets) : undefined
    // Defence in depth: the period's own bounds were checked (periodIssues), and no zone since 1970 put an offset
    // off the quarter-hour grid between two on it, so no test can reach this with today's time-zone data.
    // Stryker disable ArrayDeclaration,ConditionalExpression,StringLiteral: equivalent, see above
    const issue = misaligned(
      [...buckets, ...(previous ?? [])].map((bucket) => bucket.from),
      zone,
    )[0]
    if (issue) throw invalidField(`query.${issue.path}`, issue.message)
    // Stryker restore all
    const activityId = query.activityId?.toLowerCase()
    const representation = negotiatedRepresentation(c)
    // Stryker disable next-line StringLiteral: equivalent, any name apart from the table's keeps the two routes apart
    const key = analyticsCacheKey(c, 'favorites-timeseries', representation, {
      from: period.from,
      to: period.to,
      // As written: the answer echoes it.
      tz: query.tz,
      compare: query.compare,
      interval: query.interval,
      activityId,
      type: query.type,
    })
    return withAnalyticsCache(c, key, 'Accept, Authorization', async () => {
      const series = await favoriteTimeseries(c.get('db'), {
        companyId,
        buckets,
        previousBuckets: previous,
        activityId,
        type: query.type,
      })
      // The same answer for another company's activity as for none: existence is not disclosed.
      if (!series.found) {
        throw new ProblemError('not-found', `Activity ${activityId} is not one of your company's activities`)
      }
      // The first bucket starts where its calendar unit does (the week of a Wednesday `from` starts on Monday).
      const rows = buckets.map((bucket, i) => ({
        // Stryker disable next-line ConditionalExpression: equivalent, a later bucket already starts where its unit does
        start: formatInstant(i === 0 ? bucketStart(bucket.from, zone, query.interval) : bucket.from, zone),
        favorites: series.counts[i] ?? 0,
        ...(series.previousCounts ? { previousCount: series.previousCounts[i] ?? 0 } : {}),
      }))
      if (representation === 'csv') {
        const filename = `favorites-timeseries-${fileStamp(period.from, zone)}-${fileStamp(period.to, zone)}.csv`
        return c.body(
          compared
            ? toCsv(
                CSV_COMPARED_COLUMNS,
                rows.map((row) => [row.start, row.favorites, row.previousCount ?? 0]),
              )
            : toCsv(
                CSV_COLUMNS,
                rows.map((row) => [row.start, row.favorites]),
              ),
          200,
          {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Disposition': `attachment; filename="${filename}"`,
          },
        )
      }
      return c.json(
        {
          period: periodDto(period, query.tz),
          ...(compared ? { previousPeriod: periodDto(previousPeriod(period), query.tz) } : {}),
          interval: query.interval,
          activityId: activityId ?? null,
          ...(query.type ? { type: query.type } : {}),
          buckets: rows,
        },
        200,
      )
    })
  })
