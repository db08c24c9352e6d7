/** VACUUM (ANALYZE) of the favourite count tables, the sync tables and the backfill's progress row. */
export async function vacuumCountTables(client: pg.Client): Promise<void> {
  const others = await client.query<{ name: string }>(
    `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name FROM pg_tables
     WHERE schemaname = 'activities' AND tablename NOT IN ('activities', 'user_activity_favorites')`,
  )
  for (const t of others.rows) await client.query(`VACUUM (ANALYZE) ${t.name}`)
}

/**
 * Benchmark data, generated set-based inside PostgreSQL (generate_series, INSERT ... SELECT), on a migrated
 * database.
 *
 * Shape (the same at every scale, scaled):
 * - users `uuidOf('u' || j)` (md5 with RFC 4122 version/variant bits), j = 1..users. User j wants about `K * j^-0.54 * (0.5 + random())` favourites
 *   (user 1 exactly `K`), a power law: a few heavy users with thousands, a long tail with a handful or none.
 * - activities `uuidOf('a' || i)`, i = 1..activities, where i is also the popularity rank: a favourite picks
 *   activity `1 + floor(activities * random()^3)`, so the top 0.1% of activities get about 10% of all favourites.
 * - companies `uuidOf('c' || n)`. Every tenth activity (a sample across all popularity ranks) belongs to
 *   company 1, the largest: 10% of the activities and about 10% of the favourites. The others are spread over
 *   companies 2..N with a skew (`random()^2`).
 * - `created_at` spread over the last two years, denser towards now; rows inserted in hash order (each user's
 *   favourites scattered over the heap, as in a table filled over time).
 * Duplicate (user, activity) picks are folded (`GROUP BY`), so the unique constraint holds and the count
 * comes out a few percent under the draw; the draw is oversampled to land near the target.
 *
 * Loading: the favourites table's constraints and indexes are read from pg_catalog, dropped, the rows inserted (in
 * `BULK_SESSIONS` sessions at once, each drawing the favourites of its share of the users),
 * then every index and constraint recreated from the saved definitions (same names, validated foreign keys), and
 * the result compared with the saved definitions. The favourites' count triggers (drizzle/0004_favorite_counts.sql)
 * are off during the load: fed a 10M-row transition table they took most of the 10M set's 8.5 minutes. The counts
 * are then built set-based (build-counts.ts); the data set's last stage recounts them from the favourites
 * (measure/rollups.ts), and a mismatch fails the smoke run.
 *
 * The counts' backfill must be complete before the load and is checked before and after it: until it is, the
 * triggers count only the favourites of activities it has passed. `npm run db:migrate` (`migrateDatabase`)
 * completes it on the still-empty database; the generator never writes `activities.favorite_counts_backfill`.
 */
import pg from 'pg'
import { buildCounts } from './build-counts'
import { BULK_SESSIONS } from './postgres'
import { type Stage, timed } from './stages'

export type ScaleName = 'smoke' | 'small' | 'full'

export interface Scale {
  name: ScaleName
  users: number
  activities: number
  companies: number
  favorites: number
}

export const SCALES: Record<ScaleName, Scale> = {
  smoke: { name: 'smoke', users: 1_000, activities: 200, companies: 20, favorites: 5_000 },
  small: { name: 'small', users: 10_000, activities: 1_000, companies: 100, favorites: 100_000 },
  full: { name: 'full', users: 1_000_000, activities: 100_000, companies: 1_000, favorites: 10_000_000 },
}

const USER_SKEW = 0.54
const ACTIVITY_SKEW = 3
const HISTORY_DAYS = 730
/** Draws lost to duplicate (user, activity) picks, measured at the full scale (heavy users collide most). */
const OVERSAMPLE = 1.01

export interface DataSummary {
  users: number
  activities: number
  companies: number
  favorites: number
  heaviestUser: { id: string; favorites: number }
  favoritesPerUser: { p50: number; p90: number; p99: number; max: number; withNone: number }
  topActivity: { id: string; favorites: number }
  largestCompany: { id: string; activities: number; favorites: number }
  steps: Stage[]
  totalSeconds: number
}

type Definition = { name: string; sql: string }

const FAVORITES = 'activities.user_activity_favorites'

/** A deterministic UUID from a key: md5 with the version (4) and variant (8) nibbles set, so it validates as RFC 4122. */
const uuidOf = (key: string) => `overlay(overlay(md5(${key}) placing '4' from 13) placing '8' from 17)::uuid`

const round = (value: number, digits: number) => Number(value.toFixed(digits))

async function schemaDefinitions(
  client: pg.Client,
): Promise<{ constraints: Definition[]; indexes: Definition[] }> {
  const constraints = await client.query<Definition>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS sql FROM pg_constraint
     WHERE conrelid = '${FAVORITES}'::regclass ORDER BY contype = 'f' DESC, conname`,
  )
  const indexes = await client.query<Definition>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS sql
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = '${FAVORITES}'::regclass
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY c.relname`,
  )
  return { constraints: constraints.rows, indexes: indexes.rows }
}

/** Throws unless `activities.favorite_counts_backfill` says complete (see the header). */
async function assertBackfillComplete(client: pg.Client, when: string): Promise<void> {
  const progress = await client.query<{ complete: boolean | null }>(
    `SELECT bool_and(completed_at IS NOT NULL) AND count(*) = 2 AS complete FROM activities.favorite_counts_backfill`,
  )
  if (progress.rows[0]?.complete !== true) {
    throw new Error(
      `activities.favorite_counts_backfill is not complete ${when}: the triggers would leave favourites uncounted ` +
        '(migrateDatabase in tools/db/migrate.ts runs the backfill after migrating)',
    )
  }
}

/** A session of the load: big sort and hash memory, no wait for the WAL. */
async function loadSession(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, options: '-c TimeZone=UTC' })
  await client.connect()
  await client.query(`SET work_mem = '1GB'`)
  await client.query(`SET maintenance_work_mem = '2GB'`)
  await client.query(`SET max_parallel_maintenance_workers = 2`)
  await client.query(`SET synchronous_commit = off`)
  return client
}

/**
 * Fills a freshly migrated, empty database (its counts' backfill complete). `log` gets one line per step. The
 * favourites' insert and the counts' build run in `BULK_SESSIONS` sessions at once: each is one statement that
 * PostgreSQL runs on one core.
 */
export async function generateData(
  databaseUrl: string,
  scale: Scale,
  log: (line: string) => void,
): Promise<DataSummary> {
  const sessions = await Promise.all(Array.from({ length: BULK_SESSIONS }, () => loadSession(databaseUrl)))
  try {
    return await load(sessions, scale, log)
  } finally {
    await Promise.all(sessions.map((session) => session.end()))
  }
}

async function load(sessions: pg.Client[], scale: Scale, log: (line: string) => void): Promise<DataSummary> {
  const client = sessions[0] as pg.Client
  const steps: DataSummary['steps'] = []
  const started = performance.now()

  await assertBackfillComplete(client, 'before the load')

  const { users, activities, companies, favorites } = scale
  // Sum over j of K * j^-s ~= K * n^(1-s) / (1-s): solve for K so the draw totals `favorites * OVERSAMPLE`.
  const heaviest = Math.round((favorites * OVERSAMPLE * (1 - USER_SKEW)) / users ** (1 - USER_SKEW))

  // Index -> id maps (one md5 per user and per activity), joined by integer keys below; unlogged tables (not
  // temporary ones), so that every session of the load reads them.
  await client.query('DROP SCHEMA IF EXISTS bench_load CASCADE')
  await client.query('CREATE SCHEMA bench_load')
  await timed(steps, 'users', async () => {
    await client.query(
      `CREATE UNLOGGED TABLE bench_load.user_ids AS SELECT j, ${uuidOf(`'u' || j`)} AS id FROM generate_series(1, $1::int) j`,
      [users],
    )
    await client.query(
      `INSERT INTO users.users (id, created_at)
       SELECT id, now() - random() * interval '1000 days' FROM bench_load.user_ids`,
    )
    await client.query('ALTER TABLE bench_load.user_ids ADD PRIMARY KEY (j)')
    await client.query('ANALYZE bench_load.user_ids')
  })
  log(`  users: ${users}`)
  await timed(steps, 'activities', async () => {
    await client.query(
      `CREATE UNLOGGED TABLE bench_load.activity_ids AS SELECT i, ${uuidOf(`'a' || i`)} AS id FROM generate_series(1, $1::int) i`,
      [activities],
    )
    await client.query(
      `INSERT INTO activities.activities (id, company_id, name, type, image_url, created_at)
       SELECT m.id,
              ${uuidOf(`'c' || CASE WHEN m.i % 10 = 0 THEN 1 ELSE 2 + floor(($1::int - 1) * power(random(), 2))::int END`)},
              'Activity ' || m.i,
              (CASE WHEN m.i % 3 = 0 THEN 'SERVICE' ELSE 'SLOT_BASED' END)::activities.activity_type,
              CASE WHEN m.i % 2 = 0 THEN 'https://images.example.com/activities/' || m.i || '.jpg' END,
              now() - random() * interval '1000 days'
       FROM bench_load.activity_ids m`,
      [companies],
    )
    await client.query('ALTER TABLE bench_load.activity_ids ADD PRIMARY KEY (i)')
    await client.query('ANALYZE bench_load.activity_ids')
  })
  log(`  activities: ${activities} across ${companies} companies`)

  const saved = await schemaDefinitions(client)
  await timed(steps, 'drop favourites constraints and indexes', async () => {
    for (const c of saved.constraints)
      await client.query(`ALTER TABLE ${FAVORITES} DROP CONSTRAINT ${c.name}`)
    for (const i of saved.indexes) await client.query(`DROP INDEX activities.${i.name}`)
  })

  // Hash aggregation folds duplicate picks and emits the rows in hash order, so each user's favourites end up
  // scattered over the heap as in a table filled over time (a sort would cluster them by user). Each session
  // draws the favourites of its share of the users (duplicates are per user, so the shares fold apart).
  await client.query(`ALTER TABLE ${FAVORITES} DISABLE TRIGGER USER`)
  await timed(steps, 'favourites (insert, count triggers off)', () =>
    Promise.all(
      sessions.map(async (session, share) => {
        await session.query('SET enable_sort = off')
        // Hash joins against the id maps (a nested loop would do 20M index lookups).
        await session.query('SET enable_nestloop = off')
        await session.query('SET enable_mergejoin = off')
        await session.query(
          `INSERT INTO ${FAVORITES} (user_id, activity_id, created_at)
           SELECT u.id, a.id, now() - power(random(), 1.5) * interval '${HISTORY_DAYS} days'
           FROM (
             SELECT w.j, 1 + floor($2::int * power(random(), ${ACTIVITY_SKEW}))::int AS i
             FROM (
               SELECT j, CASE WHEN j = 1 THEN $3::float8
                              ELSE round($3::float8 * power(j, -${USER_SKEW}) * (0.5 + random())) END AS wanted
               FROM generate_series(1, $1::int) j WHERE j % $4::int = $5::int
             ) w
             CROSS JOIN LATERAL generate_series(1, w.wanted::int) draw
             GROUP BY 1, 2
           ) p
           JOIN bench_load.user_ids u ON u.j = p.j
           JOIN bench_load.activity_ids a ON a.i = p.i`,
          [users, activities, heaviest, sessions.length, share],
        )
        await session.query('RESET enable_sort')
        await session.query('RESET enable_nestloop')
        await session.query('RESET enable_mergejoin')
      }),
    ),
  )
  await client.query(`ALTER TABLE ${FAVORITES} ENABLE TRIGGER USER`)
  await client.query('DROP SCHEMA bench_load CASCADE')
  log('  favourites inserted; rebuilding indexes and constraints')

  await timed(steps, 'recreate indexes and constraints', async () => {
    // Unique and primary keys first (their indexes), then plain indexes, foreign keys last.
    const keys = saved.constraints.filter((c) => !c.sql.startsWith('FOREIGN KEY'))
    const foreign = saved.constraints.filter((c) => c.sql.startsWith('FOREIGN KEY'))
    for (const c of keys) await client.query(`ALTER TABLE ${FAVORITES} ADD CONSTRAINT ${c.name} ${c.sql}`)
    for (const i of saved.indexes) await client.query(i.sql)
    for (const c of foreign) await client.query(`ALTER TABLE ${FAVORITES} ADD CONSTRAINT ${c.name} ${c.sql}`)
  })
  const restored = await schemaDefinitions(client)
  if (JSON.stringify(restored) !== JSON.stringify(saved)) {
    throw new Error(
      `the favourites table's schema differs after loading:\n${JSON.stringify(saved)}\n${JSON.stringify(restored)}`,
    )
  }

  await timed(steps, 'counts (set-based)', () => buildCounts(sessions))

  await timed(steps, 'vacuum analyze', async () => {
    await client.query('VACUUM (ANALYZE) users.users')
    await client.query('VACUUM (ANALYZE) activities.activities')
    await client.query(`VACUUM (ANALYZE) ${FAVORITES}`)
    await vacuumCountTables(client)
  })

  await assertBackfillComplete(client, 'after the load')

  const summary = await timed(steps, 'summary statistics', () => summarize(client))
  return { ...summary, steps, totalSeconds: round((performance.now() - started) / 1000, 1) }
}

/**
 * Inserts `count` users without favourites (ids `uuidOf('fresh' || j)`, none of the generated ones), for loads
 * whose every request needs a user who has not favourited anything yet; returns their ids.
 */
export async function addFreshUsers(client: pg.Client, count: number): Promise<string[]> {
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO users.users (id, created_at)
     SELECT ${uuidOf(`'fresh' || j`)}, now() FROM generate_series(1, $1::int) j
     RETURNING id::text AS id`,
    [count],
  )
  await client.query('ANALYZE users.users')
  return inserted.rows.map((r) => r.id)
}

async function summarize(client: pg.Client): Promise<Omit<DataSummary, 'steps' | 'totalSeconds'>> {
  const counts = await client.query<{
    users: string
    activities: string
    companies: string
    favorites: string
  }>(
    `SELECT (SELECT count(*) FROM users.users) AS users,
            (SELECT count(*) FROM activities.activities) AS activities,
            (SELECT count(DISTINCT company_id) FROM activities.activities) AS companies,
            (SELECT count(*) FROM ${FAVORITES}) AS favorites`,
  )
  // Per-user counts from the (user_id, created_at) index; users without favourites are the difference.
  const perUser = await client.query<{
    p50: number
    p90: number
    p99: number
    max: number
    with_some: string
    heaviest: string
  }>(
    `WITH c AS (SELECT user_id AS id, count(*)::int AS n FROM ${FAVORITES} GROUP BY user_id)
     SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n) AS p50,
            percentile_disc(0.9) WITHIN GROUP (ORDER BY n) AS p90,
            percentile_disc(0.99) WITHIN GROUP (ORDER BY n) AS p99,
            max(n) AS max, count(*) AS with_some,
            (SELECT id FROM c ORDER BY n DESC, id LIMIT 1)::text AS heaviest
     FROM c`,
  )
  const top = await client.query<{ id: string; n: number }>(
    `SELECT activity_id::text AS id, count(*)::int AS n FROM ${FAVORITES} GROUP BY activity_id ORDER BY n DESC LIMIT 1`,
  )
  const company = await client.query<{ id: string; activities: number; favorites: number }>(
    `WITH per_activity AS (SELECT activity_id, count(*) AS n FROM ${FAVORITES} GROUP BY activity_id)
     SELECT a.company_id::text AS id, count(*)::int AS activities, coalesce(sum(p.n), 0)::int AS favorites
     FROM activities.activities a LEFT JOIN per_activity p ON p.activity_id = a.id
     GROUP BY a.company_id ORDER BY favorites DESC LIMIT 1`,
  )
  const c = counts.rows[0]
  const u = perUser.rows[0]
  const t = top.rows[0]
  const l = company.rows[0]
  if (!c || !u || !t || !l) throw new Error('no data generated')
  return {
    users: Number(c.users),
    activities: Number(c.activities),
    companies: Number(c.companies),
    favorites: Number(c.favorites),
    heaviestUser: { id: u.heaviest, favorites: u.max },
    favoritesPerUser: {
      p50: u.p50,
      p90: u.p90,
      p99: u.p99,
      max: u.max,
      withNone: Number(c.users) - Number(u.with_some),
    },
    topActivity: { id: t.id, favorites: t.n },
    largestCompany: { id: l.id, activities: l.activities, favorites: l.favorites },
  }
}
