/** How every failure becomes problem+json: invalid input, unknown routes, thrown problems and unexpected errors. */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ZodError } from 'zod'
import { isDatabaseUnavailable } from '../db/errors'
import { ConfigError } from '../env'
import { logLine } from '../lib/log'
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

export const notFoundHandler: NotFoundHandler = (c) =>
  problemResponse(
    c,
    new ProblemError('not-found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`).problem,
  )

/** Hono's own exceptions: its JSON validator (a body that is not JSON) and the media-type gate of zod-openapi. */
const HTTP_EXCEPTION_TYPES: Partial<Record<number, ProblemType>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'body-too-large',
  415: 'unsupported-media-type',
}

export const errorHandler: ErrorHandler = (error, c) => {
  if (error instanceof ProblemError) return problemResponse(c, error.problem)
  const httpType = error instanceof HTTPException ? HTTP_EXCEPTION_TYPES[error.status] : undefined
  if (httpType) {
    const detail = httpType === 'bad-request' ? 'The request body is not valid JSON' : error.message
    return problemResponse(c, new ProblemError(httpType, detail || PROBLEM_TYPES[httpType].title).problem)
  }
  if (isDatabaseUnavailable(error)) {
    logLine('warn', 'database unavailable', { requestId: c.get('requestId'), error: describe(error) })
    return problemResponse(
      c,
      new ProblemError('database-unavailable', 'The database is unavailable. Retry later.').problem,
    )
  }
  const misconfigured = error instanceof ConfigError
  logLine('error', misconfigured ? 'misconfigured' : 'unhandled error', {
    requestId: c.get('requestId'),
    error: describe(error),
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

/** The root cause only: drizzle's own message repeats the SQL and its parameters, which are not for logs. */
function describe(error: unknown): string {
  let root = error
  while (root instanceof Error && root.cause !== undefined) root = root.cause
  return root instanceof Error ? `${root.name}: ${root.message}` : String(root)
}
