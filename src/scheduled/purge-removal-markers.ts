/**
 * The Cron Trigger's job (`[triggers] crons` in wrangler.toml): purge removal markers past their retention, one
 * bounded statement per run, so a backlog drains over several runs and never holds locks for long.
 */
import { createDb } from '../db/client'
import { type Env, loadConfig } from '../env'
import { logLine, rootCauseOf } from '../lib/log'
import { purgeRemovalMarkers } from '../queries/favorite-sync'

/** A purge of a full batch takes well under a second; this only bounds a stuck database. */
const PURGE_TIMEOUT_MS = 30_000

export async function purgeExpiredRemovalMarkers(controller: Pick<ScheduledController, 'cron'>, env: Env) {
  const config = loadConfig(env)
  const db = createDb(config, config.DATABASE_URL, AbortSignal.timeout(PURGE_TIMEOUT_MS))
  try {
    const purged = await purgeRemovalMarkers(db, {
      olderThanDays: config.REMOVAL_MARKER_RETENTION_DAYS,
      limit: config.REMOVAL_MARKER_PURGE_BATCH,
    })
    logLine('info', 'removal markers purged', { cron: controller.cron, purged })
    return purged
  } catch (error) {
    // Thrown again so the run shows as failed in the Cron Trigger's history; the next run retries.
    logLine('error', 'removal marker purge failed', { cron: controller.cron, error: rootCauseOf(error) })
    throw error
  }
}
