/** Database round trips per API request: the local Neon-protocol server's request counter around each call. */

import type { RoundTrip } from '../results'
import { forLargestCompany, ROUTES, routeByKey, type Samples, send } from '../routes'
import type { RunningWorker } from '../worker'

async function databaseRequests(neonUrl: string): Promise<number> {
  const response = await fetch(neonUrl.replace(/\/sql$/, '/stats'))
  return ((await response.json()) as { requests: number }).requests
}

export async function measureRoundTrips(
  worker: RunningWorker,
  neonUrl: string,
  samples: Samples,
  repeats: number,
): Promise<RoundTrip[]> {
  const out: RoundTrip[] = []
  const last = samples.users.length - 1
  for (const [index, route] of ROUTES.entries()) {
    const counts: number[] = []
    const statuses: number[] = []
    for (let k = 0; k < repeats; k++) {
      // Users from the end of the sample list, different ones per route: these requests write.
      const spec = route.request(samples, route.surface === 'business' ? k : last - index * repeats - k)
      const before = await databaseRequests(neonUrl)
      const answer = await send(worker.baseUrl, spec)
      counts.push((await databaseRequests(neonUrl)) - before)
      statuses.push(answer.status)
    }
    out.push({ route: route.key, label: route.label, counts, statuses, expected: 1 })
  }
  // A repeated analytics question within the cache's 60 s: answered from the Workers Cache API.
  for (const key of ['analytics', 'timeseries']) {
    const route = routeByKey(key)
    const spec = route.request(forLargestCompany(samples), 0)
    await send(worker.baseUrl, spec)
    const counts: number[] = []
    const statuses: number[] = []
    for (let k = 0; k < repeats; k++) {
      const before = await databaseRequests(neonUrl)
      const answer = await send(worker.baseUrl, spec)
      counts.push((await databaseRequests(neonUrl)) - before)
      statuses.push(answer.status)
    }
    out.push({
      route: `${key}Repeat`,
      label: `${route.label}, asked again within 60 s`,
      counts,
      statuses,
      expected: 0,
      note: 'cached',
    })
  }
  return out
}
