/**
 * Analytics answers being produced in this isolate, by cache key, so that identical concurrent requests (a
 * dashboard's burst of panels, or many staff opening it at once) share one run: one database statement.
 *
 * Only plain data crosses requests. Workers refuse to let one request use another's I/O objects (a Response, a
 * stream), so a run yields a snapshot and every request builds its own Response from it.
 */

/** A produced answer as plain data: its status, the headers worth replaying, and the body bytes. */
export type Snapshot = {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: ArrayBuffer
}

/**
 * A run this old is presumed lost and is replaced rather than joined: its request was torn down before it settled
 * (Workers end `waitUntil` work 30 s after the response), so it never will. Runs normally end within the database
 * deadline (`DB_TIMEOUT_MS`, 5 s by default); replacing a slow one that is still alive costs one more statement.
 */
const ABANDONED_AFTER_MS = 30_000

const inFlight = new Map<string, { snapshot: Promise<Snapshot>; startedAt: number }>()

/**
 * The run in flight for `key`, or a new one of `run`; `started` is true for the request that started it.
 *
 * The entry is removed as the run settles, success or failure: a failure reaches only the requests already waiting
 * (each rethrows it) and the next request starts afresh.
 */
export function shareInFlight(
  key: string,
  run: () => Promise<Snapshot>,
): { snapshot: Promise<Snapshot>; started: boolean } {
  const now = Date.now()
  const current = inFlight.get(key)
  if (current && now - current.startedAt < ABANDONED_AFTER_MS) {
    return { snapshot: current.snapshot, started: false }
  }
  // `run` starts on the next microtask, after the entry exists, so even a synchronous throw settles through it.
  const snapshot: Promise<Snapshot> = Promise.resolve()
    .then(run)
    .finally(() => {
      if (inFlight.get(key)?.snapshot === snapshot) inFlight.delete(key)
    })
  inFlight.set(key, { snapshot, startedAt: now })
  return { snapshot, started: true }
}
