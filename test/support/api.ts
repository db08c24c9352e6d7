/**
 * Calls the real Worker (inside workerd) the way the mobile app and the dashboard do, and checks every response
 * against the OpenAPI document.
 */
import { SELF } from 'cloudflare:test'
import { expect } from 'vitest'
import { expectDocumentedResponse } from './contract'

export type ApiRequest = {
  method?: string
  token?: string
  json?: unknown
  body?: BodyInit
  headers?: Record<string, string>
}

/** The request the app would send for `path` and `request`; shared by `api()` and the direct handler calls. */
export function buildRequest(path: string, request: ApiRequest = {}): Request {
  const headers = new Headers(request.headers)
  if (request.token) headers.set('Authorization', `Bearer ${request.token}`)
  let body = request.body
  if (request.json !== undefined) {
    headers.set('Content-Type', 'application/json')
    body = JSON.stringify(request.json)
  }
  return new Request(`https://api.test${path}`, { method: request.method ?? 'GET', headers, body })
}

export async function api(path: string, request: ApiRequest = {}): Promise<Response> {
  const built = buildRequest(path, request)
  const response = await SELF.fetch(built)
  await expectDocumentedResponse(built.method, built.url, response)
  return response
}

export type ProblemBody = {
  type: string
  title: string
  status: number
  detail: string
  requestId: string
  issues?: { path: string; message: string; code: string }[]
}

/** Asserts an RFC 9457 problem response with `status` and returns its body. */
export async function expectProblem(response: Response, status: number): Promise<ProblemBody> {
  expect(response.status).toBe(status)
  expect(response.headers.get('Content-Type')).toBe('application/problem+json')
  const body = (await response.json()) as ProblemBody
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) })
  expect(body.requestId).toBe(response.headers.get('X-Request-Id'))
  return body
}
