/**
 * The two authenticated surfaces, as route builders: `clientRoute()` for the mobile app, `staffRoute()` for the
 * business dashboard. Each fills in what every operation of its surface shares (tag, bearer security, the auth
 * middleware and request budget, conditional GETs, and the 401/403/429/500/503 problems), so a route file holds
 * only what is its own.
 */
import { createRoute, type RouteConfig, z } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import {
  CONDITIONAL_GET_HEADERS,
  IfNoneMatchHeaderSchema,
  NOT_MODIFIED_RESPONSE,
} from '../contracts/conditional-get'
import { type ProblemExamples, problemResponses } from '../contracts/problem'
import { requireAnalyticsStaff, requireEndUser } from '../middleware/auth'
import { limitPerCompany, limitPerUser } from '../middleware/rate-limit'
import type { DocumentedProblemStatus } from '../problems/catalogue'

type OwnRoute = Pick<RouteConfig, 'method' | 'path' | 'operationId' | 'summary' | 'description'> & {
  operationId: string
  // Required: without it the route's input type would be `unknown`.
  request: NonNullable<RouteConfig['request']>
  responses: RouteConfig['responses']
}

type OwnProblems<S extends DocumentedProblemStatus> = ProblemExamples & {
  /** The error statuses of this operation besides the surface's own 401, 403, 429, 500 and 503. */
  statuses: readonly S[]
}

const SURFACE_STATUSES = [401, 403, 429, 500, 503] as const

function surfaceRoute<const A extends MiddlewareHandler, const L extends MiddlewareHandler>(surface: {
  tag: string
  authenticate: A
  /** The surface's request budget, spent once the caller is known. */
  limit: L
  /** The `detail` of the 403 example: the other surface's token. */
  forbidden: string
  /** The surface's GETs answer `If-None-Match` with 304 (its router runs the conditional-GET middleware). */
  conditionalGets: boolean
}) {
  return <
    const R extends OwnRoute,
    const S extends DocumentedProblemStatus = never,
    const B extends readonly MiddlewareHandler[] = [],
  >(
    route: R,
    problems: OwnProblems<S>,
    /** Middleware that runs before authentication (e.g. the body limit, so an oversized body costs nothing). */
    before?: B,
  ) => {
    const { method, path, operationId, summary, description } = route
    const { request, responses } =
      surface.conditionalGets && method === 'get' ? withConditionalGet(route) : route
    const details = { 403: { detail: surface.forbidden }, ...problems.details }
    // Keys in the order the document lists them.
    return createRoute({
      method: method as R['method'],
      path: path as R['path'],
      operationId,
      tags: [surface.tag],
      summary,
      description,
      security: [{ bearerAuth: [] }],
      middleware: [...(before ?? []), surface.authenticate, surface.limit] as unknown as [...B, A, L],
      request: { ...request, query: strictQuery(request.query) } as R['request'],
      responses: {
        ...(responses as R['responses']),
        ...problemResponses<S | (typeof SURFACE_STATUSES)[number]>(
          { instance: problems.instance, details },
          ...problems.statuses,
          ...SURFACE_STATUSES,
        ),
      },
    })
  }
}

/**
 * Query parameters a route does not declare are a 400 naming them (as Stripe does), so a misspelt or unsupported
 * filter is never silently ignored; a route without parameters accepts none.
 */
function strictQuery(query: NonNullable<RouteConfig['request']>['query']) {
  if (query === undefined) return z.object({}).strict()
  return query instanceof z.ZodObject ? query.strict() : query
}

/** A GET's `If-None-Match` parameter, the `ETag` of its 200, and its 304: documented where they are sent. */
function withConditionalGet({ request, responses }: OwnRoute): Pick<OwnRoute, 'request' | 'responses'> {
  const ok = responses[200]
  return {
    request: { ...request, headers: IfNoneMatchHeaderSchema },
    responses: {
      ...responses,
      // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: equivalent, every GET route has an inline 200 (the guard is for the type)
      ...(ok && !('$ref' in ok) ? { 200: { ...ok, headers: CONDITIONAL_GET_HEADERS } } : {}),
      304: NOT_MODIFIED_RESPONSE,
    },
  }
}

export const clientRoute = surfaceRoute({
  tag: 'favorites',
  authenticate: requireEndUser,
  limit: limitPerUser,
  forbidden: 'A company staff token cannot use the client API',
  conditionalGets: true,
})

export const staffRoute = surfaceRoute({
  tag: 'analytics',
  authenticate: requireAnalyticsStaff,
  limit: limitPerCompany,
  forbidden: 'An end-user token cannot use the business API',
  conditionalGets: false,
})
