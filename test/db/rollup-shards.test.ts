/**
 * The rollup shard count is defined once in SQL (`activities.favorite_rollup_shards()`, migration 0003) and once in
 * TypeScript (`FAVORITE_ROLLUP_SHARDS`): the two must agree, and the SQL side must use its one definition.
 */
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { FAVORITE_ROLLUP_SHARDS } from '../../src/db/schema'
import { createActivity, createFavorite, createUser, testDb } from '../support/database'

const rows = async <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  (await testDb.execute<T>(query)).rows

describe('rollup shards', () => {
  it('has the same shard count in the database as FAVORITE_ROLLUP_SHARDS', async () => {
    const [row] = await rows<{ shards: number }>(sql`SELECT activities.favorite_rollup_shards() AS shards`)
    expect(row?.shards).toBe(FAVORITE_ROLLUP_SHARDS)
  })

  it('declares the shard count IMMUTABLE, so the planner folds it into a constant', async () => {
    const [row] = await rows<{ volatility: string }>(sql`
      SELECT provolatile AS volatility FROM pg_proc
      WHERE oid = 'activities.favorite_rollup_shards()'::regprocedure`)
    expect(row?.volatility).toBe('i')
  })

  it("shards a favourite by its id's last byte modulo FAVORITE_ROLLUP_SHARDS", async () => {
    const shards = await rows<{ last_byte: number; shard: number }>(sql`
      SELECT b AS last_byte,
             activities.favorite_rollup_shard(('00000000-0000-4000-8000-0000000000' || lpad(to_hex(b), 2, '0'))::uuid)
               AS shard
      FROM generate_series(0, 255) b ORDER BY b`)
    expect(shards).toHaveLength(256)
    for (const { last_byte, shard } of shards) expect(shard).toBe(last_byte % FAVORITE_ROLLUP_SHARDS)
  })

  it('has no function in the activities schema with a shard count of its own (a literal modulo)', async () => {
    const literal = await rows<{ name: string }>(sql`
      SELECT proname AS name FROM pg_proc
      WHERE pronamespace = 'activities'::regnamespace AND prosrc ~ '%\s*[0-9]' ORDER BY proname`)
    expect(literal).toEqual([])
  })

  it('keeps every rollup row in a shard below the shard count', async () => {
    const activity = await createActivity()
    for (let n = 0; n < 8; n++) await createFavorite(await createUser(), activity.id)
    const [row] = await rows<{ outside: number }>(sql`
      SELECT ((SELECT count(*) FROM activities.activity_favorite_totals
               WHERE shard NOT BETWEEN 0 AND activities.favorite_rollup_shards() - 1)
            + (SELECT count(*) FROM activities.activity_favorite_days
               WHERE shard NOT BETWEEN 0 AND activities.favorite_rollup_shards() - 1)
            + (SELECT count(*) FROM activities.company_favorite_days
               WHERE shard NOT BETWEEN 0 AND activities.favorite_rollup_shards() - 1))::int AS outside`)
    expect(row?.outside).toBe(0)
  })
})
