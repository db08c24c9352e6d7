/**
 * The operations of the live `/openapi.json`, and requests built from what the document says about them: the
 * reliability tests enumerate routes from the contract, so a route added later is covered without editing them.
 */
import { SELF } from 'cloudflare:test'

export type JsonSchema = {
  $ref?: string
  type?: string | string[]
  format?: string
  enum?: unknown[]
  example?: unknown
  default?: unknown
  minimum?: number
  maximum?: number
  maxLength?: number
  minLength?: number
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
}

export type Parameter = {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema?: JsonSchema
  example?: unknown
}

type RawOperation = {
  operationId?: string
  tags?: string[]
  security?: Record<string, string[]>[]
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> }
  responses: Record<string, unknown>
}

export type OpenApiDocument = {
  paths: Record<string, Record<string, RawOperation>>
  components: { schemas: Record<string, JsonSchema> }
  security?: Record<string, string[]>[]
}

export type Surface = 'client' | 'business'

export type Operation = {
  method: string
  template: string
  operationId: string
  tags: string[]
  secured: boolean
  parameters: Parameter[]
  /** The JSON request body schema, if the operation takes one. */
  bodySchema?: JsonSchema
  bodyRequired: boolean
  statuses: number[]
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']

export async function openApiDocument(): Promise<OpenApiDocument> {
  const response = await SELF.fetch('https://api.test/openapi.json')
  if (!response.ok) throw new Error(`/openapi.json answered ${response.status}`)
  return (await response.json()) as OpenApiDocument
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = []
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue
      const security = raw.security ?? document.security ?? []
      operations.push({
        method: method.toUpperCase(),
        template,
        operationId: raw.operationId ?? `${method} ${template}`,
        tags: raw.tags ?? [],
        secured: security.some((requirement) => Object.keys(requirement).length > 0),
        parameters: raw.parameters ?? [],
        bodySchema: raw.requestBody?.content['application/json']?.schema,
        bodyRequired: raw.requestBody?.required ?? false,
        statuses: Object.keys(raw.responses).map(Number),
      })
    }
  }
  return operations
}

/** Which token an operation takes, by its tag. An unknown tag on a secured operation is a test failure. */
export function surfaceOf(operation: Operation): Surface {
  if (operation.tags.includes('favorites')) return 'client'
  if (operation.tags.includes('analytics')) return 'business'
  throw new Error(`${operation.operationId}: secured operation with no known surface tag (${operation.tags})`)
}

export function resolve(document: OpenApiDocument, schema: JsonSchema | undefined): JsonSchema {
  let current = schema ?? {}
  for (let depth = 0; current.$ref && depth < 10; depth++) {
    const name = current.$ref.replace('#/components/schemas/', '')
    current = document.components.schemas[name] ?? {}
  }
  return current
}

const UUID_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

/**
 * A valid value for `schema`, from the document: its example, else its default, else its first enum value, else
 * one made from its type. Every UUID in it is replaced by the next of `uuids` (fixtures of the test), so the
 * request points at rows the test owns.
 */
export function exampleOf(
  document: OpenApiDocument,
  schema: JsonSchema | undefined,
  uuids: () => string,
): unknown {
  const s = resolve(document, schema)
  const replaceIds = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(UUID_TEXT, () => uuids())
    if (Array.isArray(value)) return value.map(replaceIds)
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceIds(item)]))
    }
    return value
  }
  if (s.format === 'uuid') return uuids()
  if (s.type === 'object' || s.properties) {
    const out: Record<string, unknown> = {}
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      out[name] = exampleOf(document, property, uuids)
    }
    if (s.example !== undefined && typeof s.example === 'object') return replaceIds(s.example)
    return out
  }
  if (s.example !== undefined) return replaceIds(s.example)
  if (s.default !== undefined) return s.default
  if (s.enum?.length) return s.enum[0]
  const type = Array.isArray(s.type) ? s.type[0] : s.type
  switch (type) {
    case 'integer':
    case 'number':
      return s.minimum ?? 1
    case 'boolean':
      return true
    case 'array':
      return [exampleOf(document, s.items, uuids)]
    default:
      return 'x'
  }
}

export type BuiltRequest = { path: string; json?: unknown }

export type FixtureIds = {
  /** For path parameters (an existing favourite's activity: a write that got through would remove it). */
  path: string
  /** For bodies (an activity not yet a favourite: a write that got through would add it). */
  body: string
  /** For query parameters. */
  query: string[]
}

/** A request the document calls valid: path parameters filled, required query parameters, the body example. */
export function exampleRequest(
  document: OpenApiDocument,
  operation: Operation,
  ids: FixtureIds,
): BuiltRequest {
  let path = operation.template
  const query = new URLSearchParams()
  let queryIndex = 0
  const nextQueryId = () => ids.query[queryIndex++ % ids.query.length] ?? ids.body
  for (const parameter of operation.parameters) {
    if (parameter.in === 'path') {
      const value = exampleOf(document, parameter.schema, () => ids.path)
      path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(value)))
    } else if (parameter.in === 'query' && parameter.required) {
      query.set(parameter.name, String(exampleOf(document, parameter.schema, nextQueryId)))
    }
  }
  const search = query.toString()
  const built: BuiltRequest = { path: search ? `${path}?${search}` : path }
  if (operation.bodySchema) built.json = exampleOf(document, operation.bodySchema, () => ids.body)
  return built
}
