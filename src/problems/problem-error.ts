import { PROBLEM_TYPES, type ProblemStatus, type ProblemType, problemHeaders } from './catalogue'

export type ProblemIssue = { path: string; message: string; code: string }

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
      detail,
      ...(options.issues ? { issues: options.issues } : {}),
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
