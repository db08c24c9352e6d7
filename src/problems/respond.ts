import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Problem } from '../contracts/problem'
import { problemTypeUri } from './catalogue'
import { clip, MAX_INSTANCE_LENGTH, type ResolvedProblem } from './problem-error'

/** The problem+json response: never stored by any cache, and quoting the request id. */
export function problemResponse(c: Context, problem: ResolvedProblem): Response {
  const body: Problem = {
    type: problemTypeUri(problem.type),
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: clip(new URL(c.req.url).pathname, MAX_INSTANCE_LENGTH),
    requestId: c.get('requestId') ?? 'unknown',
    ...(problem.issues ? { issues: problem.issues } : {}),
  }
  for (const [name, value] of Object.entries(problem.headers)) c.header(name, value)
  c.header('Cache-Control', 'no-store')
  return c.body(JSON.stringify(body), problem.status as ContentfulStatusCode, {
    'Content-Type': 'application/problem+json',
  })
}
