import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ZodError } from 'zod'
import { isDatabaseUnavailable } from '../db/errors'
import { ConfigError } from '../env'
import { ProblemError, problemResponse } from '../lib/problem'
import { logLine } from './request-log'

type ValidationResult = { target: string } & ({ success: true } | { success: false; error: ZodError })

/** The `defaultHook` of every router: a failed validation lists every issue with its path. */
export function validationHook(result: ValidationResult, c: Context): Response | undefined {
  if (result.success) return undefined
  const issues = result.error.issues.map((issue) => ({
    path: [result.target, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }))
  return problemResponse(c, {
    status: 400,
    type: 'validation-error',
    title: 'Request validation failed',
    detail: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    issues,
  })
}

const HTTP_TITLES: Partial<Record<number, string>> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Request body too large',
  415: 'Unsupported media type',
}

export const notFoundHandler: NotFoundHandler = (c) =>
  problemResponse(c, {
    status: 404,
    type: 'not-found',
    title: 'Not found',
    detail: `No route for ${c.req.method} ${new URL(c.req.url).pathname}`,
  })

export const errorHandler: ErrorHandler = (error, c) => {
  if (error instanceof ProblemError) return problemResponse(c, error.problem)
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode
    const title = HTTP_TITLES[status] ?? 'Request failed'
    // Hono's JSON validator throws a bare 400 for a body that is not JSON.
    const detail = status === 400 ? 'The request body is not valid JSON' : error.message || title
    return problemResponse(c, { status, type: slug(title), title, detail })
  }
  if (isDatabaseUnavailable(error)) {
    logLine('warn', 'database unavailable', { requestId: c.get('requestId'), error: describe(error) })
    return problemResponse(c, {
      status: 503,
      type: 'database-unavailable',
      title: 'Service unavailable',
      detail: 'The database is unavailable. Retry later.',
      headers: { 'Retry-After': '2' },
    })
  }
  const misconfigured = error instanceof ConfigError
  logLine('error', misconfigured ? 'misconfigured' : 'unhandled error', {
    requestId: c.get('requestId'),
    error: describe(error),
  })
  // Never echo the error: it may carry SQL or internals.
  return problemResponse(c, {
    status: 500,
    type: 'internal-error',
    title: 'Internal server error',
    detail: 'The request failed unexpectedly. Quote the request id when reporting it.',
  })
}

const slug = (title: string) => title.toLowerCase().replaceAll(' ', '-')

/** The root cause only: drizzle's own message repeats the SQL and its parameters, which are not for logs. */
function describe(error: unknown): string {
  let root = error
  while (root instanceof Error && root.cause !== undefined) root = root.cause
  return root instanceof Error ? `${root.name}: ${root.message}` : String(root)
}
