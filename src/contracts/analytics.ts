/**
 * The business surface: aggregated favourite counts for a company's dashboard. Aggregates only: no schema here
 * has a field that could carry a user id or a per-user row.
 */
import { z } from '@hono/zod-openapi'
import {
  bucketCount,
  DEFAULT_PERIOD_DAYS,
  INTERVALS,
  MAX_BUCKETS,
  MAX_PERIOD_DAYS,
  type Period,
  parseBound,
  periodIssues,
  resolvePeriod,
} from '../analytics/period'
import { resolveTimeZone } from '../analytics/time-zone'
import { ActivityTypeSchema } from './activity-type'
import {
  CountSchema,
  MAX_CURSOR_LENGTH,
  MAX_TIMESTAMP_LENGTH,
  OffsetTimestampSchema,
  signedCursorSchema,
  UuidSchema,
} from './bounded'
import { MAX_PAGE_SIZE, NextCursorSchema, pageLimitSchema } from './pagination'

export const ANALYTICS_SORTS = ['total', 'inPeriod', 'lastFavorited', 'name'] as const
export type AnalyticsSort = (typeof ANALYTICS_SORTS)[number]
export const SORT_ORDERS = ['asc', 'desc'] as const
export type SortOrder = (typeof SORT_ORDERS)[number]

const INSTANT_MESSAGE =
  'Must be an ISO 8601 date (2026-01-31) or date-time with a UTC offset (2026-01-31T00:00:00+01:00), year 1970 to 9999'

const instantParam = (description: string, example: string) =>
  z
    .string()
    // Aborts: past the length, the value is not read as a date at all (one issue, not two).
    .max(MAX_TIMESTAMP_LENGTH, { abort: true })
    .refine((value) => parseBound(value) !== undefined, { message: INSTANT_MESSAGE })
    .optional()
    .openapi({
      param: { description },
      pattern: '^\\d{4}-\\d{2}-\\d{2}(T.+)?$',
      // A date (midnight) or a date-time: both RFC 3339 formats, so a generated client can say which it sends.
      anyOf: [
        { type: 'string', format: 'date', maxLength: 10 },
        { type: 'string', format: 'date-time', maxLength: MAX_TIMESTAMP_LENGTH },
      ],
      example,
    })

const fromParam = instantParam(
  'Start of the period, inclusive: a date (midnight in `tz`) or a date-time with offset on a whole hour in `tz`, ' +
    'e.g. `2026-01-01` or `2026-01-01T00:00:00+01:00`. ' +
    `Default: ${DEFAULT_PERIOD_DAYS} days before \`to\`.`,
  '2026-01-01',
)
const toParam = instantParam(
  'End of the period, exclusive: a date (midnight in `tz`) or a date-time with offset on a whole hour in `tz`, ' +
    'e.g. `2026-02-01` or `2026-02-01T00:00:00+01:00`. Default: now, rounded up to the next whole hour in `tz`.',
  '2026-02-01T00:00:00+01:00',
)

/** IANA names: letters, digits and `_ + - /`, about 30 characters at most (`America/Argentina/ComodRivadavia`). */
const MAX_TIME_ZONE_LENGTH = 64
const TIME_ZONE_PATTERN = '^[A-Za-z0-9_+/-]+$'

const tzParam = z
  .string()
  .max(MAX_TIME_ZONE_LENGTH)
  .refine((value) => resolveTimeZone(value) !== undefined, {
    message: 'Must be an IANA time zone name, e.g. Europe/Berlin or Asia/Kathmandu',
  })
  .default('UTC')
  .openapi({
    param: {
      description:
        'IANA time zone of the period, the buckets and `lastFavoritedAt`: days, ISO weeks and months are this ' +
        "zone's, daylight saving time included. Default: `UTC`.",
    },
    example: 'Europe/Berlin',
    pattern: TIME_ZONE_PATTERN,
  })

const typeParam = ActivityTypeSchema.optional().openapi({
  param: { description: 'Only activities of this type.' },
})

const COMPARES = ['previous'] as const
const compareParam = z
  .enum(COMPARES)
  .optional()
  .openapi({
    param: {
      description:
        '`previous`: also count the period of the same length just before (the same wall-clock length in `tz`, ' +
        'so the day before a 23-hour DST day is a 24-hour day).',
    },
  })

/** The period a validated query states: its bounds read in its zone (or their defaults). */
export function statedPeriod(query: { from?: string; to?: string; tz: string }, now = Date.now()): Period {
  // Stryker disable next-line StringLiteral: unreachable, the query schema refuses a zone that does not resolve
  const zone = resolveTimeZone(query.tz) ?? 'UTC'
  const bound = (text: string | undefined) => (text === undefined ? undefined : parseBound(text))
  return resolvePeriod(bound(query.from), bound(query.to), zone, now)
}

type Payload = { issues: readonly { path?: readonly PropertyKey[] }[] }
/** Cross-field refinements run even when other fields failed, as long as the fields they read are valid. */
const whenValid =
  (...fields: string[]) =>
  (payload: Payload) =>
    !payload.issues.some((issue) => fields.includes(String(issue.path?.[0])))

export const FavoriteAnalyticsQuerySchema = z
  .object({
    from: fromParam,
    to: toParam,
    tz: tzParam,
    compare: compareParam,
    type: typeParam,
    sort: z
      .enum(ANALYTICS_SORTS)
      .default('total')
      .openapi({
        param: {
          description:
            '`total`: all favourites ever (still existing); `inPeriod`: favourites added in the period; ' +
            '`lastFavorited`: most recent favourite (never-favourited activities count as the oldest); ' +
            '`name`: activity name. Ties are broken by activity id.',
        },
        example: 'total',
      }),
    order: z
      .enum(SORT_ORDERS)
      .optional()
      .openapi({
        param: {
          description: 'Default: `asc` for `sort=name`, `desc` otherwise.',
        },
      }),
    limit: pageLimitSchema('Page size of the JSON representation, 1 to 100 (CSV ignores it). Default: 20.'),
    cursor: signedCursorSchema(MAX_CURSOR_LENGTH)
      .optional()
      .openapi({
        param: {
          description:
            'The `nextCursor` of the previous page (or the `cursor` of the `Link: rel="next"` header). Only valid ' +
            'for the company and the `from`, `to`, `type`, `sort` and `order` it was issued for; it carries the ' +
            'period, so a default period stays the same while paging.',
        },
      }),
  })
  .superRefine(
    (query, ctx) => {
      for (const issue of periodIssues(statedPeriod(query), MAX_PERIOD_DAYS, query.from !== undefined)) {
        ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message })
      }
    },
    { when: whenValid('from', 'to', 'tz') },
  )

export type FavoriteAnalyticsQuery = z.infer<typeof FavoriteAnalyticsQuerySchema>

export const FavoriteTimeseriesQuerySchema = z
  .object({
    from: fromParam,
    to: toParam,
    tz: tzParam,
    compare: compareParam,
    type: typeParam,
    interval: z
      .enum(INTERVALS)
      .default('day')
      .openapi({
        param: {
          description:
            'Bucket size, in `tz`: a calendar day, an ISO week (from Monday), or a calendar month.',
        },
        example: 'day',
      }),
    activityId: UuidSchema.optional().openapi({
      param: {
        description: "One of the company's activities; absent = the whole company.",
      },
    }),
  })
  .superRefine(
    (query, ctx) => {
      const period = statedPeriod(query)
      const issues = periodIssues(period, undefined, query.from !== undefined)
      for (const issue of issues) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message })
      if (issues.length > 0) return
      const count = bucketCount(period, query.interval)
      if (count > MAX_BUCKETS) {
        ctx.addIssue({
          code: 'custom',
          path: ['interval'],
          message: `The period spans ${count} ${query.interval} buckets; at most ${MAX_BUCKETS}: use a coarser interval or a shorter period`,
        })
      }
    },
    { when: whenValid('from', 'to', 'tz', 'interval') },
  )

const Instant = OffsetTimestampSchema.openapi({ example: '2026-01-01T00:00:00+01:00' })

export const AnalyticsPeriodDtoSchema = z
  .object({
    from: Instant.openapi({ description: "Start of the period, inclusive, in the zone's offset." }),
    to: Instant.openapi({ description: "End of the period, exclusive, in the zone's offset." }),
    tz: z.string().max(MAX_TIME_ZONE_LENGTH).openapi({
      description: 'The IANA time zone the period is in.',
      example: 'Europe/Berlin',
      pattern: TIME_ZONE_PATTERN,
    }),
  })
  .openapi('AnalyticsPeriodDto')

const count = (description: string, example: number) => CountSchema.openapi({ description, example })

export const FavoriteActivityAnalyticsItemDtoSchema = z
  .object({
    activityId: UuidSchema.openapi({ example: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e' }),
    // The catalogue's `text` column, sent as stored (see .spectral.mjs).
    activityName: z.string().openapi({ example: 'Sunset kayak tour' }),
    activityType: ActivityTypeSchema,
    totalFavorites: count('Favourites that exist now, whenever they were added.', 128),
    favoritesInPeriod: count('Favourites added in the period that still exist.', 17),
    favoritesInPreviousPeriod: count(
      'With `compare=previous` only: favourites added in the previous period that still exist.',
      12,
    ).optional(),
    lastFavoritedAt: Instant.nullable().openapi({
      description:
        'The start of the hour (in `tz`) in which the newest existing favourite was added; `null` if none. Never ' +
        'finer than an hour, so it cannot tell when a person acted.',
    }),
  })
  .openapi('FavoriteActivityAnalyticsItemDto')

const previousPeriodField = AnalyticsPeriodDtoSchema.optional().openapi({
  description: 'With `compare=previous` only: the period the previous counts are for.',
})

export const FavoriteAnalyticsResponseDtoSchema = z
  .object({
    items: z.array(FavoriteActivityAnalyticsItemDtoSchema).max(MAX_PAGE_SIZE),
    period: AnalyticsPeriodDtoSchema,
    previousPeriod: previousPeriodField,
    nextCursor: NextCursorSchema,
  })
  .openapi('FavoriteAnalyticsResponseDto')

export const FavoriteTimeseriesBucketDtoSchema = z
  .object({
    start: Instant.openapi({
      description: "Start of the bucket (the first may start before the period), in the zone's offset.",
    }),
    favorites: count('Favourites added in this bucket (within the period) that still exist.', 4),
    previousCount: count(
      'With `compare=previous` only: the same for this bucket shifted back by the period length.',
      3,
    ).optional(),
  })
  .openapi('FavoriteTimeseriesBucketDto')

export const FavoriteTimeseriesResponseDtoSchema = z
  .object({
    period: AnalyticsPeriodDtoSchema,
    previousPeriod: previousPeriodField,
    interval: z.enum(INTERVALS).openapi({ example: 'day' }),
    activityId: UuidSchema.nullable().openapi({
      description: 'The activity asked for; `null` = the whole company.',
    }),
    /** The activity type asked for; absent = all types. */
    type: ActivityTypeSchema.optional(),
    buckets: z.array(FavoriteTimeseriesBucketDtoSchema).max(MAX_BUCKETS),
  })
  .openapi('FavoriteTimeseriesResponseDto')

/** Examples for the document (media-type `example`s); the linter validates them against the schemas. */
export const FAVORITE_ANALYTICS_EXAMPLE = {
  items: [
    {
      activityId: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
      activityName: 'Sunset kayak tour',
      activityType: 'SLOT_BASED',
      totalFavorites: 128,
      favoritesInPeriod: 17,
      lastFavoritedAt: '2026-01-30T18:00:00+01:00',
    },
    {
      activityId: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      activityName: 'Bike repair service',
      activityType: 'SERVICE',
      totalFavorites: 0,
      favoritesInPeriod: 0,
      lastFavoritedAt: null,
    },
  ],
  period: { from: '2026-01-01T00:00:00+01:00', to: '2026-02-01T00:00:00+01:00', tz: 'Europe/Berlin' },
  nextCursor: null,
} satisfies z.input<typeof FavoriteAnalyticsResponseDtoSchema>

export const FAVORITE_TIMESERIES_EXAMPLE = {
  period: { from: '2026-01-01T00:00:00+05:45', to: '2026-01-04T00:00:00+05:45', tz: 'Asia/Kathmandu' },
  interval: 'day',
  activityId: null,
  buckets: [
    { start: '2026-01-01T00:00:00+05:45', favorites: 4 },
    { start: '2026-01-02T00:00:00+05:45', favorites: 0 },
    { start: '2026-01-03T00:00:00+05:45', favorites: 7 },
  ],
} satisfies z.input<typeof FavoriteTimeseriesResponseDtoSchema>

export type AnalyticsPeriodDto = z.infer<typeof AnalyticsPeriodDtoSchema>
export type FavoriteActivityAnalyticsItemDto = z.infer<typeof FavoriteActivityAnalyticsItemDtoSchema>
export type FavoriteTimeseriesBucketDto = z.infer<typeof FavoriteTimeseriesBucketDtoSchema>

/** Headers of every analytics 200: the answer may come from the per-company cache. */
export const CachedAnswerHeaders = {
  'Cache-Control': z.literal('private, max-age=60').openapi({ description: 'Per company, fresh for 60 s.' }),
  Age: z.number().int().min(0).max(60).optional().openapi({
    format: 'int32',
    description: 'Seconds since the answer was computed (at most 60), when it comes from the cache.',
  }),
  'X-Analytics-Cache': z.enum(['hit', 'stale', 'miss', 'coalesced']).openapi({
    description:
      '`hit`: from the cache, computed less than 60 s ago. `stale`: from the cache, 60 to 120 s old, while one ' +
      'request refreshes it. `miss`: computed for this request. `coalesced`: computed once for this request and ' +
      'identical ones in flight at the same time.',
  }),
}

/** `Content-Disposition` of a CSV answer: a download named after the route and the period. */
export const csvDispositionHeader = (route: 'analytics' | 'timeseries') =>
  z
    .string()
    .max(128)
    .optional()
    .openapi({
      description: `CSV only: \`attachment; filename="favorites-${route}-<from>-<to>.csv"\`.`,
      pattern: '^attachment; filename="[^"]+"$',
    })
