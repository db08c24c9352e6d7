/** How every failure becomes problem+json: invalid input, unknown routes, thrown problems and unexpected errors. */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ZodError } from 'zod'
import { isDatabaseUnavailable } from '../db/errors'
import { ConfigError } from '../env'
import { logLine, rootCauseOf } from '../lib/log'
import { PROBLEM_TYPES, type ProblemType } from './catalogue'
import { ProblemError } from './problem-error'
import { problemResponse } from './respond'

type ValidationResult = { target: string } & ({ success: true } | { success: false; error: ZodError })

/** The `defaultHook` of every router: a failed validation lists every issue with its path. */
export function validationHook(result: ValidationResult, c: Context): Response | undefined {
  if (result.success) return undefined
  const issues = result.error.issues.map((issue) => ({
    path: [result.target, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }))
  const detail = issues.map((i) => `${i.path}: ${i.message}`).join('; ')
  return problemResponse(c, new ProblemError('validation-error', detail, { issues }).problem)
}

type RouteTable = readonly { method: string; path: string }[]

/** Each path the app serves, as a pattern, with its methods (Hono answers HEAD for every GET). */
function pathMethods(routes: RouteTable): { pattern: RegExp; methods: Set<string> }[] {
  const byPath = new Map<string, Set<string>>()
  for (const { method, path } of routes) {
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, a middleware's ALL is no method of METHOD_ORDER
    if (method === 'ALL') continue // middleware
    const methods = byPath.get(path) ?? new Set<string>()
    methods.add(method)
    // Stryker disable next-line ConditionalExpression: equivalent here, every path served by POST also matches a GET path
    if (method === 'GET') methods.add('HEAD')
    byPath.set(path, methods)
  }
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return [...byPath].map(([path, methods]) => ({
    pattern: new RegExp(
      `^${path
        .split(/:[^/]+/)
        .map(literal)
        .join('[^/]+')}$`,
    ),
    methods,
  }))
}

// Stryker disable next-line StringLiteral: equivalent until a route answers PUT or PATCH; kept so that one is listed
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

/**
 * No route answered: a known path asked with another method is 405 with `Allow` (RFC 9110), anything else 404.
 * `routes` is read on each miss (a few dozen entries; misses are rare), so it is the app as wired.
 */
export function routeNotFound(routes: () => RouteTable): NotFoundHandler {
  return (c) => {
    const { pathname } = new URL(c.req.url)
    const paths = pathMethods(routes())
    const allowed = new Set(paths.filter((p) => p.pattern.test(pathname)).flatMap((p) => [...p.methods]))
    if (allowed.size > 0) {
      const allow = METHOD_ORDER.filter((m) => allowed.has(m)).join(', ')
      const detail = `${c.req.method} is not served on ${pathname}; use ${allow}`
      return problemResponse(
        c,
        new ProblemError('method-not-allowed', detail, { headers: { Allow: allow } }).problem,
      )
    }
    return problemResponse(
      c,
      new ProblemError('not-found', `No route for ${c.req.method} ${pathname}`).problem,
    )
  }
}

/**
 * Hono's own exceptions: its JSON validator (a body that is not JSON) and the media-type gate of zod-openapi; a
 * `detail` here replaces Hono's terse message.
 */
const HTTP_EXCEPTION_TYPES: Partial<Record<number, { type: ProblemType; detail?: string }>> = {
  400: { type: 'bad-request', detail: 'The request body is not valid JSON' },
  401: { type: 'unauthorized' },
  403: { type: 'forbidden' },
  404: { type: 'not-found' },
  405: { type: 'method-not-allowed' },
  413: { type: 'body-too-large' },
  415: { type: 'unsupported-media-type', detail: 'The request body must be application/json' },
}

export const errorHandler: ErrorHandler = (error, c) => {
  if (error instanceof ProblemError) return problemResponse(c, error.problem)
  const known = error instanceof HTTPException ? HTTP_EXCEPTION_TYPES[error.status] : undefined
  if (known) {
    const detail = known.detail ?? (error.message || PROBLEM_TYPES[known.type].title)
    return problemResponse(c, new ProblemError(known.type, detail).problem)
  }
  if (isDatabaseUnavailable(error)) {
    logLine('warn', 'database unavailable', { requestId: c.get('requestId'), error: rootCauseOf(error) })
    return problemResponse(
      c,
      new ProblemError('database-unavailable', 'The database is unavailable. Retry later.').problem,
    )
  }
  const misconfigured = error instanceof ConfigError
  logLine('error', misconfigured ? 'misconfigured' : 'unhandled error', {
    requestId: c.get('requestId'),
    error: rootCauseOf(error),
  })
  // Never echo the error: it may carry SQL or internals.
  return problemResponse(
    c,
    new ProblemError(
      'internal-error',
      'The request failed unexpectedly. Quote the request id when reporting it.',
    ).problem,
  )
}
