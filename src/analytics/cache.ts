import type { Context } from 'hono'
import { logLine } from '../lib/log'
import type { AnalyticsStaffEnv } from '../middleware/auth'

/** Dashboard answers may be up to this many seconds old. */
export const ANALYTICS_MAX_AGE_SECONDS = 60

const CACHE_CONTROL = `private, max-age=${ANALYTICS_MAX_AGE_SECONDS}`
const STORED_AT = 'X-Analytics-Stored-At'
/** Headers of a 200 that describe its body; everything else (request id, timing, security) is per request. */
const REPLAYED_HEADERS = ['Content-Type', 'Content-Disposition', 'Link']

export type Representation = 'json' | 'csv'

/**
 * The Cache API key of one analytics answer: a synthetic URL on the Worker's own host (never a real route) made of
 * the company, the operation, the representation and the normalized query (parsed values in a fixed order, so that
 * `2026-01-01` and `2026-01-01T00:00:00Z`, or a reordered query string, share an entry). The company comes from the
 * verified token, so one company's entry can never answer another company.
 */
export function analyticsCacheKey(
  c: Context<AnalyticsStaffEnv>,
  operation: string,
  representation: Representation,
  query: Record<string, string | number | undefined>,
): string {
  const url = new URL(
    `/__analytics-cache/v1/${encodeURIComponent(c.get('companyId'))}/${operation}.${representation}`,
    c.req.url,
  )
  for (const name of Object.keys(query).sort()) {
    const value = query[name]
    if (value !== undefined) url.searchParams.set(name, String(value))
  }
  return url.toString()
}

/**
 * Answers from the Workers Cache API (`caches.default`) when the same company asked the same question less than
 * `ANALYTICS_MAX_AGE_SECONDS` ago (zero database round trips); otherwise runs `produce` and stores its answer if
 * it is a 200. Error responses are never stored (`produce` throws them, or they are not 200). A failing cache
 * never fails the request: it only costs the database query.
 *
 * The stored copy is `public` because the Cache API refuses `private` responses; it is only reachable through
 * this key, built from the verified company id. Clients always get `private, max-age=60` and `Vary: <vary>`, plus
 * `Age` on a hit so that their own cache does not extend the 60 seconds.
 */
export async function withAnalyticsCache<R extends Response>(
  c: Context<AnalyticsStaffEnv>,
  key: string,
  vary: string,
  produce: () => Promise<R>,
): Promise<R> {
  const cache = caches.default
  const hit = await cache.match(key).catch((error: unknown) => {
    logLine('warn', 'analytics cache read failed', { requestId: c.get('requestId'), error: String(error) })
    return undefined
  })
  if (hit) {
    const headers: Record<string, string> = {}
    for (const name of REPLAYED_HEADERS) {
      const value = hit.headers.get(name)
      if (value !== null) headers[name] = value
    }
    const storedAt = Number(hit.headers.get(STORED_AT))
    const age = Number.isFinite(storedAt) ? Math.max(0, Math.floor((Date.now() - storedAt) / 1000)) : 0
    headers['Cache-Control'] = CACHE_CONTROL
    headers.Vary = vary
    headers.Age = String(Math.min(age, ANALYTICS_MAX_AGE_SECONDS))
    headers['X-Analytics-Cache'] = 'hit'
    // The cached body is the exact body `produce` returned for this key, so it is still an `R`.
    return c.body(await hit.arrayBuffer(), 200, headers) as Response as R
  }

  const response = await produce()
  response.headers.set('Cache-Control', CACHE_CONTROL)
  response.headers.set('Vary', vary)
  response.headers.set('X-Analytics-Cache', 'miss')
  if (response.status !== 200) return response

  const stored = new Headers({
    'Cache-Control': `public, max-age=${ANALYTICS_MAX_AGE_SECONDS}`,
    [STORED_AT]: String(Date.now()),
  })
  for (const name of REPLAYED_HEADERS) {
    const value = response.headers.get(name)
    if (value !== null) stored.set(name, value)
  }
  // Awaited rather than left to `waitUntil`: a dashboard reload right after must find the entry. A local cache
  // write costs about a millisecond.
  await cache
    .put(key, new Response(await response.clone().arrayBuffer(), { status: 200, headers: stored }))
    .catch((error: unknown) => {
      logLine('warn', 'analytics cache write failed', { requestId: c.get('requestId'), error: String(error) })
    })
  return response
}
