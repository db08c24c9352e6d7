/**
 * Every response the suite receives is checked against the live `/openapi.json`: the status must be one the
 * operation documents, the content type one documented for that status, and the body must validate against its
 * schema. A route that drifts from its contract fails the suite, whichever test called it.
 */

import { SELF } from 'cloudflare:test'
import { Validator } from '@cfworker/json-schema'
import { expect } from 'vitest'

type Schema = Record<string, unknown>
type MediaTypes = Record<string, { schema?: Schema }>
type Operation = { responses: Record<string, { content?: MediaTypes }> }
type OpenApiDocument = { paths: Record<string, Record<string, Operation>>; components: { schemas: Schema } }

let documentPromise: Promise<OpenApiDocument> | undefined
const validators = new Map<string, Validator>()

function openApiDocument(): Promise<OpenApiDocument> {
  documentPromise ??= SELF.fetch('https://api.test/openapi.json').then(
    (r) => r.json() as Promise<OpenApiDocument>,
  )
  return documentPromise
}

function findOperation(document: OpenApiDocument, method: string, pathname: string) {
  for (const [template, operations] of Object.entries(document.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`)
    const operation = operations[method.toLowerCase()]
    // A literal path (`/favorites/status`) beats a template (`/favorites/{activityId}`), as in the router.
    if (operation && template === pathname) return { template, operation }
    if (operation && pattern.test(pathname) && !document.paths[pathname]?.[method.toLowerCase()]) {
      return { template, operation }
    }
  }
  return undefined
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

/** The methods the document lists for any template matching `pathname`, with HEAD for GET, in a fixed order. */
function documentedMethods(document: OpenApiDocument, pathname: string): string[] {
  const methods = new Set<string>()
  for (const [template, operations] of Object.entries(document.paths)) {
    if (!new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname)) continue
    for (const method of Object.keys(operations)) methods.add(method.toUpperCase())
  }
  if (methods.has('GET')) methods.add('HEAD')
  return METHOD_ORDER.filter((m) => methods.has(m))
}

function validatorFor(document: OpenApiDocument, key: string, schema: Schema): Validator {
  let validator = validators.get(key)
  if (!validator) {
    // Wrapping keeps `#/components/schemas/...` references resolvable from the response schema.
    validator = new Validator(
      { components: document.components, allOf: [schema] } as Schema,
      '2020-12',
      false,
    )
    validators.set(key, validator)
  }
  return validator
}

/** Asserts that `response` is one the document promises for `method` + `url`. Reads a clone of the body. */
export async function expectDocumentedResponse(
  method: string,
  url: string,
  response: Response,
): Promise<void> {
  const { pathname } = new URL(url)
  if (pathname === '/openapi.json' || pathname.startsWith('/ui')) return
  const document = await openApiDocument()
  // HEAD is the GET without its body (Hono serves it for every GET).
  const found = findOperation(document, method === 'HEAD' ? 'GET' : method, pathname)
  if (!found) {
    const allowed = documentedMethods(document, pathname)
    if (allowed.length === 0) {
      // Unknown routes answer the shared 404 problem; nothing more to check against.
      expect(response.status, `${method} ${pathname} is not in the document`).toBe(404)
      return
    }
    // A documented path asked with another method: 405, and `Allow` lists exactly the documented methods.
    expect(response.status, `${method} ${pathname}: a documented path with another method`).toBe(405)
    expect(response.headers.get('Allow')).toBe(allowed.join(', '))
    expect(response.headers.get('Content-Type')).toBe('application/problem+json')
    return
  }
  const where = `${method} ${found.template} -> ${response.status}`
  const documented = found.operation.responses[String(response.status)]
  expect(documented, `${where}: status not documented`).toBeDefined()
  if (!documented?.content) {
    expect(await response.clone().text(), `${where}: documented without a body`).toBe('')
    return
  }
  const contentType = (response.headers.get('Content-Type') ?? '').split(';')[0]?.trim() ?? ''
  const media = documented.content[contentType]
  expect(media, `${where}: content type ${contentType} not documented`).toBeDefined()
  if (method === 'HEAD') {
    expect(await response.clone().text(), `${where}: HEAD answers without a body`).toBe('')
    return
  }
  if (!media?.schema || !contentType.includes('json')) return
  const body: unknown = await response.clone().json()
  const result = validatorFor(document, `${where} ${contentType}`, media.schema).validate(body)
  expect(
    result.errors.map((e) => `${e.instanceLocation}: ${e.error}`),
    `${where}: body does not match`,
  ).toEqual([])
}
