/**
 * Migration 0004's backfill (the favourite counts rebuilt from the favourites) and 0008's (the month and year counts
 * summed from the day counts), a bounded batch of activities per transaction while writes go on, equal a recount; a second run does nothing; and the views under the old rollups'
 * names answer what the previous Worker reads.
 */
import { type SQL, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { postgresErrorOf } from '../../src/db/errors'
import {
  createActivity,
  createFavorite,
  createUser,
  newCompanyId,
  onPostgres,
  testDb,
} from '../support/database'

const COUNT_TABLES = [
  'activity_favorite_counts',
  'activity_favorite_month_counts',
  'activity_favorite_year_counts',
  'activity_favorite_day_counts',
  'activity_favorite_slot_counts',
  'company_favorite_day_counts',
  'company_favorite_slot_counts',
]

const slot = sql`date_bin('15 minutes', f.created_at, timestamptz '2000-01-01 00:00:00+00')`
const day = sql`(f.created_at AT TIME ZONE 'UTC')::date`
const month = sql`date_trunc('month', f.created_at AT TIME ZONE 'UTC')::date`
const year = sql`date_trunc('year', f.created_at AT TIME ZONE 'UTC')::date`

/**
 * Rows in one side only, between a recount of every favourite and a count table (rows at zero left out); of one
 * company's rows only, when `companyId` is given.
 */
async function mismatches(companyId?: string): Promise<number> {
  const ofCompany = (column: string) =>
    companyId === undefined ? sql`TRUE` : sql`${sql.raw(column)} = ${companyId}`
  const recount = (keys: SQL, groupBy: string) => sql`SELECT ${keys}, count(*)::int
    FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
    WHERE ${ofCompany('a.company_id')} GROUP BY ${sql.raw(groupBy)}`
  const kept = (columns: string, table: string) =>
    sql`SELECT ${sql.raw(columns)} FROM activities.${sql.raw(table)} WHERE favorites <> 0 AND ${ofCompany('company_id')}`
  const pairs: [SQL, SQL][] = [
    [
      sql`SELECT f.activity_id, a.company_id, count(*)::int, max(f.created_at)
          FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
          WHERE ${ofCompany('a.company_id')} GROUP BY 1, 2`,
      kept('activity_id, company_id, favorites, last_favorited_at', 'activity_favorite_counts'),
    ],
    [
      recount(sql`f.activity_id, a.company_id, ${month}`, '1, 2, 3'),
      kept('activity_id, company_id, month, favorites', 'activity_favorite_month_counts'),
    ],
    [
      recount(sql`f.activity_id, a.company_id, ${year}`, '1, 2, 3'),
      kept('activity_id, company_id, year, favorites', 'activity_favorite_year_counts'),
    ],
    [
      recount(sql`f.activity_id, a.company_id, ${day}`, '1, 2, 3'),
      kept('activity_id, company_id, day, favorites', 'activity_favorite_day_counts'),
    ],
    [
      recount(sql`f.activity_id, a.company_id, ${slot}`, '1, 2, 3'),
      kept('activity_id, company_id, slot, favorites', 'activity_favorite_slot_counts'),
    ],
    [
      recount(sql`a.company_id, ${day}`, '1, 2'),
      kept('company_id, day, favorites', 'company_favorite_day_counts'),
    ],
    [
      recount(sql`a.company_id, ${slot}`, '1, 2'),
      kept('company_id, slot, favorites', 'company_favorite_slot_counts'),
    ],
  ]
  let total = 0
  for (const [expected, kept] of pairs) {
    const [row] = (
      await testDb.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM (
        (${expected} EXCEPT ${kept}) UNION ALL (${kept} EXCEPT ${expected})) d`)
    ).rows
    total += row?.n ?? -1
  }
  return total
}

const backfillBatch = async (size: number, backfill = sql`activities.favorite_counts_backfill_batch`) =>
  Number((await testDb.execute<{ done: number }>(sql`SELECT ${backfill}(${size}) AS done`)).rows[0]?.done)

const monthsBatch = (size: number) =>
  backfillBatch(size, sql`activities.favorite_month_year_counts_backfill_batch`)

/** As right after the migrations: nothing counted, neither backfill started. */
async function resetCounts(): Promise<void> {
  await testDb.execute(sql.raw(`TRUNCATE ${COUNT_TABLES.map((table) => `activities.${table}`).join(', ')}`))
  await testDb.execute(
    sql`UPDATE activities.favorite_counts_backfill SET done_through = NULL, completed_at = NULL`,
  )
}

const isDeadlock = (error: unknown) => postgresErrorOf(error)?.code === '40P01'

/**
 * A write that PostgreSQL aborts as a deadlock victim (a batch and the triggers can, rarely, wait on each other's new
 * count rows) is undone entirely, so it must count nothing: the API answers it 503 with Retry-After. Anything else
 * fails the test.
 */
const abortedOnDeadlock = <T>(write: Promise<T>) =>
  write.catch((error: unknown) => {
    if (!isDeadlock(error)) throw error
  })

/** A backfill batch aborted as a deadlock victim is simply run again, as `npm run db:migrate` does. */
async function retriedOnDeadlock(batch: () => Promise<number>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await batch()
    } catch (error) {
      if (!isDeadlock(error) || attempt >= 5) throw error
    }
  }
}

async function someFavorites(): Promise<{ companyId: string; activities: string[]; users: string[] }> {
  const companyId = newCompanyId()
  const activities = [
    (await createActivity({ companyId })).id,
    (await createActivity({ companyId })).id,
    (await createActivity({ companyId })).id,
  ]
  const users = [await createUser(), await createUser(), await createUser()]
  for (const [n, user] of users.entries()) {
    for (const [m, activity] of activities.entries()) {
      if ((n + m) % 2 === 0)
        await createFavorite(user, activity, new Date(Date.UTC(2026, 2, 1 + n, 10, 14 + m)))
    }
  }
  return { companyId, activities, users }
}

describe('favourite counts backfills (migrations 0004 and 0008)', () => {
  it('are complete after migrating, and a second run does nothing', async () => {
    // This company's counts only: the rest of the database is other tests' concurrent writes.
    const { companyId } = await someFavorites()
    const progress = (
      await testDb.execute<{ id: number; completed: boolean }>(
        sql`SELECT id, completed_at IS NOT NULL AS completed FROM activities.favorite_counts_backfill ORDER BY id`,
      )
    ).rows
    expect(progress).toEqual([
      { id: 1, completed: true },
      { id: 2, completed: true },
    ])
    expect(await backfillBatch(1000)).toBe(0)
    expect(await monthsBatch(1000)).toBe(0)
    expect(await mismatches(companyId)).toBe(0)
  })

  it('rebuild every count from the favourites in bounded batches while favourites change', async () => {
    const { activities, users } = await someFavorites()
    await resetCounts()
    // The month and year counts are summed from the day counts: not before those are complete.
    const early = await monthsBatch(10).catch((error: unknown) => error)
    expect(String((early as { cause?: unknown }).cause ?? early)).toMatch(/must complete first/)
    const writes = async (round: number) => {
      const user = users[round % users.length] as string
      const activity = activities[round % activities.length] as string
      await testDb.execute(sql`DELETE FROM activities.user_activity_favorites
        WHERE user_id = ${user} AND activity_id = ${activity}`)
      await createFavorite(user, activities[(round + 1) % activities.length] as string).catch(() => undefined)
    }
    let batches = 0
    let round = 0
    for (const batch of [() => backfillBatch(250), () => monthsBatch(250)]) {
      for (let done = -1; done !== 0; round++) {
        // On PostgreSQL the writes run while the batch holds its locks; PGlite runs one statement at a time.
        const [counted] = await Promise.all([batch(), writes(round)])
        done = counted
        batches++
      }
    }
    expect(batches).toBeGreaterThan(2)
    expect(await mismatches()).toBe(0)
    // Writes after completion are counted by the triggers alone.
    await writes(99)
    expect(await mismatches()).toBe(0)
  }, 60_000)

  it('backfill the month and year counts of a database counted before 0008, while favourites change', async () => {
    const { activities, users } = await someFavorites()
    await testDb.execute(
      sql`TRUNCATE activities.activity_favorite_month_counts, activities.activity_favorite_year_counts`,
    )
    await testDb.execute(sql`UPDATE activities.favorite_counts_backfill SET done_through = NULL, completed_at = NULL
      WHERE id = 2`)
    let batches = 0
    for (let done = -1, round = 0; done !== 0; round++) {
      const user = users[round % users.length] as string
      const [counted] = await Promise.all([
        monthsBatch(400),
        createFavorite(user, activities[round % activities.length] as string).catch(() => undefined),
      ])
      done = counted
      batches++
    }
    expect(batches).toBeGreaterThan(1)
    expect(await mismatches()).toBe(0)
  }, 60_000)

  it.runIf(onPostgres)(
    'count writes that wait on a batch exactly once (PostgreSQL: real concurrency)',
    async () => {
      const { activities, users } = await someFavorites()
      await resetCounts()
      try {
        let round = 0
        for (const batch of [() => backfillBatch(100), () => monthsBatch(100)]) {
          for (let done = -1; done !== 0; round++) {
            const extra = await createUser()
            const results = await Promise.all([
              retriedOnDeadlock(batch),
              ...activities.map((activity) => abortedOnDeadlock(createFavorite(extra, activity))),
              abortedOnDeadlock(
                testDb.execute(sql`DELETE FROM activities.user_activity_favorites
                WHERE user_id = ${users[round % users.length] as string}`),
              ),
            ])
            done = results[0]
          }
        }
      } finally {
        // Whatever happened, later tests (of any file) find both backfills complete.
        while ((await backfillBatch(1000)) > 0);
        while ((await monthsBatch(1000)) > 0);
      }
      expect(await mismatches()).toBe(0)
    },
    60_000,
  )

  it('gives every new activity its counts row at zero, in the statement that creates it (0005)', async () => {
    const companyId = newCompanyId()
    const created = await testDb.execute<{ id: string }>(sql`
      INSERT INTO activities.activities (company_id, name, type)
      SELECT ${companyId}, 'Bulk ' || n, 'SERVICE' FROM generate_series(1, 3) n RETURNING id`)
    const rows = await testDb.execute<{ favorites: number; company_id: string; last: string | null }>(sql`
      SELECT favorites, company_id, last_favorited_at AS last FROM activities.activity_favorite_counts
      WHERE activity_id IN (${sql.join(
        created.rows.map((row) => sql`${row.id}::uuid`),
        sql`, `,
      )})`)
    expect(rows.rows).toEqual([
      { favorites: 0, company_id: companyId, last: null },
      { favorites: 0, company_id: companyId, last: null },
      { favorites: 0, company_id: companyId, last: null },
    ])
  })

  it("keeps the previous version's rollup names as views of the new counts", async () => {
    const { activities } = await someFavorites()
    const activity = activities[0] as string
    const [row] = (
      await testDb.execute<{ old: number; now: number; days: number }>(sql`
        SELECT (SELECT sum(favorites)::int FROM activities.activity_favorite_totals WHERE activity_id = ${activity}) AS old,
               (SELECT favorites FROM activities.activity_favorite_counts WHERE activity_id = ${activity}) AS now,
               (SELECT sum(favorites)::int FROM activities.activity_favorite_days WHERE activity_id = ${activity}) AS days`)
    ).rows
    expect(row?.old).toBe(2)
    expect(row?.now).toBe(2)
    expect(row?.days).toBe(2)
  })
})
