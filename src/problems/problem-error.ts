import { PROBLEM_TYPES, type ProblemStatus, type ProblemType, problemHeaders } from './catalogue'

export type ProblemIssue = { path: string; message: string; code: string }

/**
 * A problem body's bounds. Its texts can quote the request (an unknown query key, a path), so they are cut to
 * these lengths: an error answer is never larger than what the document promises.
 */
export const MAX_DETAIL_LENGTH = 2048
export const MAX_ISSUE_TEXT_LENGTH = 512
export const MAX_PROBLEM_ISSUES = 100
export const MAX_INSTANCE_LENGTH = 2048
/** A caller's `X-Request-Id` is kept only within these bounds (src/index.ts passes the length to Hono's requestId). */
export const MAX_REQUEST_ID_LENGTH = 255
export const REQUEST_ID_PATTERN = '^[A-Za-z0-9_=-]+$'

/** `text`, cut to `max` characters with an ellipsis (never splitting a surrogate pair). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  return `${text.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '')}…`
}

const clipIssue = (issue: ProblemIssue): ProblemIssue => ({
  path: clip(issue.path, MAX_ISSUE_TEXT_LENGTH),
  message: clip(issue.message, MAX_ISSUE_TEXT_LENGTH),
  code: clip(issue.code, MAX_ISSUE_TEXT_LENGTH),
})

/** A problem as the error handler sends it: the catalogue's status, title and headers, and this request's detail. */
export type ResolvedProblem = {
  type: ProblemType
  status: ProblemStatus
  title: string
  detail: string
  issues?: ProblemIssue[]
  headers: Record<string, string>
}

type ProblemOptions = {
  issues?: ProblemIssue[]
  /** Values in place of the catalogue's for this one answer (e.g. a challenge without an error code). */
  headers?: Record<string, string>
}

/** The one error type routes and middleware throw; the error handler turns it into problem+json. */
export class ProblemError extends Error {
  override name = 'ProblemError'
  readonly problem: ResolvedProblem

  constructor(type: ProblemType, detail: string, options: ProblemOptions = {}) {
    super(detail)
    const { status, title } = PROBLEM_TYPES[type]
    this.problem = {
      type,
      status,
      title,
      detail: clip(detail, MAX_DETAIL_LENGTH),
      ...(options.issues ? { issues: options.issues.slice(0, MAX_PROBLEM_ISSUES).map(clipIssue) } : {}),
      headers: { ...problemHeaders(type), ...options.headers },
    }
  }
}

/** A 400 for one query or body field whose value is wrong in a way the schema cannot say (e.g. a cursor). */
export const invalidField = (path: string, message: string) =>
  new ProblemError('validation-error', `${path}: ${message}`, {
    issues: [{ path, message, code: 'invalid_value' }],
  })

/** A valid end-user token whose user is not (or no longer) registered: the same 403 on every client route. */
export const unknownUser = () =>
  new ProblemError('unknown-user', 'The token is valid, but its user is not registered on the platform')
