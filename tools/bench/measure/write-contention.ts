/**
 * Hot activity vs spread writes, end to end: POST /favorites under autocannon where every request favourites the
 * same activity (the largest company's most favourited one) with another user, beside the same load over the
 * company's other activities and over random activities of every company. Each request is a new favourite of a
 * user inserted for these loads (addFreshUsers), so each writes: the hot case contends on one activity's count
 * rows and its company's day and quarter-hour rows, the company case on the company's rows only, the spread case
 * on neither. The Worker's database time comes from its Server-Timing header.
 */
import { addFreshUsers } from '../generate'
import { type LoadResult, runLoad } from '../load'
import { log } from '../log'
import type { MeasurementPlan } from '../measurement-plans'
import { withClient } from '../postgres'
import type { WriteContention, WriteContentionCase } from '../results'
import { type RouteCase, type Samples, userToken } from '../routes'
import type { RunningWorker } from '../worker'

/**
 * Requests per second the fresh users are provisioned for (the loads measured here run at a fifth of it on two
 * cores); past them, users are reused and a repeated (user, activity) answers 200, counted in the statuses.
 */
export const PROVISIONED_RATE = 400

export interface FreshUser {
  id: string
  token: string
}

export function writeRoute(
  key: string,
  label: string,
  users: FreshUser[],
  nextUser: () => number,
  activity: (k: number) => string,
): RouteCase {
  return {
    key,
    label,
    surface: 'client',
    write: true,
    // 201 a new favourite; 200 only once the fresh users ran out and one is reused (counted apart).
    status: [200, 201],
    request: () => {
      const k = nextUser()
      const user = users[k % users.length] as FreshUser
      return {
        method: 'POST',
        path: '/favorites',
        headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ activityId: activity(k) }),
      }
    },
  }
}

const favoritesOf = async (databaseUrl: string, activityId: string) =>
  withClient(databaseUrl, async (client) => {
    const r = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM activities.user_activity_favorites WHERE activity_id = $1',
      [activityId],
    )
    return r.rows[0]?.n ?? 0
  })

export async function measureWriteContention(
  databaseUrl: string,
  worker: RunningWorker,
  samples: Samples,
  plan: MeasurementPlan,
  concurrency: number[],
  scale: WriteContention['scale'],
): Promise<WriteContention> {
  const company = samples.largestCompany
  const caseCount = 3
  const seconds = caseCount * concurrency.length * plan.loadSeconds + plan.warmupSeconds
  const { hot, companyActivities, userIds } = await withClient(databaseUrl, async (client) => {
    const top = await client.query<{ id: string }>(
      `SELECT activity_id::text AS id FROM activities.activity_favorite_counts WHERE company_id = $1
       ORDER BY favorites DESC, activity_id LIMIT 1`,
      [company.id],
    )
    const hotId = top.rows[0]?.id
    if (!hotId) throw new Error('write contention: the largest company has no favourited activity')
    const others = await client.query<{ id: string }>(
      'SELECT id::text AS id FROM activities.activities WHERE company_id = $1 AND id <> $2 ORDER BY id',
      [company.id, hotId],
    )
    return {
      hot: hotId,
      companyActivities: others.rows.map((r) => r.id),
      userIds: await addFreshUsers(client, Math.ceil(PROVISIONED_RATE * seconds)),
    }
  })
  const users: FreshUser[] = []
  for (const id of userIds) users.push({ id, token: await userToken(id) })
  const spread = samples.activities.filter((id) => id !== hot)
  if (companyActivities.length === 0 || spread.length === 0)
    throw new Error('write contention: no activities to spread the writes over')
  let next = 0
  const nextUser = () => next++
  // A stride through the list, so consecutive requests go to different activities.
  const stride = (list: string[]) => (k: number) => list[(k * 7) % list.length] as string
  const cases: (Omit<WriteContentionCase, 'runs'> & { route: RouteCase })[] = [
    {
      key: 'hot',
      label: 'one activity (the largest company’s most favourited), a new user each request',
      activities: 1,
      route: writeRoute('writeHot', 'POST /favorites, one hot activity', users, nextUser, () => hot),
    },
    {
      key: 'company',
      label: 'the largest company’s other activities',
      activities: companyActivities.length,
      route: writeRoute(
        'writeCompany',
        'POST /favorites, one company',
        users,
        nextUser,
        stride(companyActivities),
      ),
    },
    {
      key: 'spread',
      label: 'random activities of every company',
      activities: spread.length,
      route: writeRoute('writeSpread', 'POST /favorites, spread', users, nextUser, stride(spread)),
    },
  ]
  const favoritesBefore = await favoritesOf(databaseUrl, hot)
  const spreadCase = cases[2] as (typeof cases)[number]
  // Warm-up (discarded), on the spread case: it leaves the hot activity as it was.
  await runLoad(worker.baseUrl, spreadCase.route, samples, concurrency[0] ?? 8, plan.warmupSeconds)
  const runs = new Map<string, LoadResult[]>(cases.map((c) => [c.key, []]))
  for (const connections of concurrency) {
    for (const c of cases) {
      const result = await runLoad(worker.baseUrl, c.route, samples, connections, plan.loadSeconds, 0, {
        serverTiming: true,
      })
      runs.get(c.key)?.push(result)
      log(
        `  writes ${c.key} c=${connections}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, ` +
          `p99 ${result.latencyMs.p99} ms, database p99 ${result.dbMs?.p99 ?? '?'} ms, statuses ${JSON.stringify(result.statuses)}`,
      )
    }
  }
  const hotRuns = runs.get('hot') ?? []
  const created = (run: LoadResult) => run.statuses['201'] ?? 0
  const existing = (run: LoadResult) => run.statuses['200'] ?? 0
  return {
    scale,
    hotActivity: { id: hot, favoritesBefore, favoritesAfter: await favoritesOf(databaseUrl, hot) },
    company: { id: company.id, activities: companyActivities.length + 1 },
    freshUsers: users.length,
    hotCreated: hotRuns.reduce((a, run) => a + created(run), 0),
    hotUnseen: hotRuns.reduce(
      (a, run) => a + run.requests - created(run) - existing(run) + run.errors + run.connections,
      0,
    ),
    cases: cases.map(({ route: _route, ...c }) => ({ ...c, runs: runs.get(c.key) ?? [] })),
  }
}
