import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Problem } from '../contracts/problem'

type ProblemInit = {
  status: ContentfulStatusCode
  /** Short slug, becomes `urn:problem-type:<slug>`. */
  type: string
  title: string
  detail: string
  issues?: Problem['issues']
  headers?: Record<string, string>
}

/** The one error type routes and middleware throw; the error handler turns it into problem+json. */
export class ProblemError extends Error {
  override name = 'ProblemError'
  constructor(readonly problem: ProblemInit) {
    super(problem.detail)
  }
}

export const notFound = (detail: string) =>
  new ProblemError({ status: 404, type: 'not-found', title: 'Not found', detail })

export const badRequest = (detail: string, path: string) =>
  new ProblemError({
    status: 400,
    type: 'validation-error',
    title: 'Request validation failed',
    detail: `${path}: ${detail}`,
    issues: [{ path, message: detail, code: 'invalid_value' }],
  })

export function problemResponse(c: Context, init: ProblemInit): Response {
  const body: Problem = {
    type: `urn:problem-type:${init.type}`,
    title: init.title,
    status: init.status,
    detail: init.detail,
    instance: new URL(c.req.url).pathname,
    requestId: c.get('requestId') ?? 'unknown',
    ...(init.issues ? { issues: init.issues } : {}),
  }
  for (const [name, value] of Object.entries(init.headers ?? {})) c.header(name, value)
  c.header('Cache-Control', 'no-store')
  return c.body(JSON.stringify(body), init.status, { 'Content-Type': 'application/problem+json' })
}
