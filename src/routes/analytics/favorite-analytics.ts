import { z } from '@hono/zod-openapi'
import { analyticsCacheKey, negotiatedRepresentation, withAnalyticsCache } from '../../analytics/cache'
import { MAX_PERIOD_DAYS, previousPeriod } from '../../analytics/period'
import { formatInstant, resolveTimeZone } from '../../analytics/time-zone'
import type { App } from '../../app/types'
import {
  type AnalyticsSort,
  CachedAnswerHeaders,
  csvDispositionHeader,
  FAVORITE_ANALYTICS_EXAMPLE,
  type FavoriteActivityAnalyticsItemDto,
  FavoriteAnalyticsQuerySchema,
  FavoriteAnalyticsResponseDtoSchema,
  statedPeriod,
} from '../../contracts/analytics'
import { toCsv } from '../../lib/csv'
import { decodeCursor, encodeCursor } from '../../lib/cursor'
import { type AnalyticsRow, favoriteAnalyticsPage } from '../../queries/analytics-table'
import { staffRoute } from '../surface-route'
import { fileStamp, periodDto } from './period-format'

/** Rows per CSV page: a whole company's table in one file (the largest has about 10,000 activities). */
export const CSV_PAGE_ROWS = 10_000

const CSV_COLUMNS = [
  'activityId',
  'activityName',
  'activityType',
  'totalFavorites',
  'favoritesInPeriod',
  'lastFavoritedAt',
] as const
/** With `compare=previous`, the previous period's count follows the period's. */
const CSV_COMPARED_COLUMNS = [
  ...CSV_COLUMNS.slice(0, 5),
  'favoritesInPreviousPeriod',
  CSV_COLUMNS[5],
] as const

const CSV_EXAMPLE =
  'activityId,activityName,activityType,totalFavorites,favoritesInPeriod,lastFavoritedAt\r\n' +
  '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e,Sunset kayak tour,SLOT_BASED,128,17,2026-01-30T18:00:00+01:00\r\n' +
  '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f,Bike repair service,SERVICE,0,0,\r\n'

export const favoriteAnalyticsRoute = staffRoute(
  {
    method: 'get',
    path: '/favorites',
    operationId: 'getFavoriteAnalytics',
    summary: "Favourite counts of each of your company's activities",
    description:
      "One item per activity of the token's company, zero counts included: `totalFavorites` (favourites that exist " +
      'now), `favoritesInPeriod` (added in `[from, to)` and still existing), with `compare=previous` ' +
      '`favoritesInPreviousPeriod`, and `lastFavoritedAt` (the hour of the newest favourite). Counts only, never ' +
      'who, and never a time finer than an hour of `tz`: `from` and `to` must be whole hours there. The period ' +
      'defaults to the last 30 days and is at most ' +
      `${MAX_PERIOD_DAYS} days long. Keyset pagination over the sort key and the activity id: follow ` +
      '`nextCursor` (or the `Link: rel="next"` header) until it is `null`.\n\n' +
      '**CSV**: send `Accept: text/csv` for the same table as an RFC 4180 file download (header row, CRLF). A CSV ' +
      `page holds up to ${CSV_PAGE_ROWS.toLocaleString('en-US')} rows (\`limit\` applies to JSON only), which is the whole table for ` +
      'today\'s companies; when there are more, the response has a `Link: <...>; rel="next"` header whose URL ' +
      "continues the file. Names that a spreadsheet would run as a formula are prefixed with `'`.\n\n" +
      'Answers may be up to 60 seconds old (`Cache-Control: private, max-age=60`), or up to 120 seconds while a ' +
      'newer one is being computed (`X-Analytics-Cache: stale`); identical requests in flight share one query.',
    request: { query: FavoriteAnalyticsQuerySchema },
    responses: {
      200: {
        description: 'One page of the table, as JSON or (with `Accept: text/csv`) as CSV.',
        headers: z.object({
          ...CachedAnswerHeaders,
          Link: z
            .string()
            // The next page's URL: this one's bounded query, with a cursor of at most 4 KiB.
            .max(8192)
            .optional()
            .openapi({
              description: '`<url>; rel="next"` when there is a next page.',
              pattern: '^<[^>]+>; rel="next"$',
            }),
          'Content-Disposition': csvDispositionHeader('analytics'),
        }),
        content: {
          'application/json': {
            schema: FavoriteAnalyticsResponseDtoSchema,
            example: FAVORITE_ANALYTICS_EXAMPLE,
          },
          'text/csv': {
            schema: z.string().openapi({
              description: `Columns: ${CSV_COLUMNS.join(', ')}. UTF-8, CRLF line endings, a header row.`,
            }),
            example: CSV_EXAMPLE,
          },
        },
      },
    },
  },
  {
    instance: '/analytics/favorites',
    statuses: [400],
    details: {
      400: {
        detail:
          'query.from: Must be on a whole hour in Asia/Kathmandu: analytics never resolves a time finer than an hour',
        issues: [
          {
            path: 'query.from',
            message:
              'Must be on a whole hour in Asia/Kathmandu: analytics never resolves a time finer than an hour',
            code: 'custom',
          },
        ],
      },
    },
  },
)

// Stryker disable next-line Regex: equivalent, the cursor is signed: only this API writes the values it checks
const MICROS = /^-?\d{1,19}$/

/** The cursor of a page sorted by `sort`: the period (ms), the last row's sort key and its id. */
function analyticsCursorSchema(sort: AnalyticsSort) {
  const key =
    sort === 'name'
      ? z.string()
      : sort === 'lastFavorited'
        ? z.string().regex(MICROS).nullable()
        : z.number().int().min(0)
  return z.object({ f: z.number().int(), t: z.number().int(), k: key, i: z.uuid() })
}

function toItems(rows: AnalyticsRow[], zone: string): FavoriteActivityAnalyticsItemDto[] {
  return rows.map(({ lastFavoritedHour, ...row }) => ({
    ...row,
    lastFavoritedAt: lastFavoritedHour === null ? null : formatInstant(lastFavoritedHour, zone),
  }))
}

function toCsvRows(items: FavoriteActivityAnalyticsItemDto[], compared: boolean) {
  return items.map((item) => [
    item.activityId,
    item.activityName,
    item.activityType,
    item.totalFavorites,
    item.favoritesInPeriod,
    ...(compared ? [item.favoritesInPreviousPeriod ?? 0] : []),
    item.lastFavoritedAt,
  ])
}

export const registerFavoriteAnalytics = (router: App) =>
  router.openapi(favoriteAnalyticsRoute, async (c) => {
    const query = c.req.valid('query')
    const companyId = c.get('companyId')
    const secret = c.get('config').cursorSecret
    // Stryker disable next-line StringLiteral: unreachable, the query schema refuses a zone that does not resolve
    const zone = resolveTimeZone(query.tz) ?? 'UTC'
    const order = query.order ?? (query.sort === 'name' ? 'asc' : 'desc')
    const compared = query.compare === 'previous'
    // The query as the caller stated it (bounds as instants of the zone): what a cursor is bound to. A default
    // period is `*`, and the cursor carries the period it was issued for, so paging a default period does not
    // drift with the clock.
    const statedBounds = statedPeriod(query)
    const stated = {
      from: query.from === undefined ? undefined : statedBounds.from,
      to: query.to === undefined ? undefined : statedBounds.to,
      type: query.type,
      sort: query.sort,
      order,
    }
    const scopeFields = [
      // Stryker disable next-line StringLiteral: equivalent, no other route issues these cursors
      'analytics-favorites',
      companyId,
      zone,
      // Stryker disable next-line StringLiteral: equivalent, '*' is only a token no stated value can be
      stated.from ?? '*',
      // Stryker disable next-line StringLiteral: equivalent, as above
      stated.to ?? '*',
      // Stryker disable next-line StringLiteral: equivalent, as above
      stated.type ?? '*',
      stated.sort,
      stated.order,
    ]
    // Stryker disable next-line StringLiteral: equivalent, the fields' values cannot run into each other's
    const scope = scopeFields.join('|')
    const position = query.cursor
      ? await decodeCursor(query.cursor, analyticsCursorSchema(query.sort), scope, secret)
      : undefined
    const period = position ? { from: position.f, to: position.t, zone } : statedBounds
    const previous = compared ? previousPeriod(period) : undefined

    const representation = negotiatedRepresentation(c)
    const limit = representation === 'csv' ? CSV_PAGE_ROWS : query.limit
    // Stryker disable next-line StringLiteral: equivalent, the other operation's key is 'timeseries'
    const key = analyticsCacheKey(c, 'favorites', representation, {
      // Stryker disable next-line StringLiteral,LogicalOperator: equivalent, '*' is only a token no stated value can be; `&&` still keeps a default (undefined) apart from a stated bound ('*'), and from/to below tell stated bounds apart
      statedFrom: stated.from ?? '*',
      // Stryker disable next-line StringLiteral,LogicalOperator: equivalent, as above
      statedTo: stated.to ?? '*',
      from: period.from,
      to: period.to,
      // As written: the answer echoes it.
      tz: query.tz,
      compare: query.compare,
      type: stated.type,
      sort: stated.sort,
      order,
      limit,
      cursor: query.cursor,
    })

    return withAnalyticsCache(c, key, 'Accept, Authorization', async () => {
      const page = await favoriteAnalyticsPage(c.get('db'), {
        companyId,
        zone,
        period,
        previous,
        type: query.type,
        sort: query.sort,
        order,
        limit,
        after: position && { key: position.k, id: position.i },
      })
      const items = toItems(page.rows, zone)
      const nextCursor =
        page.hasMore && page.last
          ? await encodeCursor(
              { f: period.from, t: period.to, k: page.last.key, i: page.last.id },
              scope,
              secret,
            )
          : null
      const headers: Record<string, string> = {}
      if (nextCursor) {
        const next = new URLSearchParams()
        if (query.from) next.set('from', query.from)
        if (query.to) next.set('to', query.to)
        next.set('tz', query.tz)
        if (query.compare) next.set('compare', query.compare)
        if (stated.type) next.set('type', stated.type)
        next.set('sort', stated.sort)
        next.set('order', order)
        if (representation === 'json') next.set('limit', String(limit))
        next.set('cursor', nextCursor)
        headers.Link = `</analytics/favorites?${next}>; rel="next"`
      }
      if (representation === 'csv') {
        headers['Content-Type'] = 'text/csv; charset=utf-8'
        headers['Content-Disposition'] =
          `attachment; filename="favorites-analytics-${fileStamp(period.from, zone)}-${fileStamp(period.to, zone)}.csv"`
        const columns = compared ? CSV_COMPARED_COLUMNS : CSV_COLUMNS
        return c.body(toCsv(columns, toCsvRows(items, compared)), 200, headers)
      }
      return c.json(
        {
          items,
          period: periodDto(period, query.tz),
          ...(previous ? { previousPeriod: periodDto(previous, query.tz) } : {}),
          nextCursor,
        },
        200,
        headers,
      )
    })
  })
