/**
 * Calls the Worker's own `fetch` handler in the test isolate, without `SELF`. Same module, same middleware, same
 * bindings: only the service-binding hop is skipped. Used where a test sends thousands of requests, because under
 * @cloudflare/vitest-pool-workers every `SELF.fetch` gets slower with the number already sent in the isolate
 * (cloudflare/workers-sdk#15446: about 10 ms for the first hundred, several hundred ms after a thousand), while a
 * direct call stays at about a millisecond. Every response is still checked against `/openapi.json`.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../src/index'
import type { ApiRequest } from '../support/api'
import { expectDocumentedResponse } from '../support/contract'

export async function directApi(path: string, request: ApiRequest = {}): Promise<Response> {
  const headers = new Headers(request.headers)
  if (request.token) headers.set('Authorization', `Bearer ${request.token}`)
  let body = request.body
  if (request.json !== undefined) {
    headers.set('Content-Type', 'application/json')
    body = JSON.stringify(request.json)
  }
  const url = `https://api.test${path}`
  const method = request.method ?? 'GET'
  const context = createExecutionContext()
  const response = await worker.fetch(new Request(url, { method, headers, body }), env, context)
  await waitOnExecutionContext(context)
  await expectDocumentedResponse(method, url, response)
  return response
}
