/**
 * The favourite counts (drizzle/0004_favorite_counts.sql; months and years: 0008) of a bulk load that ran with the
 * count triggers off, built set-based: one aggregate per table, into tables whose keys and indexes are dropped for
 * the insert and rebuilt after it (sorted builds, not 10M index insertions), in chains that run side by side in
 * sessions of their own. The keys are the migration's (`favorite_count_keys`): the UTC day and the 15-minute slot
 * from 2000-01-01 UTC. The data set's last stage recounts every table from the favourites (measure/rollups.ts),
 * and a mismatch fails the smoke run.
 */
import type pg from 'pg'

const COUNT_TABLES = [
  'activities.activity_favorite_day_counts',
  'activities.activity_favorite_month_counts',
  'activities.activity_favorite_year_counts',
  'activities.activity_favorite_slot_counts',
  'activities.company_favorite_day_counts',
  'activities.company_favorite_slot_counts',
] as const

const SLOT = `date_bin('15 minutes', f.created_at, timestamp with time zone '2000-01-01 00:00:00+00')`

/** Per table, what fills it; month, year and company rows sum the activity rows just built. */
const FILLS: Record<(typeof COUNT_TABLES)[number], string> = {
  'activities.activity_favorite_day_counts': `INSERT INTO activities.activity_favorite_day_counts
      (activity_id, day, company_id, favorites)
    SELECT f.activity_id, (f.created_at AT TIME ZONE 'UTC')::date, a.company_id, count(*)
    FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
    GROUP BY 1, 2, 3`,
  'activities.activity_favorite_month_counts': `INSERT INTO activities.activity_favorite_month_counts
      (activity_id, month, company_id, favorites)
    SELECT activity_id, date_trunc('month', day)::date, company_id, sum(favorites)
    FROM activities.activity_favorite_day_counts GROUP BY 1, 2, 3`,
  'activities.activity_favorite_year_counts': `INSERT INTO activities.activity_favorite_year_counts
      (activity_id, year, company_id, favorites)
    SELECT activity_id, date_trunc('year', month)::date, company_id, sum(favorites)
    FROM activities.activity_favorite_month_counts GROUP BY 1, 2, 3`,
  'activities.activity_favorite_slot_counts': `INSERT INTO activities.activity_favorite_slot_counts
      (activity_id, slot, company_id, favorites)
    SELECT f.activity_id, ${SLOT}, a.company_id, count(*)
    FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
    GROUP BY 1, 2, 3`,
  'activities.company_favorite_day_counts': `INSERT INTO activities.company_favorite_day_counts
      (company_id, day, favorites)
    SELECT company_id, day, sum(favorites) FROM activities.activity_favorite_day_counts GROUP BY 1, 2`,
  'activities.company_favorite_slot_counts': `INSERT INTO activities.company_favorite_slot_counts
      (company_id, slot, favorites)
    SELECT company_id, slot, sum(favorites) FROM activities.activity_favorite_slot_counts GROUP BY 1, 2`,
}

type Definition = { name: string; sql: string }

/** A table's constraints and its indexes that no constraint owns, as SQL to recreate them. */
async function definitions(client: pg.Client, table: string) {
  const constraints = await client.query<Definition>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS sql FROM pg_constraint
     WHERE conrelid = $1::regclass ORDER BY conname`,
    [table],
  )
  const indexes = await client.query<Definition>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, pg_get_indexdef(i.indexrelid) AS sql
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE i.indrelid = $1::regclass
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY c.relname`,
    [table],
  )
  return { constraints: constraints.rows, indexes: indexes.rows }
}

/**
 * The tables in build order, as chains that can run side by side: a table is summed from the one before it in its
 * chain (months from days, years from months, company days from activity days).
 */
const CHAINS: (typeof COUNT_TABLES)[number][][] = [
  [
    'activities.activity_favorite_day_counts',
    'activities.activity_favorite_month_counts',
    'activities.activity_favorite_year_counts',
    'activities.company_favorite_day_counts',
  ],
  ['activities.activity_favorite_slot_counts', 'activities.company_favorite_slot_counts'],
]

/** One table: its keys and indexes dropped, filled by one aggregate, then rebuilt (checked against the saved ones). */
async function buildTable(client: pg.Client, table: (typeof COUNT_TABLES)[number]): Promise<void> {
  const saved = await definitions(client, table)
  for (const c of saved.constraints) await client.query(`ALTER TABLE ${table} DROP CONSTRAINT ${c.name}`)
  for (const i of saved.indexes) await client.query(`DROP INDEX ${i.name}`)
  await client.query(FILLS[table])
  for (const c of saved.constraints)
    await client.query(`ALTER TABLE ${table} ADD CONSTRAINT ${c.name} ${c.sql}`)
  for (const i of saved.indexes) await client.query(i.sql)
  const restored = await definitions(client, table)
  if (JSON.stringify(restored) !== JSON.stringify(saved))
    throw new Error(`${table}: its keys or indexes differ after the build`)
}

/**
 * Fills the counts of every favourite; the tables but the per-activity totals must be empty. The chains run at
 * once, one per session (the day chain with the totals first, the longer quarter-hour chain alone).
 */
export async function buildCounts(sessions: readonly pg.Client[]): Promise<void> {
  if (sessions.length === 0) throw new Error('buildCounts needs a session')
  const chains = CHAINS.map((chain, n) => ({ chain, session: sessions[n % sessions.length] as pg.Client }))
  await Promise.all(
    chains.map(async ({ chain, session }, n) => {
      // Totals: every activity has its row already (zeros, from the activities' insert trigger of 0005).
      if (n === 0) {
        await session.query(
          `UPDATE activities.activity_favorite_counts t SET favorites = s.n, last_favorited_at = s.last
           FROM (SELECT activity_id, count(*)::int AS n, max(created_at) AS last
                 FROM activities.user_activity_favorites GROUP BY 1) s
           WHERE t.activity_id = s.activity_id`,
        )
      }
      for (const table of chain) await buildTable(session, table)
    }),
  )
}
