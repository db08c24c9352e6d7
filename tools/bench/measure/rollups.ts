import type pg from 'pg'
import type { RollupCheck } from '../results'

/** Recounts every activity's favourites and every company-day and compares them with the trigger-kept rollups. */
export async function checkRollups(client: pg.Client, after: string): Promise<RollupCheck | undefined> {
  const exists = await client.query<{ present: boolean }>(
    `SELECT to_regclass('activities.activity_favorite_counts') IS NOT NULL AS present`,
  )
  if (!exists.rows[0]?.present) return undefined
  const activities = await client.query<{ n: string }>(
    `WITH actual AS (
       SELECT activity_id, count(*) AS total, max(created_at) AS last_at
       FROM activities.user_activity_favorites GROUP BY activity_id
     ), kept AS (
       SELECT activity_id, sum(favorites) AS total, max(last_favorited_at) AS last_at
       FROM activities.activity_favorite_counts GROUP BY activity_id
     )
     SELECT count(*) AS n FROM actual FULL JOIN kept USING (activity_id)
     WHERE coalesce(actual.total, 0) <> coalesce(kept.total, 0)
        OR (coalesce(actual.total, 0) > 0 AND actual.last_at IS DISTINCT FROM kept.last_at)`,
  )
  const days = await client.query<{ n: string }>(
    `WITH actual AS (
       SELECT a.company_id, (f.created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
       FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
       GROUP BY 1, 2
     ), kept AS (
       SELECT company_id, day, sum(favorites) AS n FROM activities.company_favorite_day_counts GROUP BY 1, 2
     )
     SELECT count(*) AS n FROM actual FULL JOIN kept USING (company_id, day)
     WHERE coalesce(actual.n, 0) <> coalesce(kept.n, 0)`,
  )
  return {
    activityMismatches: Number(activities.rows[0]?.n ?? -1),
    companyDayMismatches: Number(days.rows[0]?.n ?? -1),
    checkedAfter: after,
  }
}
