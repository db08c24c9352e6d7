/**
 * Calls the Worker's own `fetch` handler in the test isolate, without `SELF`. Same module, same middleware, same
 * bindings: only the service-binding hop is skipped. Used where a test sends thousands of requests, because under
 * @cloudflare/vitest-pool-workers every `SELF.fetch` gets slower with the number already sent in the isolate
 * (cloudflare/workers-sdk#15446: about 10 ms for the first hundred, several hundred ms after a thousand), while a
 * direct call stays at about a millisecond. Every response is still checked against `/openapi.json`.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../src/index'
import { type ApiRequest, buildRequest } from '../support/api'
import { expectDocumentedResponse } from '../support/contract'

/** `bindings` in place of the test run's, for a test that runs the Worker with other settings. */
export async function directApi(
  path: string,
  request: ApiRequest = {},
  bindings: Cloudflare.Env = env,
): Promise<Response> {
  const built = buildRequest(path, request)
  const context = createExecutionContext()
  const response = await worker.fetch(built, bindings, context)
  await waitOnExecutionContext(context)
  await expectDocumentedResponse(built.method, built.url, response)
  return response
}
