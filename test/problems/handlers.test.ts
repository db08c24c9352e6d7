/**
 * The error handler on its own, behind a minimal app: an HTTP error without a message takes its type's title, a
 * bad setting and a bug are logged apart and answered alike without their text, and a problem still answers when
 * no request id was set.
 */
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/env'
import { PROBLEM_TYPES } from '../../src/problems/catalogue'
import { errorHandler } from '../../src/problems/handlers'
import { logLinesDuring } from '../support/logs'

function appThrowing(error: Error, withRequestId = true) {
  const app = new Hono()
  if (withRequestId) app.use(requestId())
  app.get('/fails', () => {
    throw error
  })
  app.onError(errorHandler)
  return app
}

async function problemOf(error: Error, withRequestId = true) {
  const response = await appThrowing(error, withRequestId).request('https://handler.test/fails')
  expect(response.headers.get('Content-Type')).toBe('application/problem+json')
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('errorHandler', () => {
  it("answers an HTTP error without a message with its type's title, and one with a message with it", async () => {
    expect(await problemOf(new HTTPException(404))).toMatchObject({
      status: 404,
      body: { detail: PROBLEM_TYPES['not-found'].title },
    })
    const withMessage = new HTTPException(403, { message: 'Staff only' })
    expect(await problemOf(withMessage)).toMatchObject({ status: 403, body: { detail: 'Staff only' } })
  })

  // Hono's own message for these two is replaced by one that says what to fix.
  it.each([
    {
      status: 400,
      type: 'bad-request',
      message: 'Malformed JSON in request body',
      detail: 'The request body is not valid JSON',
    },
    { status: 401, type: 'unauthorized', message: 'No token', detail: 'No token' },
    { status: 403, type: 'forbidden', message: 'Staff only', detail: 'Staff only' },
    { status: 404, type: 'not-found', message: 'Gone', detail: 'Gone' },
    { status: 405, type: 'method-not-allowed', message: 'Use GET', detail: 'Use GET' },
    { status: 413, type: 'body-too-large', message: 'Too big', detail: 'Too big' },
    {
      status: 415,
      type: 'unsupported-media-type',
      message: 'Bad type',
      detail: 'The request body must be application/json',
    },
  ] as const)(
    'answers an HTTP $status error as the $type problem',
    async ({ status, type, message, detail }) => {
      const { body } = await problemOf(new HTTPException(status, { message }))
      expect(body).toMatchObject({ status, type: `urn:problem-type:${type}`, detail })
    },
  )

  it.each([
    { error: new ConfigError('JWT_SECRET: must be at least 32 characters'), msg: 'misconfigured' },
    { error: new Error('relation "x" does not exist'), msg: 'unhandled error' },
  ])('logs "$msg" with the request id, and answers 500 without the error text', async ({ error, msg }) => {
    let answer: Awaited<ReturnType<typeof problemOf>> | undefined
    const lines = await logLinesDuring('error', async () => {
      answer = await problemOf(error)
    })
    expect(answer?.status).toBe(500)
    expect(JSON.stringify(answer?.body)).not.toContain(error.message)
    expect(lines).toEqual([
      { level: 'error', msg, requestId: answer?.body.requestId, error: `${error.name}: ${error.message}` },
    ])
  })

  it('quotes the request id as unknown when none was set', async () => {
    expect((await problemOf(new HTTPException(404), false)).body.requestId).toBe('unknown')
  })
})
