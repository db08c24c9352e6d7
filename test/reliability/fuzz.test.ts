/**
 * Fuzzing from the contract: fast-check builds requests for every operation of `/openapi.json` (and for routes that
 * do not exist), valid and malformed, mostly with valid tokens, and checks each answer:
 * - never a 5xx;
 * - a status and body the document lists for that route (`api()` checks every response against the document);
 * - every error is `application/problem+json`;
 * - a rejected request changed nothing: the fuzz user's favourites are exactly what the accepted writes made them.
 */
import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { api } from '../support/api'
import {
  createActivity,
  createFavorite,
  createUser,
  newCompanyId,
  onPostgres,
  testDb,
} from '../support/database'
import { signToken, staffToken, userToken } from '../support/tokens'
import { directApi } from './direct'
import {
  exampleOf,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  openApiDocument,
  operationsOf,
  type Parameter,
  resolve,
  surfaceOf,
} from './openapi-operations'

/** Requests per property run, and runs: at least 2,000 requests per test run. */
const BATCH = 8
const RUNS = 260
const MIN_REQUESTS = 2_000

type TokenKind = 'valid' | 'other-surface' | 'none' | 'garbage' | 'unknown-principal' | 'lowercase-scheme'

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string | undefined }

type FuzzRequest = {
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

type World = {
  document: OpenApiDocument
  operations: Operation[]
  userId: string
  companyId: string
  activityIds: string[]
  tokens: { user: string; staff: string; unknownUser: string; unknownStaff: string }
  cursors: string[]
}

let world: World

// ---- value generators ------------------------------------------------------------------------------------------

const ODD_STRINGS = [
  '',
  ' ',
  '-1',
  '0',
  '-0',
  '1.5',
  '1e309',
  '-1e309',
  '9'.repeat(40),
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '%00',
  '\u0000',
  '\uFEFF',
  '\u202E',
  '\uD800',
  '😀'.repeat(3),
  'é',
  'Ω≈ç√',
  '../../etc/passwd',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '$' + '{jndi:ldap://x}',
  'slot_based',
  'SLOT_BASED ',
  '2026-02-30',
  '2026-13-01',
  '0000-01-01',
  '99999-01-01',
  '2026-01-01T25:00:00Z',
  '2026-01-01T00:00:00',
  '1969-12-31',
  'abc.def',
  'a.b.c',
  '..',
  '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6',
  '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6ef',
  '0b7e7c6a4a574f8e9d7e1c2a3b4c5d6e',
  '{0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e}',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
]

const malformedString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }).map(String),
  },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 9_000 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: fc.uuid().map((id) => `${id},`) },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 200 }).map((b) => `${b}.${b}`) },
)

const iso = fc
  .date({ min: new Date('1960-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
  .chain((date) =>
    fc.constantFrom(
      date.toISOString(),
      date.toISOString().slice(0, 10),
      date.toISOString().replace('Z', '+02:00'),
      date.toISOString().replace('.000Z', 'Z'),
    ),
  )

/** A valid value for the parameter, as the document describes it (fixture ids for ids). */
function validValue(parameter: Parameter): fc.Arbitrary<string> {
  const schema = resolve(world.document, parameter.schema)
  const ids = fc.constantFrom(...world.activityIds)
  if (schema.format === 'uuid') return fc.oneof({ weight: 4, arbitrary: ids }, fc.uuid())
  if (schema.enum?.length) return fc.constantFrom(...schema.enum.map(String))
  if (schema.type === 'integer' || schema.type === 'number') {
    return fc.integer({ min: schema.minimum ?? 0, max: schema.maximum ?? 1_000 }).map(String)
  }
  if (parameter.name === 'cursor') return fc.constantFrom(...world.cursors)
  if (parameter.name === 'activityIds') {
    return fc
      .array(fc.oneof({ weight: 3, arbitrary: ids }, fc.uuid()), { minLength: 1, maxLength: 12 })
      .map((list) => list.join(','))
  }
  if (typeof schema.example === 'string' && /^\d{4}-\d\d-\d\d/.test(schema.example)) return iso
  return fc.constant(String(exampleOf(world.document, schema, () => world.activityIds[0] ?? '')))
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
function queryEntries(parameter: Parameter): fc.Arbitrary<[string, string][]> {
  return fc.oneof(
    { weight: parameter.required ? 1 : 4, arbitrary: fc.constant<[string, string][]>([]) },
    { weight: 5, arbitrary: validValue(parameter).map((v): [string, string][] => [[parameter.name, v]]) },
    { weight: 3, arbitrary: malformedValue(parameter).map((v): [string, string][] => [[parameter.name, v]]) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(validValue(parameter), fc.oneof(validValue(parameter), malformedValue(parameter)))
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

function pathValue(): fc.Arbitrary<{ encoded: string; id?: string }> {
  const ids = fc.constantFrom(...world.activityIds)
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
function bodyFor(schema: JsonSchema): fc.Arbitrary<{ body: Body; id?: string }> {
  const resolved = resolve(world.document, schema)
  const ids = fc.constantFrom(...world.activityIds)
  const valid = ids.map((id) => ({
    id,
    value: exampleOf(world.document, resolved, () => id) as Record<string, unknown>,
  }))
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

function requestFor(operation: Operation): fc.Arbitrary<FuzzRequest> {
  const pathParams = operation.parameters.filter((p) => p.in === 'path')
  const queryParams = operation.parameters.filter((p) => p.in === 'query')
  const body: fc.Arbitrary<{ body: Body; id?: string }> = operation.bodySchema
    ? bodyFor(operation.bodySchema)
    : operation.method === 'DELETE'
      ? fc.oneof(
          { weight: 8, arbitrary: fc.constant({ body: { kind: 'none' } as Body }) },
          fc.constantFrom({ body: { kind: 'raw', text: '{}', contentType: 'application/json' } as Body }),
        )
      : fc.constant({ body: { kind: 'none' } as Body })
  return fc
    .record({
      path: fc.tuple(...pathParams.map(() => pathValue())),
      query: fc.tuple(...queryParams.map(queryEntries)),
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

/** Requests to routes and methods the document does not have: the shared 404 problem. */
const unknownRoute: fc.Arbitrary<FuzzRequest> = fc
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

// ---- the model -------------------------------------------------------------------------------------------------

/** The fuzz user's favourites as the accepted writes left them: activity id -> favourite id. */
let model = new Map<string, string>()

async function favouritesInDatabase(): Promise<Map<string, string>> {
  const result = await testDb.execute<{ activity_id: string; id: string }>(sql`
    SELECT activity_id, id FROM activities.user_activity_favorites WHERE user_id = ${world.userId}
  `)
  return new Map(result.rows.map((row) => [row.activity_id, row.id]))
}

async function companyFingerprint(): Promise<string> {
  const result = await testDb.execute<{ n: string; m: string }>(sql`
    SELECT (SELECT count(*) FROM activities.activities WHERE company_id = ${world.companyId})::text AS n,
           (SELECT count(*) FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
            WHERE a.company_id = ${world.companyId} AND f.user_id <> ${world.userId})::text AS m
  `)
  return JSON.stringify(result.rows)
}

function authorization(request: FuzzRequest): string | undefined {
  const surface = request.surface ?? 'client'
  const { user, staff, unknownUser, unknownStaff } = world.tokens
  switch (request.token) {
    case 'valid':
      return `Bearer ${surface === 'business' ? staff : user}`
    case 'lowercase-scheme':
      return `bearer ${surface === 'business' ? staff : user}`
    case 'other-surface':
      return `Bearer ${surface === 'business' ? user : staff}`
    case 'unknown-principal':
      return `Bearer ${surface === 'business' ? unknownStaff : unknownUser}`
    case 'garbage':
      return 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA'
    case 'none':
      return undefined
  }
}

type Outcome = { request: FuzzRequest; status: number; body: unknown }

const statusCounts = new Map<number, number>()
let sent = 0

async function send(request: FuzzRequest): Promise<Outcome> {
  const headers: Record<string, string> = { ...request.headers }
  const auth = authorization(request)
  if (auth) headers.Authorization = auth
  let body: BodyInit | undefined
  if (request.body.kind === 'json') {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(request.body.value)
  } else if (request.body.kind === 'raw') {
    if (request.body.contentType !== undefined) headers['Content-Type'] = request.body.contentType
    body = request.body.text
  }
  const where0 = `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(headers).slice(0, 300)} ${JSON.stringify(request.body).slice(0, 200)}`
  let timer: ReturnType<typeof setTimeout> | undefined
  const response = await Promise.race([
    directApi(request.path, { method: request.method, headers, body }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in 10 s: ${where0}`)), 10_000)
    }),
  ]).finally(() => clearTimeout(timer))
  sent++
  statusCounts.set(response.status, (statusCounts.get(response.status) ?? 0) + 1)
  const where = `${request.method} ${request.path.slice(0, 200)} -> ${response.status}`
  expect(response.status, where).toBeLessThan(500)
  let parsed: unknown
  if (response.status >= 400) {
    expect(response.headers.get('Content-Type'), where).toBe('application/problem+json')
    parsed = await response.json()
    expect(parsed, where).toMatchObject({
      status: response.status,
      requestId: response.headers.get('X-Request-Id'),
    })
  } else if ((response.headers.get('Content-Type') ?? '').includes('json')) {
    parsed = await response.json()
  } else {
    await response.arrayBuffer()
  }
  return { request, status: response.status, body: parsed }
}

/** Applies a batch's accepted writes to the model; returns activities whose final state the batch left open. */
function applyWrites(outcomes: Outcome[], concurrent: boolean): Set<string> {
  const writes = new Map<string, { adds: string[]; removes: number }>()
  for (const { request, status, body } of outcomes) {
    // Only the fuzz user's own accepted token writes the fuzz user's favourites.
    const asFuzzUser = request.token === 'valid' || request.token === 'lowercase-scheme'
    const operationId = asFuzzUser ? request.operationId : undefined
    if (operationId === 'createFavorite' && (status === 200 || status === 201)) {
      const record = body as { id: string; activityId: string }
      const entry = writes.get(record.activityId) ?? { adds: [], removes: 0 }
      entry.adds.push(record.id)
      writes.set(record.activityId, entry)
      if (!concurrent) {
        const known = model.get(record.activityId)
        // 201 only when it was not a favourite; 200 only with the record that already was.
        if (status === 201)
          expect(known, `201 for an existing favourite ${record.activityId}`).toBeUndefined()
        else expect(record.id, `200 with another record for ${record.activityId}`).toBe(known)
        model.set(record.activityId, record.id)
      }
    } else if (operationId === 'deleteFavorite' && status === 204 && request.pathId) {
      const entry = writes.get(request.pathId) ?? { adds: [], removes: 0 }
      entry.removes++
      writes.set(request.pathId, entry)
      if (!concurrent) model.delete(request.pathId)
    }
  }
  const open = new Set<string>()
  if (concurrent) {
    for (const [activityId, { adds, removes }] of writes) {
      if (adds.length > 0 && removes > 0) open.add(activityId)
      else if (adds.length > 0) model.set(activityId, adds[0] ?? '')
      else model.delete(activityId)
    }
  }
  return open
}

// The Worker runs in this isolate: its JSON line per request would cost an RPC to the runner each. Silenced here
// (request-logs.test.ts proves the lines); the summary line is printed with console.info.
beforeAll(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {})
})
afterAll(() => {
  vi.restoreAllMocks()
})

beforeAll(async () => {
  const document = await openApiDocument()
  const userId = await createUser()
  const other = await createUser()
  const companyId = newCompanyId()
  const activityIds: string[] = []
  for (let n = 0; n < 6; n++) {
    const activity = await createActivity({
      companyId,
      type: n % 2 ? 'SERVICE' : 'SLOT_BASED',
      name: `=fuzz ${n}, "q"`,
    })
    activityIds.push(activity.id)
  }
  // A foreign activity: a valid id the fuzz user can favourite, of another company.
  activityIds.push((await createActivity()).id)
  for (const id of activityIds.slice(0, 3)) await createFavorite(userId, id)
  for (const id of activityIds.slice(2, 5)) await createFavorite(other, id)
  world = {
    document,
    operations: operationsOf(document),
    userId,
    companyId,
    activityIds,
    tokens: {
      user: await userToken(userId),
      staff: await staffToken(companyId),
      unknownUser: await userToken(crypto.randomUUID()),
      unknownStaff: await signToken(crypto.randomUUID(), {
        claims: { company_id: newCompanyId(), roles: ['favorites:analytics'] },
      }),
    },
    cursors: [],
  }
  // Real cursors, so that some fuzzed requests walk a second page.
  const list = (await (await api('/favorites?limit=1', { token: world.tokens.user })).json()) as {
    nextCursor: string
  }
  const analytics = (await (
    await api('/analytics/favorites?limit=1', { token: world.tokens.staff })
  ).json()) as {
    nextCursor: string
  }
  world.cursors.push(list.nextCursor, analytics.nextCursor)
  model = await favouritesInDatabase()
})

describe('fuzzing every route from the contract', () => {
  it(`answers ${MIN_REQUESTS}+ generated requests with documented, non-5xx statuses; rejected ones change nothing`, async () => {
    const perOperation = world.operations.map((operation) => ({
      weight: 10,
      arbitrary: requestFor(operation),
    }))
    const anyRequest = fc.oneof(...perOperation, { weight: 2, arbitrary: unknownRoute })
    const companyBefore = await companyFingerprint()
    const started = Date.now()
    // A batch is sent at once (PGlite serialises the statements; PostgreSQL runs them in parallel).
    const concurrent = true

    await fc.assert(
      fc.asyncProperty(fc.array(anyRequest, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const outcomes: Outcome[] = []
        if (concurrent) outcomes.push(...(await Promise.all(batch.map(send))))
        else for (const request of batch) outcomes.push(await send(request))
        const open = applyWrites(outcomes, concurrent)
        const stored = await favouritesInDatabase()
        for (const id of open) {
          const row = stored.get(id)
          if (row) model.set(id, row)
          else model.delete(id)
        }
        expect(Object.fromEntries(stored), "the fuzz user's favourites").toEqual(Object.fromEntries(model))
      }),
      { numRuns: RUNS, endOnFailure: true },
    )

    const elapsed = Date.now() - started
    expect(await companyFingerprint(), 'other users and the company are untouched').toBe(companyBefore)
    expect(sent).toBeGreaterThanOrEqual(MIN_REQUESTS)
    const summary = [...statusCounts].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`)
    console.info(
      `fuzz: ${sent} requests on ${onPostgres ? 'PostgreSQL' : 'PGlite'}, ${elapsed} ms: ${summary.join(' ')}`,
    )
    // The generators reach both accepted and rejected requests of every kind.
    for (const status of [200, 201, 204, 400, 401, 403, 404, 413, 415])
      expect(statusCounts.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0)
  }, 300_000)
})
