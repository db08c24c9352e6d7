/**
 * The contract as a client developer meets it: the real Worker (wrangler dev) serves /openapi.json; types are
 * generated from it with openapi-typescript; a client program written with openapi-fetch must type-check against
 * them and then work against the Worker, end to end.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import type {
  FavoriteActivityAnalyticsItemDto,
  FavoriteTimeseriesBucketDto,
} from '../../src/contracts/analytics'
import type { FavoriteRecordDto, FavoriteStatusDto } from '../../src/contracts/favorites'
import type { Problem } from '../../src/contracts/problem'
import { generateClientTypes } from '../../tools/openapi/client-types'
import { buildOpenApiDocument, type OpenApiDocument, serializeDocument } from '../../tools/openapi/document'
import {
  createActivity,
  createFavorite,
  createUser,
  newCompanyId,
  staffToken,
  userToken,
  worker,
} from './support/fixtures'
import { typecheck } from './support/typecheck'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PROGRAMS = join(ROOT, 'test/contract/client')
/** Git-ignored: generated types and the copies of the client programs that were type-checked and run. */
const OUT = join(ROOT, 'test-results/contract/client')

const CONTRACT_SCHEMAS = [
  'ActivityType',
  'CreateFavoriteDto',
  'FavoriteActivityAnalyticsItemDto',
  'FavoriteActivityDto',
  'FavoriteListResponseDto',
  'FavoriteRecordDto',
  'Problem',
]

/** What test/contract/client/favorites-flow.ts.in exports (it is compiled separately, against generated types). */
interface FlowModule {
  runFavoritesFlow(input: {
    baseUrl: string
    userToken: string
    staffToken: string
    activityId: string
    otherActivityId: string
    period: { from: string; to: string }
  }): Promise<{
    created: { status: number; record: FavoriteRecordDto }
    repeated: { status: number; record: FavoriteRecordDto }
    list: { items: FavoriteRecordDto[]; nextCursor: string | null; changesCursor: string | null }
    statuses: FavoriteStatusDto[]
    one: FavoriteRecordDto
    analytics: { items: FavoriteActivityAnalyticsItemDto[] }
    csv: string
    timeseries: { activityId: string | null; buckets: FavoriteTimeseriesBucketDto[] }
    removedStatus: number
    afterRemoval: { statuses: FavoriteStatusDto[]; notFound: Problem }
    batch: { activityId: string; result: string; favorited: boolean }[]
    changes: { items: { activityId: string; favorited: boolean }[]; nextCursor: string; hasMore: boolean }
  }>
}

let live: OpenApiDocument

beforeAll(async () => {
  const response = await fetch(`${worker.baseUrl}/openapi.json`)
  expect(response.status).toBe(200)
  live = (await response.json()) as OpenApiDocument
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(OUT, { recursive: true })
})

/** Every JSON pointer in `value` whose object has an `enum` holding an activity type. */
function activityTypeEnums(value: unknown, pointer = '#'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => activityTypeEnums(item, `${pointer}/${i}`))
  if (typeof value !== 'object' || value === null) return []
  const here =
    Array.isArray((value as { enum?: unknown }).enum) &&
    ((value as { enum: unknown[] }).enum.includes('SLOT_BASED') ||
      (value as { enum: unknown[] }).enum.includes('SERVICE'))
      ? [pointer]
      : []
  return [
    ...here,
    ...Object.entries(value).flatMap(([key, child]) =>
      activityTypeEnums(child, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`),
    ),
  ]
}

describe('the OpenAPI document', () => {
  it('served by the Worker is the one `npm run openapi:export` writes in-process', async () => {
    expect(live.openapi).toBe('3.1.0')
    expect(await buildOpenApiDocument()).toEqual(live)
  })

  // The committed copy is the contract: a change to it is a change for every client, so it must be deliberate
  // (`npm run openapi:snapshot` rewrites it, and the diff shows up in review).
  it('is byte for byte the committed contract, test/contract/openapi.json', () => {
    expect(serializeDocument(live)).toBe(readFileSync(join(ROOT, 'test/contract/openapi.json'), 'utf8'))
  })

  it('names the contract schemas, and defines ActivityType once, referenced everywhere', () => {
    const schemas = live.components.schemas ?? {}
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(CONTRACT_SCHEMAS))
    expect(schemas.ActivityType).toMatchObject({ type: 'string', enum: ['SLOT_BASED', 'SERVICE'] })
    // Anywhere else (properties, query parameters) it must be a $ref, never an inlined copy of the enum.
    expect(activityTypeEnums(live)).toEqual(['#/components/schemas/ActivityType'])
    const typeParameters = Object.values(live.paths)
      .flatMap((operations) => Object.values(operations))
      .flatMap(
        (operation) => (operation as { parameters?: { name: string; schema: unknown }[] }).parameters ?? [],
      )
      .filter((parameter) => parameter.name === 'type')
    expect(typeParameters).toHaveLength(3)
    for (const parameter of typeParameters) {
      expect(parameter.schema).toEqual({ $ref: '#/components/schemas/ActivityType' })
    }
  })
})

describe('a client generated from the live document', () => {
  let types = ''

  beforeAll(async () => {
    types = await generateClientTypes(live, `${worker.baseUrl}/openapi.json`)
    writeFileSync(join(OUT, 'schema.d.ts'), types)
    copyFileSync(join(PROGRAMS, 'favorites-flow.ts.in'), join(OUT, 'favorites-flow.ts'))
    copyFileSync(join(PROGRAMS, 'misuse.ts.in'), join(OUT, 'misuse.ts'))
  })

  it('has ActivityType as a named type of exactly "SLOT_BASED" | "SERVICE"', () => {
    expect(types).toContain('ActivityType: "SLOT_BASED" | "SERVICE";')
    expect(types).toContain("export type ActivityType = components['schemas']['ActivityType'];")
    // The DTOs and the `type` query parameters refer to it.
    expect(types).toMatch(/\btype: components\["schemas"\]\["ActivityType"\];/)
    expect(types).toMatch(/\bactivityType: components\["schemas"\]\["ActivityType"\];/)
    expect(types.match(/\btype\?: components\["schemas"\]\["ActivityType"\];/g)).toHaveLength(4)
    expect(types).not.toMatch(/"SLOT_BASED" \| "SERVICE"[\s\S]*"SLOT_BASED" \| "SERVICE"/)
  })

  it('type-checks the client program (tsc --noEmit, strict)', async () => {
    const result = await typecheck(OUT, ['schema.d.ts', 'favorites-flow.ts'])
    expect(result.output).toBe('')
    expect(result.ok).toBe(true)
  })

  it('rejects misuse at compile time: wrong enum value, body field, path parameter and route', async () => {
    const result = await typecheck(OUT, ['schema.d.ts', 'misuse.ts'], 'tsconfig.misuse.json')
    expect(result.ok).toBe(false)
    // One error on each `await api.` line of the program, and none elsewhere.
    const expected = readFileSync(join(PROGRAMS, 'misuse.ts.in'), 'utf8')
      .split('\n')
      .flatMap((line, i) => (line.includes('await api.') ? [String(i + 1)] : []))
    expect(expected).toHaveLength(4)
    const lines = new Set([...result.output.matchAll(/misuse\.ts\((\d+),\d+\): error TS/g)].map((m) => m[1]))
    expect([...lines], result.output).toEqual(expected)
  })

  it('runs against the Worker: favourite, list, status, get, analytics (JSON, CSV, timeseries), un-favourite', async () => {
    const companyId = newCompanyId()
    const kayak = await createActivity(companyId, 'Contract kayak tour', 'SLOT_BASED')
    const massage = await createActivity(companyId, 'Contract massage', 'SERVICE')
    await createActivity(newCompanyId(), 'Another company activity', 'SLOT_BASED')
    const day = 86_400_000
    for (const daysAgo of [1, 2])
      await createFavorite(await createUser(), kayak, new Date(Date.now() - daysAgo * day))
    const userId = await createUser()
    const period = {
      from: new Date(Date.now() - 7 * day).toISOString().slice(0, 10),
      to: new Date(Date.now() + day).toISOString().slice(0, 10),
    }

    // The very file that was type-checked above.
    const program = (await import(pathToFileURL(join(OUT, 'favorites-flow.ts')).href)) as FlowModule
    const result = await program.runFavoritesFlow({
      baseUrl: worker.baseUrl,
      userToken: await userToken(userId),
      staffToken: await staffToken(companyId),
      activityId: kayak,
      otherActivityId: massage,
      period,
    })

    expect(result.created.status).toBe(201)
    expect(result.created.record).toMatchObject({
      activityId: kayak,
      activity: { type: 'SLOT_BASED', companyId },
    })
    expect(result.repeated.status).toBe(200)
    expect(result.repeated.record).toEqual(result.created.record)
    expect(result.list).toEqual({
      items: [result.created.record],
      nextCursor: null,
      changesCursor: expect.any(String),
    })
    expect(result.statuses).toEqual([
      { activityId: kayak, favorited: true, favoritedAt: result.created.record.createdAt, favoriteCount: 3 },
      { activityId: massage, favorited: false, favoritedAt: null, favoriteCount: 0 },
    ])
    expect(result.one).toEqual(result.created.record)

    expect(result.analytics.items).toEqual([
      expect.objectContaining({
        activityId: kayak,
        activityType: 'SLOT_BASED',
        totalFavorites: 3,
        favoritesInPeriod: 3,
      }),
      expect.objectContaining({
        activityId: massage,
        activityType: 'SERVICE',
        totalFavorites: 0,
        lastFavoritedAt: null,
      }),
    ])
    expect(JSON.stringify(result.analytics)).not.toContain(userId)
    const csvLines = result.csv.trimEnd().split('\r\n')
    expect(csvLines[0]).toBe(
      'activityId,activityName,activityType,totalFavorites,favoritesInPeriod,lastFavoritedAt',
    )
    expect(csvLines).toHaveLength(3)
    expect(csvLines[1]).toMatch(new RegExp(`^${kayak},Contract kayak tour,SLOT_BASED,3,3,`))
    expect(result.timeseries.activityId).toBe(kayak)
    expect(result.timeseries.buckets).toHaveLength(8)
    expect(result.timeseries.buckets.reduce((sum, bucket) => sum + bucket.favorites, 0)).toBe(3)

    expect(result.removedStatus).toBe(204)
    expect(result.afterRemoval.statuses[0]).toEqual({
      activityId: kayak,
      favorited: false,
      favoritedAt: null,
      favoriteCount: 2,
    })
    expect(result.afterRemoval.notFound).toMatchObject({ status: 404, type: 'urn:problem-type:not-found' })

    expect(result.batch).toEqual([
      { activityId: massage, result: 'created', favorited: true },
      { activityId: massage, result: 'superseded', favorited: true },
    ])
    // Since the list: the kayak was removed (after the list was read) and the massage favourited.
    expect(result.changes.items.map(({ activityId, favorited }) => ({ activityId, favorited }))).toEqual([
      { activityId: kayak, favorited: false },
      { activityId: massage, favorited: true },
    ])
    expect(result.changes.hasMore).toBe(false)
  })
})
