import type { Context } from 'hono'
import { accepts } from 'hono/accepts'
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status'
import { logLine, rootCauseOf } from '../lib/log'
import type { AnalyticsStaffEnv } from '../middleware/auth'
import { type Snapshot, shareInFlight } from './in-flight'

/** Dashboard answers may be up to this many seconds old. */
export const ANALYTICS_MAX_AGE_SECONDS = 60

/**
 * Past `ANALYTICS_MAX_AGE_SECONDS`, an entry is still served for this many seconds while one request refreshes it
 * in the background. 60: a dashboard left open reloads about once a minute, so the reload after a quiet minute is
 * answered at once (and the one after it is fresh) instead of waiting for the database; counts of favourites at
 * most two minutes old are still accurate enough for a dashboard, and a window any longer would mostly serve
 * entries nobody has asked for in minutes.
 */
export const ANALYTICS_STALE_SECONDS = 60

/**
 * `X-Analytics-Cache` on every analytics answer:
 * - `hit`: from the cache, fresh (younger than `ANALYTICS_MAX_AGE_SECONDS`);
 * - `stale`: from the cache, within the stale window; this request started (or found) a background refresh;
 * - `miss`: this request ran the database statement;
 * - `coalesced`: an identical request was already running it in this isolate, and this one shared its answer.
 */
export type AnalyticsCacheOutcome = 'hit' | 'stale' | 'miss' | 'coalesced'

const CACHE_CONTROL = `private, max-age=${ANALYTICS_MAX_AGE_SECONDS}`
const STORED_CACHE_CONTROL = `public, max-age=${ANALYTICS_MAX_AGE_SECONDS + ANALYTICS_STALE_SECONDS}`
const STORED_AT = 'X-Analytics-Stored-At'
const OUTCOME = 'X-Analytics-Cache'
/** Headers of a 200 that describe its body; everything else (request id, timing, security) is per request. */
const REPLAYED_HEADERS = ['Content-Type', 'Content-Disposition', 'Link']
/** What a problem answer also needs, when one is shared with concurrent requests (never stored). */
const REPLAYED_PROBLEM_HEADERS = [...REPLAYED_HEADERS, 'Retry-After', 'WWW-Authenticate', 'Allow']

export type Representation = 'json' | 'csv'

/** The representation the request's `Accept` asks for: CSV for `text/csv`, JSON otherwise (the default). */
export const negotiatedRepresentation = (c: Context): Representation =>
  accepts(c, {
    header: 'Accept',
    supports: ['application/json', 'text/csv'],
    // Stryker disable next-line StringLiteral: equivalent, whatever is not text/csv is JSON
    default: 'application/json',
  }) === 'text/csv'
    ? 'csv'
    : 'json'

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
 * `ANALYTICS_MAX_AGE_SECONDS` ago (zero database round trips). Up to `ANALYTICS_STALE_SECONDS` later, the stored
 * answer is still served (`stale`) while this request refreshes it in the background. Otherwise `produce` runs,
 * once per isolate for identical concurrent requests (the others share its answer), and its answer is stored if it
 * is a 200. Errors are never stored (`produce` throws them, or they are not 200); a thrown error reaches every
 * request that shared the run. A failing cache never fails the request: it only costs the database query.
 *
 * The stored copy is `public` because the Cache API refuses `private` responses; it is only reachable through
 * this key, built from the verified company id. Clients always get `private, max-age=60` and `Vary: <vary>`, plus
 * `Age` (at most 60) on a cached answer so that their own cache never extends the window.
 */
export async function withAnalyticsCache<R extends Response>(
  c: Context<AnalyticsStaffEnv>,
  key: string,
  vary: string,
  produce: () => Promise<R>,
): Promise<R> {
  const entry = await readEntry(c, key)
  if (entry) {
    const fresh = entry.ageSeconds < ANALYTICS_MAX_AGE_SECONDS
    if (!fresh) refreshInBackground(c, key, produce)
    const age = Math.min(entry.ageSeconds, ANALYTICS_MAX_AGE_SECONDS)
    // The cached body is the exact body `produce` returned for this key, so it is still an `R`.
    return replay(c, entry.snapshot, vary, fresh ? 'hit' : 'stale', age) as R
  }

  // Set only in the request whose `produce` runs; the others share its snapshot.
  const ran: { own?: R } = {}
  const { snapshot, started } = shareInFlight(key, () =>
    produceAndStore(c, key, async () => {
      ran.own = await produce()
      return ran.own
    }),
  )
  // A request whose client goes away is cancelled; the requests sharing its run must still get their answer.
  if (started) keepAlive(c, snapshot)
  const shared = await snapshot
  const own = ran.own
  if (own === undefined) return replay(c, shared, vary, 'coalesced') as R
  own.headers.set('Cache-Control', own.status === 200 ? CACHE_CONTROL : 'no-store')
  own.headers.set('Vary', vary)
  own.headers.set(OUTCOME, 'miss')
  return own
}

/** The stored answer for `key` and its age while it may still be served; undefined otherwise, or if the cache fails. */
async function readEntry(
  c: Context<AnalyticsStaffEnv>,
  key: string,
): Promise<{ snapshot: Snapshot; ageSeconds: number } | undefined> {
  try {
    const stored = await caches.default.match(key)
    if (!stored) return undefined
    // The Cache API keeps an entry for the whole window (see STORED_CACHE_CONTROL); how fresh it is is ours to
    // judge, from when it was stored. An entry without a readable time counts as too old.
    const storedAt = Number(stored.headers.get(STORED_AT))
    // Stryker disable next-line EqualityOperator: equivalent, 0 reads as 1970, too old either way
    const ageSeconds = storedAt > 0 ? Math.max(0, Math.floor((Date.now() - storedAt) / 1000)) : Infinity
    if (ageSeconds >= ANALYTICS_MAX_AGE_SECONDS + ANALYTICS_STALE_SECONDS) {
      // Stryker disable next-line OptionalChaining: equivalent, every stored entry has a body (a 200 with JSON or CSV)
      await stored.body?.cancel()
      return undefined
    }
    const body = await stored.arrayBuffer()
    return { snapshot: { status: 200, headers: pick(stored.headers, REPLAYED_HEADERS), body }, ageSeconds }
  } catch (error) {
    logLine('warn', 'analytics cache read failed', { requestId: c.get('requestId'), error: String(error) })
    return undefined
  }
}

/**
 * Runs `produce` and snapshots its answer; stores it when it is a 200. The write is awaited before the run ends (a
 * local cache write costs about a millisecond), so a request arriving after the run finds the entry, and one
 * arriving during it joins the run.
 */
async function produceAndStore(
  c: Context<AnalyticsStaffEnv>,
  key: string,
  produce: () => Promise<Response>,
): Promise<Snapshot> {
  const response = await produce()
  const ok = response.status === 200
  const snapshot: Snapshot = {
    status: response.status,
    headers: pick(response.headers, ok ? REPLAYED_HEADERS : REPLAYED_PROBLEM_HEADERS),
    body: await response.clone().arrayBuffer(),
  }
  if (!ok) return snapshot
  // Hono builds an answer on top of `c.res`: one carrying our outcome header was built on one of our own replies
  // (see `refreshInBackground`), so its other headers may be that reply's, not this answer's.
  if (response.headers.has(OUTCOME)) {
    logLine('warn', 'analytics cache write skipped: answer built on a served reply', {
      requestId: c.get('requestId'),
    })
    return snapshot
  }
  const stored = new Headers({ ...snapshot.headers, 'Cache-Control': STORED_CACHE_CONTROL })
  stored.set(STORED_AT, String(Date.now()))
  try {
    await caches.default.put(key, new Response(snapshot.body, { status: 200, headers: stored }))
  } catch (error) {
    logLine('warn', 'analytics cache write failed', { requestId: c.get('requestId'), error: String(error) })
  }
  return snapshot
}

/**
 * Starts one refresh of a stale entry, unless one is already in flight in this isolate, and keeps this request
 * alive until it ends (`waitUntil`). On failure the stale entry stays, served until its window ends.
 */
function refreshInBackground(
  c: Context<AnalyticsStaffEnv>,
  key: string,
  produce: () => Promise<Response>,
): void {
  const { snapshot, started } = shareInFlight(key, async () => {
    // `produce` answers through `c.json`/`c.body`, which Hono builds on top of `c.res`: by now that is the stale
    // reply, whose headers (a `Link` to a next page that may be gone) must not leak into the refreshed entry. Once
    // Hono is done with this request (its middleware do no I/O after `next()`, so one macrotask is enough), start
    // the refreshed answer from a blank response.
    await new Promise<void>((resolve) => setTimeout(resolve, 0))
    c.res = undefined
    c.res = new Response(null)
    return produceAndStore(c, key, produce)
  })
  if (!started) return
  keepAlive(
    c,
    snapshot.then(
      (refreshed) => {
        logLine('info', 'analytics cache refreshed', {
          requestId: c.get('requestId'),
          status: refreshed.status,
        })
      },
      (error: unknown) => {
        logLine('warn', 'analytics cache refresh failed', {
          requestId: c.get('requestId'),
          error: rootCauseOf(error),
        })
      },
    ),
  )
}

/** This request's own Response for a snapshot (built per request: Responses are I/O objects). */
function replay(
  c: Context<AnalyticsStaffEnv>,
  snapshot: Snapshot,
  vary: string,
  outcome: AnalyticsCacheOutcome,
  age?: number,
): Response {
  const headers: Record<string, string> = {
    ...snapshot.headers,
    'Cache-Control': snapshot.status === 200 ? CACHE_CONTROL : 'no-store',
    Vary: vary,
    [OUTCOME]: outcome,
  }
  if (age !== undefined) headers.Age = String(age)
  const status = snapshot.status
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent in workerd, which accepts an empty body with these statuses; the Fetch standard does not
  if (status === 204 || status === 205 || status === 304) return c.body(null, status as StatusCode, headers)
  // A run's snapshot is shared by all the requests that joined it: a Response copies the bytes it is given.
  return c.body(snapshot.body, status as ContentfulStatusCode, headers)
}

/** Keeps the request alive until `work` settles; `work`'s outcome is its owner's to handle. */
function keepAlive(c: Context<AnalyticsStaffEnv>, work: Promise<unknown>): void {
  const settled = work.then(
    () => undefined,
    () => undefined,
  )
  try {
    c.executionCtx.waitUntil(settled)
  } catch {
    // No ExecutionContext (`app.request` without one): nothing to extend, the work runs anyway.
  }
}

function pick(headers: Headers, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of names) {
    const value = headers.get(name)
    if (value !== null) picked[name] = value
  }
  return picked
}
