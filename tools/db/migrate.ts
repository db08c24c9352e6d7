/**
 * `npm run db:migrate`: applies `drizzle/` through drizzle's neon-http migrator, the same HTTP path the Worker
 * uses, so the same command migrates a real Neon database (`DATABASE_URL`) or the local server
 * (`NEON_HTTP_ENDPOINT`). Already-applied migrations are skipped, so a second run is a no-op. Then it runs the
 * backfills of the favourite counts (migration 0004) and of their month and year counts (0008) to completion, in that
 * order, one bounded batch per statement.
 */
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { migrate } from 'drizzle-orm/neon-http/migrator'
import { connectNeonHttp, type NodeDb } from './connect'

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url))

/**
 * Activities per backfill transaction: their favourites cannot change while it counts them. At 10M favourites on
 * the 2-core bench machine, 200 activities (about 20,000 favourites) took 1.1-1.6 s; 1,000 took 4.5-5 s.
 */
export const BACKFILL_BATCH_ACTIVITIES = 200
/** Attempts per batch: a batch gives up after 5 s waiting for a row lock (a long write) and is simply run again. */
const BACKFILL_ATTEMPTS = 5

/** The backfills, in the order they must run (the month and year counts are summed from the day counts). */
export const BACKFILLS = {
  counts: 'favorite_counts_backfill_batch',
  months: 'favorite_month_year_counts_backfill_batch',
} as const

/**
 * Counts the favourites of activities not yet counted, a batch per call to `activities.<backfill>` (its own
 * transaction), until it reports none left. Returns how many activities it counted: 0 when the backfill was
 * already complete.
 */
export async function backfillFavoriteCounts(
  db: NodeDb,
  backfill: keyof typeof BACKFILLS,
  onBatch: (activities: number) => void = () => {},
): Promise<number> {
  let total = 0
  const batch = sql.raw(`activities.${BACKFILLS[backfill]}`)
  for (;;) {
    let done: number | undefined
    for (let attempt = 1; done === undefined; attempt++) {
      try {
        const result = await db.execute<{ done: number }>(
          sql`SELECT ${batch}(${BACKFILL_BATCH_ACTIVITIES}) AS done`,
        )
        done = Number(result.rows[0]?.done ?? 0)
      } catch (error) {
        if (attempt >= BACKFILL_ATTEMPTS) throw error
      }
    }
    if (done === 0) return total
    total += done
    onBatch(total)
  }
}

export async function migrateDatabase(databaseUrl: string, endpoint?: string): Promise<void> {
  const db = connectNeonHttp(databaseUrl, endpoint)
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
  await backfillFavoriteCounts(db, 'counts')
  await backfillFavoriteCounts(db, 'months')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) {
    console.error('DATABASE_URL is not set (see README: Settings)')
    process.exit(1)
  }
  const db = connectNeonHttp(databaseUrl, process.env.NEON_HTTP_ENDPOINT || undefined)
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
  console.log('migrations applied')
  const counted = await backfillFavoriteCounts(db, 'counts', (total) =>
    console.log(`favourite counts: ${total} activities`),
  )
  console.log(
    counted === 0
      ? 'favourite counts: already complete'
      : `favourite counts: ${counted} activities backfilled`,
  )
  const months = await backfillFavoriteCounts(db, 'months', (total) =>
    console.log(`month and year counts: ${total} activities`),
  )
  console.log(
    months === 0
      ? 'month and year counts: already complete'
      : `month and year counts: ${months} activities backfilled`,
  )
}
