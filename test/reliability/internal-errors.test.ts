/**
 * A 500 says only that the request failed and which request it was: nothing of the error itself (it may carry SQL,
 * settings or a stack) reaches the caller, on either surface. Invalid Worker settings are the 500 a deploy can
 * cause, so the Worker runs here with one.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { type ApiRequest, expectProblem } from '../support/api'
import { createUser, newCompanyId } from '../support/database'
import { logLinesDuring } from '../support/logs'
import { staffToken, userToken } from '../support/tokens'
import { directApi } from './direct'

const GENERIC_DETAIL = 'The request failed unexpectedly. Quote the request id when reporting it.'

/** The Worker with `DB_TIMEOUT_MS` set to something that is not a number of milliseconds. */
const callMisconfigured = (path: string, request: ApiRequest) =>
  directApi(path, request, { ...env, DB_TIMEOUT_MS: 'soon' })

describe('an unexpected failure (invalid settings)', () => {
  it.each([
    ['client', '/favorites', () => createUser().then(userToken)],
    ['business', '/analytics/favorites', () => staffToken(newCompanyId())],
  ])(
    'answers a %s request 500 with a generic detail and its request id, echoing nothing',
    async (_, path, token) => {
      const caller = await token()
      let response = new Response()
      const errors = await logLinesDuring('error', async () => {
        response = await callMisconfigured(path, { token: caller, headers: { 'X-Request-Id': 'req-500' } })
      })
      // The operator's log has what the caller does not: one error line naming the setting.
      expect(errors).toEqual([
        expect.objectContaining({ level: 'error', msg: 'misconfigured', requestId: 'req-500' }),
      ])
      expect(JSON.stringify(errors[0])).toContain('DB_TIMEOUT_MS')
      const problem = await expectProblem(response, 500)
      expect(problem).toMatchObject({
        type: 'urn:problem-type:internal-error',
        title: 'Internal server error',
        detail: GENERIC_DETAIL,
        requestId: 'req-500',
      })
      const text = JSON.stringify(problem)
      for (const internal of ['DB_TIMEOUT_MS', 'soon', 'ConfigError', 'expected number', '    at ']) {
        expect(text).not.toContain(internal)
      }
      expect(response.headers.get('Cache-Control')).toBe('no-store')
    },
  )
})
