/**
 * What the benchmark asks the Worker: sampled users, companies and activities from the generated data (with a
 * bearer token each), and each route as a function from a sample index to an HTTP request.
 */
import type pg from 'pg'
import { mintStaffToken, mintUserToken } from '../auth/mint-token'
import { BENCH_JWT } from './worker'

export interface UserSample {
  id: string
  token: string
  /** One of the user's existing favourites (GET one, DELETE). */
  favoriteActivityId: string
  /** 20 ids for a list screen: up to 5 of the user's favourites and random activities. */
  statusIds: string[]
}

export interface CompanySample {
  id: string
  token: string
}

export interface Samples {
  users: UserSample[]
  /** Random activities (uniform over ids) for POST /favorites. */
  activities: string[]
  companies: CompanySample[]
  largestCompany: CompanySample & { activities: number; favorites: number }
  heaviestUser: { id: string; token: string; favorites: number }
}

const TOKEN_TTL_SECONDS = 6 * 60 * 60

export const userToken = async (id: string) => (await mintUserToken(BENCH_JWT, id, TOKEN_TTL_SECONDS)).token
const staffToken = async (companyId: string) =>
  (await mintStaffToken(BENCH_JWT, companyId, TOKEN_TTL_SECONDS)).token

export async function drawSamples(
  client: pg.Client,
  counts: { users: number; companies: number },
  known: {
    heaviestUser: { id: string; favorites: number }
    largestCompany: { id: string; activities: number; favorites: number }
  },
): Promise<Samples> {
  // Random users who have at least one favourite (nearly all do), with one of their favourites each.
  const users = await client.query<{ id: string; favorite: string; own: string[] }>(
    `SELECT u.id::text AS id, own[1 + floor(random() * cardinality(own))::int]::text AS favorite, own::text[] AS own
     FROM (SELECT id FROM users.users ORDER BY random() LIMIT $1 * 2) u
     CROSS JOIN LATERAL (
       SELECT array_agg(activity_id) AS own FROM (
         SELECT activity_id FROM activities.user_activity_favorites f WHERE f.user_id = u.id
         ORDER BY created_at DESC LIMIT 50) mine
     ) o
     WHERE own IS NOT NULL
     LIMIT $1`,
    [counts.users],
  )
  const activities = await client.query<{ id: string }>(
    `SELECT id::text AS id FROM activities.activities ORDER BY random() LIMIT $1`,
    [Math.max(counts.users, 40) * 2],
  )
  const randomActivities = activities.rows.map((r) => r.id)
  const companies = await client.query<{ id: string }>(
    `SELECT company_id::text AS id FROM (SELECT DISTINCT company_id FROM activities.activities) c
     ORDER BY random() LIMIT $1`,
    [counts.companies],
  )
  const userSamples: UserSample[] = []
  let next = 0
  for (const row of users.rows) {
    const own = row.own.slice(0, 5)
    const statusIds = [...own]
    while (statusIds.length < 20) {
      statusIds.push(randomActivities[next++ % randomActivities.length] as string)
    }
    userSamples.push({
      id: row.id,
      token: await userToken(row.id),
      favoriteActivityId: row.favorite,
      statusIds,
    })
  }
  const companySamples: CompanySample[] = []
  for (const row of companies.rows) companySamples.push({ id: row.id, token: await staffToken(row.id) })
  return {
    users: userSamples,
    activities: randomActivities,
    companies: companySamples,
    largestCompany: { ...known.largestCompany, token: await staffToken(known.largestCompany.id) },
    heaviestUser: { ...known.heaviestUser, token: await userToken(known.heaviestUser.id) },
  }
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  headers: Record<string, string>
  body?: string
}

export interface RouteCase {
  /** Stable key in the JSON results. */
  key: string
  /** How it is shown in BENCHMARKS.md. */
  label: string
  surface: 'client' | 'business' | 'floor'
  /** Writes: captured without executing, explained inside a rolled-back transaction. */
  write: boolean
  /** Expected status when the database answers. */
  status: number[]
  /** Plan samples, when fewer than the scale's: each sample of a batch is 4 executions of 100 changes. */
  planSamples?: number
  /** Who asks, when it is not a random sampled user or company (the plans' "subject"). */
  subject?(samples: Samples): string
  request(samples: Samples, i: number): HttpRequestSpec
}

const bearer = (token: string, extra: Record<string, string> = {}) => ({
  Authorization: `Bearer ${token}`,
  ...extra,
})
const pick = <T>(items: T[], i: number): T => {
  const item = items[i % items.length]
  if (item === undefined) throw new Error('no samples')
  return item
}

export const FLOOR_KEY = 'floor'

export const ROUTES: RouteCase[] = [
  {
    key: FLOOR_KEY,
    label: 'floor: GET /favorites/status?activityIds=<1 id> (auth + one single-row lookup)',
    surface: 'floor',
    write: false,
    status: [200],
    request: (s, i) => {
      const u = pick(s.users, i)
      return {
        method: 'GET',
        path: `/favorites/status?activityIds=${u.favoriteActivityId}`,
        headers: bearer(u.token),
      }
    },
  },
  {
    key: 'health',
    label: 'GET /health (no auth, SELECT 1)',
    surface: 'floor',
    write: false,
    status: [200],
    request: () => ({ method: 'GET', path: '/health', headers: {} }),
  },
  {
    key: 'create',
    label: 'POST /favorites',
    surface: 'client',
    write: true,
    status: [200, 201],
    request: (s, i) => {
      const u = pick(s.users, i)
      return {
        method: 'POST',
        path: '/favorites',
        headers: bearer(u.token, { 'Content-Type': 'application/json' }),
        body: JSON.stringify({ activityId: pick(s.activities, i * 7 + 3) }),
      }
    },
  },
  {
    key: 'delete',
    label: 'DELETE /favorites/{activityId}',
    surface: 'client',
    write: true,
    status: [204],
    request: (s, i) => {
      const u = pick(s.users, i)
      return { method: 'DELETE', path: `/favorites/${u.favoriteActivityId}`, headers: bearer(u.token) }
    },
  },
  {
    key: 'get',
    label: 'GET /favorites/{activityId}',
    surface: 'client',
    write: false,
    status: [200, 404],
    request: (s, i) => {
      const u = pick(s.users, i)
      return { method: 'GET', path: `/favorites/${u.favoriteActivityId}`, headers: bearer(u.token) }
    },
  },
  {
    key: 'list',
    label: 'GET /favorites (first page, limit 20)',
    surface: 'client',
    write: false,
    status: [200],
    request: (s, i) => {
      const u = pick(s.users, i)
      return { method: 'GET', path: '/favorites', headers: bearer(u.token) }
    },
  },
  {
    key: 'status',
    label: 'GET /favorites/status (20 ids)',
    surface: 'client',
    write: false,
    status: [200],
    request: (s, i) => {
      const u = pick(s.users, i)
      return {
        method: 'GET',
        path: `/favorites/status?activityIds=${u.statusIds.join(',')}`,
        headers: bearer(u.token),
      }
    },
  },
  {
    key: 'status100',
    label: 'GET /favorites/status (100 ids, with favoriteCount)',
    surface: 'client',
    write: false,
    status: [200],
    request: (s, i) => {
      const u = pick(s.users, i)
      const ids = [...u.statusIds, ...Array.from({ length: 80 }, (_, n) => pick(s.activities, i * 83 + n))]
      return {
        method: 'GET',
        path: `/favorites/status?activityIds=${ids.join(',')}`,
        headers: bearer(u.token),
      }
    },
  },
  {
    key: 'batch',
    label: 'POST /favorites/batch (100 changes: 50 adds, 50 removals)',
    surface: 'client',
    write: true,
    status: [200],
    planSamples: 200,
    request: (s, i) => {
      const u = pick(s.users, i)
      const changes = Array.from({ length: 100 }, (_, n) => ({
        activityId: n === 1 ? u.favoriteActivityId : pick(s.activities, i * 101 + n),
        favorited: n % 2 === 0,
      }))
      return {
        method: 'POST',
        path: '/favorites/batch',
        headers: bearer(u.token, { 'Content-Type': 'application/json' }),
        body: JSON.stringify({ changes }),
      }
    },
  },
  {
    key: 'changes',
    label: 'GET /favorites/changes?limit=100 (the heaviest user, from the start)',
    surface: 'client',
    write: false,
    status: [200],
    subject: (s) => `the heaviest user (${s.heaviestUser.favorites} favourites), repeated`,
    request: (s) => ({
      method: 'GET',
      path: '/favorites/changes?limit=100',
      headers: bearer(s.heaviestUser.token),
    }),
  },
  {
    key: 'analytics',
    label: 'GET /analytics/favorites (last 30 days, sort total, 20 rows)',
    surface: 'business',
    write: false,
    status: [200],
    request: (s, i) => ({
      method: 'GET',
      path: '/analytics/favorites',
      headers: bearer(pick(s.companies, i).token),
    }),
  },
  {
    key: 'analyticsCsv',
    label: 'GET /analytics/favorites as CSV (whole table)',
    surface: 'business',
    write: false,
    status: [200],
    request: (s, i) => ({
      method: 'GET',
      path: '/analytics/favorites',
      headers: bearer(pick(s.companies, i).token, { Accept: 'text/csv' }),
    }),
  },
  {
    key: 'timeseries',
    label: 'GET /analytics/favorites/timeseries (last 30 days, by day)',
    surface: 'business',
    write: false,
    status: [200],
    request: (s, i) => ({
      method: 'GET',
      path: '/analytics/favorites/timeseries?interval=day',
      headers: bearer(pick(s.companies, i).token),
    }),
  },
]

export const routeByKey = (key: string): RouteCase => {
  const route = ROUTES.find((r) => r.key === key)
  if (!route) throw new Error(`unknown route ${key}`)
  return route
}

/** The same route asked by the largest company (analytics) instead of a sampled one. */
export function forLargestCompany(samples: Samples): Samples {
  return { ...samples, companies: [samples.largestCompany] }
}

export async function send(
  baseUrl: string,
  spec: HttpRequestSpec,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${baseUrl}${spec.path}`, {
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    signal: AbortSignal.timeout(60_000),
  })
  return { status: response.status, body: await response.text() }
}

/** End to end only: the analytics table for the largest company, a new period per request (a cache miss each). */
export const ANALYTICS_UNCACHED: RouteCase = {
  key: 'analyticsUncached',
  label: 'GET /analytics/favorites, largest company, a new period each request (cache miss)',
  surface: 'business',
  write: false,
  status: [200],
  request: (s) => ({
    method: 'GET',
    path: `/analytics/favorites?${uniquePeriod()}`,
    headers: bearer(s.largestCompany.token),
  }),
}

export const TIMESERIES_UNCACHED: RouteCase = {
  key: 'timeseriesUncached',
  label: 'GET /analytics/favorites/timeseries, largest company, a new period each request (cache miss)',
  surface: 'business',
  write: false,
  status: [200],
  request: (s) => ({
    method: 'GET',
    path: `/analytics/favorites/timeseries?interval=day&${uniquePeriod()}`,
    headers: bearer(s.largestCompany.token),
  }),
}

export const ANALYTICS_CACHED: RouteCase = {
  key: 'analyticsCached',
  label: 'GET /analytics/favorites, largest company, the same question (cache hit after the first)',
  surface: 'business',
  write: false,
  status: [200],
  request: (s) => ({ method: 'GET', path: '/analytics/favorites', headers: bearer(s.largestCompany.token) }),
}

const HOUR_MS = 3_600_000
/** The run's start, down to a whole UTC hour: analytics refuses bounds finer than an hour of the zone. */
const RUN_HOUR_MS = Math.floor(Date.now() / HOUR_MS) * HOUR_MS
/** Period ends of the uncached questions: every whole hour of the 30 days before the run's start. */
const PERIOD_ENDS = 30 * 24
/** The default period's length, 30 days, in hours. */
const PERIOD_HOURS = 30 * 24
let uncachedAsked = 0

/**
 * `from` and `to` of a period no other request of this process has asked, so that it misses the analytics cache:
 * the n-th ends `n mod 720` hours before the run's start and lasts 30 days plus `floor(n / 720)` hours. So every
 * period is about as long as the default one (30 days) and within the data's last two months, however many
 * requests a run sends (the load's request indexes run into the millions; a bound derived from them would leave
 * the supported years, 1970 on, and be refused).
 */
function uniquePeriod(): string {
  const n = uncachedAsked++
  const to = RUN_HOUR_MS - (n % PERIOD_ENDS) * HOUR_MS
  const from = to - (PERIOD_HOURS + Math.floor(n / PERIOD_ENDS)) * HOUR_MS
  return `from=${instant(from)}&to=${instant(to)}`
}

const instant = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')
