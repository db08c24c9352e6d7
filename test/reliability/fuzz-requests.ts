/**
 * The fuzz test's request generators: fast-check arbitraries for a request to one operation of `/openapi.json`
 * (path, query, body, token, headers; valid and malformed), and for routes the document does not have. Kept apart
 * from fuzz.test.ts so that the test file holds the property and its checks.
 */
import fc from 'fast-check'
import { iso, malformedString } from './fuzz-values'
import {
  exampleOf,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  type Parameter,
  resolve,
  surfaceOf,
} from './openapi-operations'

export type TokenKind =
  | 'valid'
  | 'other-surface'
  | 'none'
  | 'garbage'
  | 'unknown-principal'
  | 'lowercase-scheme'

export type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string | undefined }

export type FuzzRequest = {
  method: string
  path: string
  operationId?: string
  /** Which token the operation takes; null for an unsecured one. */
  surface?: 'client' | 'business' | null
  /** The activity ids the request names (path, body): writes to them are what the model tracks. */
  pathId?: string
  bodyId?: string
  token: TokenKind
  body: Body
  headers: Record<string, string>
}

/** What the generators draw valid values from: the live document and the ids and cursors the test set up. */
export type FuzzFixtures = {
  document: OpenApiDocument
  activityIds: string[]
  cursors: string[]
}

// ---- value generators ------------------------------------------------------------------------------------------

/** A valid value for the parameter, as the document describes it (fixture ids for ids). */
function validValue(parameter: Parameter, fixtures: FuzzFixtures): fc.Arbitrary<string> {
  const schema = resolve(fixtures.document, parameter.schema)
  const ids = fc.constantFrom(...fixtures.activityIds)
  if (schema.format === 'uuid') return fc.oneof({ weight: 4, arbitrary: ids }, fc.uuid())
  if (schema.enum?.length) return fc.constantFrom(...schema.enum.map(String))
  if (schema.type === 'integer' || schema.type === 'number') {
    return fc.integer({ min: schema.minimum ?? 0, max: schema.maximum ?? 1_000 }).map(String)
  }
  if (parameter.name === 'cursor') return fc.constantFrom(...fixtures.cursors)
  if (parameter.name === 'activityIds') {
    return fc
      .array(fc.oneof({ weight: 3, arbitrary: ids }, fc.uuid()), { minLength: 1, maxLength: 12 })
      .map((list) => list.join(','))
  }
  if (typeof schema.example === 'string' && /^\d{4}-\d\d-\d\d/.test(schema.example)) return iso
  return fc.constant(String(exampleOf(fixtures.document, schema, () => fixtures.activityIds[0] ?? '')))
}

function malformedValue(parameter: Parameter): fc.Arbitrary<string> {
  if (parameter.name === 'activityIds') {
    return fc.oneof(
      malformedString,
      // Over the bound of 100 ids.
      fc
        .integer({ min: 101, max: 400 })
        .map((n) => Array.from({ length: n }, () => crypto.randomUUID()).join(',')),
      fc.array(fc.oneof(fc.uuid(), malformedString), { minLength: 2, maxLength: 6 }).map((l) => l.join(',')),
      fc.constantFrom(',', ',,', `${crypto.randomUUID()},,${crypto.randomUUID()}`),
    )
  }
  return malformedString
}

/** One query parameter: absent, valid, malformed, or given twice. */
function queryEntries(parameter: Parameter, fixtures: FuzzFixtures): fc.Arbitrary<[string, string][]> {
  return fc.oneof(
    { weight: parameter.required ? 1 : 4, arbitrary: fc.constant<[string, string][]>([]) },
    {
      weight: 5,
      arbitrary: validValue(parameter, fixtures).map((v): [string, string][] => [[parameter.name, v]]),
    },
    { weight: 3, arbitrary: malformedValue(parameter).map((v): [string, string][] => [[parameter.name, v]]) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          validValue(parameter, fixtures),
          fc.oneof(validValue(parameter, fixtures), malformedValue(parameter)),
        )
        .map(([a, b]): [string, string][] => [
          [parameter.name, a],
          [parameter.name, b],
        ]),
    },
  )
}

const extraQuery: fc.Arbitrary<[string, string][]> = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom('userId', 'user_id', 'companyId', 'limit[]', '__proto__', 'a'),
      fc.string({ maxLength: 8 }),
    ),
    malformedString,
  ),
  { maxLength: 2 },
)

/** A raw, possibly badly percent-encoded suffix for the query string. */
const rawQuerySuffix = fc.oneof(
  { weight: 12, arbitrary: fc.constant('') },
  fc.constantFrom(
    '&%',
    '&%zz=1',
    '&limit=%',
    '&=',
    '&&&',
    '&%E0%A4%A=1',
    '&a=%FF%FE',
    '&cursor=%00',
    '#frag',
  ),
)

function pathValue(fixtures: FuzzFixtures): fc.Arbitrary<{ encoded: string; id?: string }> {
  const ids = fc.constantFrom(...fixtures.activityIds)
  return fc.oneof(
    { weight: 6, arbitrary: ids.map((id) => ({ encoded: id, id })) },
    { weight: 1, arbitrary: ids.map((id) => ({ encoded: id.toUpperCase(), id })) },
    { weight: 1, arbitrary: fc.uuid().map((id) => ({ encoded: id })) },
    {
      weight: 3,
      arbitrary: malformedString.map((s) => ({
        encoded: encodeURIComponent(s.replace(/\p{Surrogate}/gu, '\uFFFD')),
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('%', '%zz', '%E0%A4%A', '..', '.', '%2F', 'status')
        .map((s) => ({ encoded: s })),
    },
  )
}

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonx',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json;',
  'application/json ; q=1',
  '',
  'json',
]

/** A JSON body for the operation: valid, with extra fields, with wrong types, or another shape. */
function bodyFor(schema: JsonSchema, fixtures: FuzzFixtures): fc.Arbitrary<{ body: Body; id?: string }> {
  const resolved = resolve(fixtures.document, schema)
  const ids = fc.constantFrom(...fixtures.activityIds)
  // The example's `tappedAt` is a fixed past instant: once a removal at "now" is applied, every add carrying it is
  // superseded (409). Half the valid bodies leave it out (a tap now), so adds keep reaching 201.
  const valid = fc.tuple(ids, fc.boolean()).map(([id, tappedNow]) => {
    const { tappedAt, ...rest } = exampleOf(fixtures.document, resolved, () => id) as Record<string, unknown>
    return { id, value: tappedNow || tappedAt === undefined ? rest : { ...rest, tappedAt } }
  })
  const anyJson = fc.jsonValue({ maxDepth: 3 })
  return fc.oneof(
    { weight: 6, arbitrary: valid.map(({ id, value }) => ({ id, body: { kind: 'json', value } as Body })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 4 }))
        .map(([{ id, value }, extra]) => ({
          id,
          body: { kind: 'json', value: { ...extra, ...value, userId: crypto.randomUUID() } } as Body,
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record(
          Object.fromEntries(
            Object.keys(resolved.properties ?? {}).map((name) => [
              name,
              fc.oneof(anyJson, malformedString, fc.integer(), fc.constant(null)),
            ]),
          ),
        )
        .map((value) => ({ body: { kind: 'json', value } as Body })),
    },
    { weight: 1, arbitrary: anyJson.map((value) => ({ body: { kind: 'json', value } as Body })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '{',
          '{"activityId": ',
          '{"activityId":"x"',
          'null',
          '[]',
          '"x"',
          '{"a":1}{"b":2}',
          '\u0000',
          '{"activityId": NaN}',
          '',
        )
        .map((text) => ({ body: { kind: 'raw', text, contentType: 'application/json' } as Body })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...CONTENT_TYPES, undefined))
        .map(([{ id, value }, contentType]) => ({
          id,
          body: { kind: 'raw', text: JSON.stringify(value), contentType } as Body,
        })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.integer({ min: 4_000, max: 40_000 })).map(([{ id, value }, size]) => ({
        id,
        body: { kind: 'json', value: { ...value, pad: 'x'.repeat(size) } } as Body,
      })),
    },
    { weight: 1, arbitrary: fc.constant({ body: { kind: 'none' } as Body }) },
  )
}

const tokenKind: fc.Arbitrary<TokenKind> = fc.oneof(
  { weight: 20, arbitrary: fc.constant<TokenKind>('valid') },
  fc.constantFrom<TokenKind>('other-surface', 'none', 'garbage', 'unknown-principal', 'lowercase-scheme'),
)

const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    Accept: fc.constantFrom(
      'application/json',
      'text/csv',
      '*/*',
      'text/html',
      'text/csv;q=0.1, application/json',
      'garbage;;',
      '',
    ),
    'If-None-Match': fc.oneof(
      fc.constantFrom('*', '"x"', 'W/"abc"', ''),
      malformedString.filter((s) => /^[\x20-\x7e]*$/.test(s)),
    ),
  },
  { requiredKeys: [] },
)

export function requestFor(operation: Operation, fixtures: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  const pathParams = operation.parameters.filter((p) => p.in === 'path')
  const queryParams = operation.parameters.filter((p) => p.in === 'query')
  const body: fc.Arbitrary<{ body: Body; id?: string }> = operation.bodySchema
    ? bodyFor(operation.bodySchema, fixtures)
    : operation.method === 'DELETE'
      ? fc.oneof(
          { weight: 8, arbitrary: fc.constant({ body: { kind: 'none' } as Body }) },
          fc.constantFrom({ body: { kind: 'raw', text: '{}', contentType: 'application/json' } as Body }),
        )
      : fc.constant({ body: { kind: 'none' } as Body })
  return fc
    .record({
      path: fc.tuple(...pathParams.map(() => pathValue(fixtures))),
      query: fc.tuple(...queryParams.map((parameter) => queryEntries(parameter, fixtures))),
      extra: extraQuery,
      suffix: rawQuerySuffix,
      body,
      token: tokenKind,
      headers: extraHeaders,
    })
    .map(({ path, query, extra, suffix, body, token, headers }) => {
      let url = operation.template
      pathParams.forEach((parameter, index) => {
        url = url.replace(`{${parameter.name}}`, path[index]?.encoded ?? '')
      })
      const search = new URLSearchParams([...query.flat(), ...extra]).toString()
      const queryString = `${search}${suffix}`
      return {
        method: operation.method,
        path: queryString ? `${url}?${queryString}` : url,
        operationId: operation.operationId,
        surface: operation.secured ? surfaceOf(operation) : null,
        pathId: path[0]?.id,
        bodyId: body.id,
        token,
        body: body.body,
        headers,
      }
    })
}

/** Requests to paths the document does not have: the shared 404 problem. */
export const unknownRoute: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
    fc.constantFrom(
      '/nope',
      '/favorites/a/b',
      '/analytics',
      '/favorites/',
      '/FAVORITES',
      '/health/x',
      '//favorites',
      '/analytics/favorites/x',
    ),
    tokenKind,
  )
  .filter(([method, path]) => !(method === 'GET' && path === '/analytics'))
  .map(([method, path, token]) => ({ method, path, token, body: { kind: 'none' } as Body, headers: {} }))

/** Documented paths asked with a method none of them documents: 405 with `Allow` (checked against the document). */
export const wrongMethod: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.constantFrom('PUT', 'PATCH'),
    fc.constantFrom(
      '/favorites',
      '/favorites/status',
      '/favorites/0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
      '/health',
      '/analytics/favorites',
      '/analytics/favorites/timeseries',
    ),
    tokenKind,
  )
  .map(([method, path, token]) => ({ method, path, token, body: { kind: 'none' } as Body, headers: {} }))
