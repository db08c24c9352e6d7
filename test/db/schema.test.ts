/** The migrated schema, read back from pg_catalog: names and shapes other services rely on. */
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createActivity, createFavorite, createUser, testDb } from '../support/database'

const rows = async <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  (await testDb.execute<T>(query)).rows

describe('schema', () => {
  it('has the activity_type enum with exactly SLOT_BASED and SERVICE', async () => {
    const values = await rows<{ value: string }>(sql`
      SELECT e.enumlabel AS value FROM pg_enum e
      JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'activities' AND t.typname = 'activity_type' ORDER BY e.enumsortorder`)
    expect(values.map((v) => v.value)).toEqual(['SLOT_BASED', 'SERVICE'])
  })

  it("has the seed's user_activity_favorites columns first, in order, then the two sync columns", async () => {
    const columns = await rows<{
      name: string
      type: string
      not_null: boolean
      default_value: string | null
    }>(sql`
      SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
             pg_get_expr(d.adbin, d.adrelid) AS default_value
      FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = 'activities.user_activity_favorites'::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`)
    expect(columns).toEqual([
      { name: 'id', type: 'uuid', not_null: true, default_value: 'gen_random_uuid()' },
      { name: 'user_id', type: 'uuid', not_null: true, default_value: null },
      { name: 'activity_id', type: 'uuid', not_null: true, default_value: null },
      { name: 'created_at', type: 'timestamp with time zone', not_null: true, default_value: 'now()' },
      // Added by 0006 (last tap wins, the changes feed): nullable or with a constant default, so adding them
      // rewrote nothing.
      { name: 'tapped_at', type: 'timestamp with time zone', not_null: false, default_value: null },
      { name: 'change_version', type: 'bigint', not_null: true, default_value: '0' },
    ])
  })

  it('has activities.activities with company_id and its index', async () => {
    const columns = await rows<{ name: string; type: string; not_null: boolean }>(sql`
      SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
      FROM pg_attribute a
      WHERE a.attrelid = 'activities.activities'::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`)
    expect(columns).toEqual([
      { name: 'id', type: 'uuid', not_null: true },
      { name: 'company_id', type: 'uuid', not_null: true },
      { name: 'name', type: 'text', not_null: true },
      { name: 'type', type: 'activities.activity_type', not_null: true },
      { name: 'image_url', type: 'text', not_null: false },
      { name: 'created_at', type: 'timestamp with time zone', not_null: true },
    ])
    const [index] = await rows<{ definition: string }>(sql`
      SELECT pg_get_indexdef('activities.activities_company_id_idx'::regclass) AS definition`)
    expect(index?.definition).toContain('(company_id)')
  })

  it('has the named unique constraint and indexes, with created_at DESC', async () => {
    const [unique] = await rows<{ definition: string }>(sql`
      SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conname = 'user_activity_favorites_user_activity_unique'
        AND conrelid = 'activities.user_activity_favorites'::regclass AND contype = 'u'`)
    expect(unique?.definition).toBe('UNIQUE (user_id, activity_id)')

    const indexes = await rows<{ name: string; definition: string }>(sql`
      SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = 'activities' AND tablename = 'user_activity_favorites' ORDER BY indexname`)
    const byName = Object.fromEntries(indexes.map((i) => [i.name, i.definition]))
    expect(byName.user_activity_favorites_user_id_created_at_idx).toMatch(/\(user_id, created_at DESC\)$/)
    expect(byName.user_activity_favorites_activity_id_idx).toMatch(/\(activity_id\)$/)
  })

  it('keeps a company’s counts of a period in covering indexes, and its activities in newest-favourite order', async () => {
    const indexes = await rows<{ name: string; definition: string }>(sql`
      SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = 'activities' AND tablename LIKE 'activity_favorite_%counts'`)
    const byName = Object.fromEntries(indexes.map((i) => [i.name, i.definition]))
    for (const [table, grain] of [
      ['year', 'year'],
      ['month', 'month'],
      ['day', 'day'],
      ['slot', 'slot'],
    ]) {
      expect(byName[`activity_favorite_${table}_counts_company_id_${grain}_idx`]).toMatch(
        new RegExp(`\\(company_id, ${grain}\\) INCLUDE \\(activity_id, favorites\\)$`),
      )
    }
    expect(byName.activity_favorite_counts_company_id_last_favorited_idx).toMatch(
      /\(company_id, COALESCE\(last_favorited_at, '-infinity'::timestamp with time zone\)\)$/,
    )
  })

  it('has both foreign keys ON DELETE CASCADE', async () => {
    const keys = await rows<{ definition: string }>(sql`
      SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conrelid = 'activities.user_activity_favorites'::regclass AND contype = 'f' ORDER BY conname`)
    expect(keys.map((k) => k.definition).sort()).toEqual([
      'FOREIGN KEY (activity_id) REFERENCES activities.activities(id) ON DELETE CASCADE',
      'FOREIGN KEY (user_id) REFERENCES users.users(id) ON DELETE CASCADE',
    ])
  })
})

describe('integrity', () => {
  it('refuses a duplicate favourite by user_activity_favorites_user_activity_unique', async () => {
    const userId = await createUser()
    const activity = await createActivity()
    await createFavorite(userId, activity.id)
    const error = await createFavorite(userId, activity.id).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    const cause = (error as { cause?: { code?: string; constraint?: string } }).cause
    expect(cause?.code).toBe('23505')
    expect(cause?.constraint).toBe('user_activity_favorites_user_activity_unique')
  })

  it('removes favourites when their user is deleted', async () => {
    const userId = await createUser()
    const kept = await createUser()
    const activity = await createActivity()
    await createFavorite(userId, activity.id)
    await createFavorite(kept, activity.id)
    await testDb.execute(sql`DELETE FROM users.users WHERE id = ${userId}`)
    const left = await rows<{ user_id: string }>(
      sql`SELECT user_id FROM activities.user_activity_favorites WHERE activity_id = ${activity.id}`,
    )
    expect(left).toEqual([{ user_id: kept }])
  })

  it('removes favourites when their activity is deleted', async () => {
    const userId = await createUser()
    const removed = await createActivity()
    const kept = await createActivity()
    await createFavorite(userId, removed.id)
    await createFavorite(userId, kept.id)
    await testDb.execute(sql`DELETE FROM activities.activities WHERE id = ${removed.id}`)
    const left = await rows<{ activity_id: string }>(
      sql`SELECT activity_id FROM activities.user_activity_favorites WHERE user_id = ${userId}`,
    )
    expect(left).toEqual([{ activity_id: kept.id }])
  })

  it('refuses a favourite that points at a missing user or activity', async () => {
    const activity = await createActivity()
    const userId = await createUser()
    const missingUser = await createFavorite(crypto.randomUUID(), activity.id).catch((e: unknown) => e)
    expect((missingUser as { cause?: { code?: string } }).cause?.code).toBe('23503')
    const missingActivity = await createFavorite(userId, crypto.randomUUID()).catch((e: unknown) => e)
    expect((missingActivity as { cause?: { code?: string } }).cause?.code).toBe('23503')
  })
})
