/** The error routes and middleware throw: what it resolves to, and how it reads in a log line or a stack trace. */
import { describe, expect, it } from 'vitest'
import { ProblemError } from '../../src/problems/problem-error'

describe('ProblemError', () => {
  it('names itself where it is logged', () => {
    const error = new ProblemError('database-unavailable', 'The database is unavailable. Retry later.')
    expect(String(error)).toBe('ProblemError: The database is unavailable. Retry later.')
    expect(error.problem).toMatchObject({
      type: 'database-unavailable',
      status: 503,
      detail: 'The database is unavailable. Retry later.',
    })
  })
})
