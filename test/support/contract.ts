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
  const found = findOperation(document, method, pathname)
  // Unknown routes answer the shared 404 problem; nothing more to check against.
  if (!found) {
    expect(response.status, `${method} ${pathname} is not in the document`).toBe(404)
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
  if (!media?.schema || !contentType.includes('json')) return
  const body: unknown = await response.clone().json()
  const result = validatorFor(document, `${where} ${contentType}`, media.schema).validate(body)
  expect(
    result.errors.map((e) => `${e.instanceLocation}: ${e.error}`),
    `${where}: body does not match`,
  ).toEqual([])
}
