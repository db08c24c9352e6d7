import { z } from '@hono/zod-openapi'
import { analyticsCacheKey, withAnalyticsCache } from '../../analytics/cache'
import { MAX_BUCKETS, resolvePeriod } from '../../analytics/period'
import type { App } from '../../app/types'
import {
  CachedAnswerHeaders,
  FAVORITE_TIMESERIES_EXAMPLE,
  FavoriteTimeseriesQuerySchema,
  FavoriteTimeseriesResponseDtoSchema,
} from '../../contracts/analytics'
import { ProblemError } from '../../problems/problem-error'
import { favoriteTimeseries } from '../../queries/analytics'
import { staffRoute } from '../surface-route'

const TOO_MANY_BUCKETS_MESSAGE =
  'The period spans 731 day buckets; at most 400: use a coarser interval or a shorter period'

export const favoriteTimeseriesRoute = staffRoute(
  {
    method: 'get',
    path: '/favorites/timeseries',
    operationId: 'getFavoriteTimeseries',
    summary: 'Favourites added per day, week or month, for a chart',
    description:
      "Favourites added to the token's company's activities (or to one of them, `activityId`) per UTC bucket in " +
      '`[from, to)`: every bucket is present, zeros included, oldest first. A bucket starts at midnight UTC; a ' +
      'week is an ISO week starting on Monday; the first and last buckets may be partial (only favourites inside ' +
      `the period count). At most ${MAX_BUCKETS} buckets; the period defaults to the last 30 days.\n\n` +
      '**Removals are not history**: un-favouriting deletes the favourite, so a bucket counts the favourites added ' +
      'then that still exist now; the numbers of past buckets can go down. Counts only, never who.\n\n' +
      'Answers may be up to 60 seconds old (`Cache-Control: private, max-age=60`).',
    request: { query: FavoriteTimeseriesQuerySchema },
    responses: {
      200: {
        description: 'The buckets.',
        headers: z.object({
          ...CachedAnswerHeaders,
        }),
        content: {
          'application/json': {
            schema: FavoriteTimeseriesResponseDtoSchema,
            example: FAVORITE_TIMESERIES_EXAMPLE,
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
    const period = resolvePeriod(query.from, query.to)
    const from = period.from.toISOString()
    const to = period.to.toISOString()
    const activityId = query.activityId?.toLowerCase()
    const key = analyticsCacheKey(c, 'favorites-timeseries', 'json', {
      from,
      to,
      interval: query.interval,
      activityId,
    })
    return withAnalyticsCache(c, key, 'Authorization', async () => {
      const series = await favoriteTimeseries(c.get('db'), {
        companyId,
        from,
        to,
        interval: query.interval,
        activityId,
      })
      // The same answer for another company's activity as for none: existence is not disclosed.
      if (!series.found) {
        throw new ProblemError('not-found', `Activity ${activityId} is not one of your company's activities`)
      }
      return c.json(
        {
          period: { from, to },
          interval: query.interval,
          activityId: activityId ?? null,
          buckets: series.buckets,
        },
        200,
      )
    })
  })
