/**
 * The database schema. Names (schemas, tables, constraints, indexes) are part of the contract shared with the
 * rest of the platform: do not rename them.
 */
import { desc } from 'drizzle-orm'
import {
  date,
  index,
  integer,
  pgSchema,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core'

export const usersSchema = pgSchema('users')
export const activitiesSchema = pgSchema('activities')

export const ACTIVITY_TYPES = ['SLOT_BASED', 'SERVICE'] as const
export const activityType = activitiesSchema.enum('activity_type', ACTIVITY_TYPES)

/** Platform-wide users. Owned by another service; created here so the project runs on its own. */
export const users = usersSchema.table('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

export const activities = activitiesSchema.table(
  'activities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: uuid('company_id').notNull(),
    name: text('name').notNull(),
    type: activityType('type').notNull(),
    imageUrl: text('image_url'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('activities_company_id_idx').on(t.companyId)],
)

export const userActivityFavorites = activitiesSchema.table(
  'user_activity_favorites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('user_activity_favorites_user_activity_unique').on(t.userId, t.activityId),
    index('user_activity_favorites_user_id_created_at_idx').on(t.userId, desc(t.createdAt)),
    index('user_activity_favorites_activity_id_idx').on(t.activityId),
    // Covers the per-activity analytics aggregates (count, count in period, max) as index-only scans.
    index('user_activity_favorites_activity_id_created_at_idx').on(t.activityId, t.createdAt),
  ],
)

/*
 * Analytics rollups: favourite counts kept ready for the business dashboard, so a company's table and chart read
 * O(activities + days) rows instead of every favourite. Derived data, never written by the API: statement-level
 * triggers on user_activity_favorites (INSERT, DELETE, UPDATE, which also covers ON DELETE CASCADE from users and
 * activities) keep them in step inside the statement that changes a favourite, so a write is still one round
 * trip. The triggers, and the backfill of existing favourites, are in drizzle/0002_analytics_rollups.sql; the
 * functions they run now, each rollup statement written once, in drizzle/0003_rollup_shared_functions.sql.
 *
 * Each counter is split over FAVORITE_ROLLUP_SHARDS rows by a byte of the favourite's id (the database's count is
 * activities.favorite_rollup_shards(); test/db/rollup-shards.test.ts keeps the two equal), so concurrent writes to
 * one very popular activity (or one busy company-day) spread over several row locks instead of queueing on one;
 * readers sum the shards. Company ids are copied from activities (kept in step by a trigger on
 * activities.company_id) so a company's rows are one index range.
 */
export const FAVORITE_ROLLUP_SHARDS = 4

/** Per activity: all favourites that exist now, and the newest one's time (per shard; readers take the max). */
export const activityFavoriteTotals = activitiesSchema.table(
  'activity_favorite_totals',
  {
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    shard: smallint('shard').notNull(),
    companyId: uuid('company_id').notNull(),
    favorites: integer('favorites').notNull(),
    lastFavoritedAt: timestamp('last_favorited_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'activity_favorite_totals_pk', columns: [t.activityId, t.shard] }),
    index('activity_favorite_totals_company_id_idx').on(t.companyId),
  ],
)

/** Per activity and UTC day: favourites added that day that still exist. */
export const activityFavoriteDays = activitiesSchema.table(
  'activity_favorite_days',
  {
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    shard: smallint('shard').notNull(),
    companyId: uuid('company_id').notNull(),
    favorites: integer('favorites').notNull(),
  },
  (t) => [
    primaryKey({ name: 'activity_favorite_days_pk', columns: [t.activityId, t.day, t.shard] }),
    index('activity_favorite_days_company_id_day_idx').on(t.companyId, t.day),
  ],
)

/** Per company and UTC day: favourites added that day to any of its activities that still exist. */
export const companyFavoriteDays = activitiesSchema.table(
  'company_favorite_days',
  {
    companyId: uuid('company_id').notNull(),
    day: date('day').notNull(),
    shard: smallint('shard').notNull(),
    favorites: integer('favorites').notNull(),
  },
  (t) => [primaryKey({ name: 'company_favorite_days_pk', columns: [t.companyId, t.day, t.shard] })],
)

export type Activity = typeof activities.$inferSelect
export type Favorite = typeof userActivityFavorites.$inferSelect
export type ActivityTypeValue = (typeof ACTIVITY_TYPES)[number]
