/// <reference types="vite/client" />
/**
 * Migration 0003 (the shared rollup functions) can be applied again over itself: every statement is CREATE OR
 * REPLACE, the definitions come out the same, and the triggers keep counting.
 */
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import migration from '../../drizzle/0003_rollup_shared_functions.sql?raw'
import { createActivity, createFavorite, createUser, testDb } from '../support/database'

const definitions = async () =>
  (
    await testDb.execute<{ name: string; definition: string }>(sql`
      SELECT p.oid::regprocedure::text AS name, pg_get_functiondef(p.oid) AS definition FROM pg_proc p
      WHERE p.pronamespace = 'activities'::regnamespace ORDER BY 1`)
  ).rows

const triggers = async () =>
  (
    await testDb.execute<{ name: string; definition: string }>(sql`
      SELECT tgname AS name, pg_get_triggerdef(oid) AS definition FROM pg_trigger
      WHERE NOT tgisinternal AND tgrelid IN ('activities.user_activity_favorites'::regclass,
                                             'activities.activities'::regclass)
      ORDER BY tgname`)
  ).rows

async function totalOf(activityId: string): Promise<number> {
  const [row] = (
    await testDb.execute<{ favorites: number }>(sql`
      SELECT coalesce(sum(favorites), 0)::int AS favorites FROM activities.activity_favorite_totals
      WHERE activity_id = ${activityId}`)
  ).rows
  return row?.favorites ?? -1
}

describe('migration 0003', () => {
  it('re-applies over itself without changing a definition, and the rollups keep counting', async () => {
    const statements = migration
      .split('--> statement-breakpoint')
      .map((statement) => statement.trim())
      .filter((statement) => statement.length > 0)
    expect(statements.length).toBeGreaterThan(5)

    const activity = await createActivity()
    const before = { functions: await definitions(), triggers: await triggers() }
    await createFavorite(await createUser(), activity.id)
    expect(await totalOf(activity.id)).toBe(1)

    for (const statement of statements) await testDb.execute(sql.raw(statement))

    expect(await definitions()).toEqual(before.functions)
    expect(await triggers()).toEqual(before.triggers)
    // The same five triggers as 0002 created, calling the same functions.
    expect(before.triggers.map((t) => t.name)).toEqual([
      'activities_rollups_company_change',
      'activities_rollups_delete',
      'user_activity_favorites_rollups_delete',
      'user_activity_favorites_rollups_insert',
      'user_activity_favorites_rollups_update',
    ])
    await createFavorite(await createUser(), activity.id)
    expect(await totalOf(activity.id)).toBe(2)
    await testDb.execute(
      sql`DELETE FROM activities.user_activity_favorites WHERE activity_id = ${activity.id}`,
    )
    expect(await totalOf(activity.id)).toBe(0)
  })
})
