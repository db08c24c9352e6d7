/**
 * Fuzzing from the contract: fast-check builds requests for every operation of `/openapi.json` (and for routes that
 * do not exist), valid and malformed, mostly with valid tokens, and checks each answer:
 * - never a 5xx;
 * - a status and body the document lists for that route (`api()` checks every response against the document);
 * - every error is `application/problem+json`;
 * - a rejected request changed nothing: the fuzz user's favourites are exactly what the accepted writes made them.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { api } from '../support/api'
import { createActivity, createFavorite, createUser, newCompanyId, onPostgres } from '../support/database'
import { signToken, staffToken, userToken } from '../support/tokens'
import { directApi } from './direct'
import { applyWrites, companyFingerprint, favouritesInDatabase, type Outcome } from './fuzz-model'
import { type FuzzFixtures, type FuzzRequest, requestFor, unknownRoute, wrongMethod } from './fuzz-requests'
import { type Operation, openApiDocument, operationsOf } from './openapi-operations'

/** Requests per property run, and runs: at least 2,000 requests per test run. */
const BATCH = 8
const RUNS = 260
const MIN_REQUESTS = 2_000

type World = FuzzFixtures & {
  operations: Operation[]
  userId: string
  companyId: string
  tokens: { user: string; staff: string; unknownUser: string; unknownStaff: string }
}

let world: World

/** The fuzz user's favourites as the accepted writes left them: activity id -> favourite id. */
let model = new Map<string, string>()

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
  model = await favouritesInDatabase(world.userId)
})

describe('fuzzing every route from the contract', () => {
  it(`answers ${MIN_REQUESTS}+ generated requests with documented, non-5xx statuses; rejected ones change nothing`, async () => {
    const perOperation = world.operations.map((operation) => ({
      weight: 10,
      arbitrary: requestFor(operation, world),
    }))
    const anyRequest = fc.oneof(
      ...perOperation,
      { weight: 2, arbitrary: unknownRoute },
      { weight: 1, arbitrary: wrongMethod },
    )
    const companyBefore = await companyFingerprint(world.companyId, world.userId)
    const started = Date.now()
    // A batch is sent at once (PGlite serialises the statements; PostgreSQL runs them in parallel).
    const concurrent = true

    await fc.assert(
      fc.asyncProperty(fc.array(anyRequest, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const outcomes: Outcome[] = []
        if (concurrent) outcomes.push(...(await Promise.all(batch.map(send))))
        else for (const request of batch) outcomes.push(await send(request))
        const open = applyWrites(model, outcomes, concurrent)
        const stored = await favouritesInDatabase(world.userId)
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
    expect(
      await companyFingerprint(world.companyId, world.userId),
      'other users and the company are untouched',
    ).toBe(companyBefore)
    expect(sent).toBeGreaterThanOrEqual(MIN_REQUESTS)
    const summary = [...statusCounts].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`)
    console.info(
      `fuzz: ${sent} requests on ${onPostgres ? 'PostgreSQL' : 'PGlite'}, ${elapsed} ms: ${summary.join(' ')}`,
    )
    // The generators reach both accepted and rejected requests of every kind.
    for (const status of [200, 201, 204, 400, 401, 403, 404, 405, 413, 415])
      expect(statusCounts.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0)
  }, 300_000)
})
