/**
 * The database schema. Names (schemas, tables, constraints, indexes) are part of the contract shared with the
 * rest of the platform: do not rename them.
 */
import { desc, sql } from 'drizzle-orm'
import {
  bigint,
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
  (t) => [
    index('activities_company_id_idx').on(t.companyId),
    // The analytics table sorted by name reads its page in this order (its first rows only).
    index('activities_company_id_name_id_idx').on(t.companyId, t.name, t.id),
  ],
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
    /** When the app's tap that made this favourite happened (its `tappedAt`); NULL = at `createdAt`. */
    tappedAt: timestamp('tapped_at', { withTimezone: true }),
    /** The user's change that made it (see `userFavoriteSync`); 0 for favourites made before the changes feed. */
    changeVersion: bigint('change_version', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    unique('user_activity_favorites_user_activity_unique').on(t.userId, t.activityId),
    index('user_activity_favorites_user_id_created_at_idx').on(t.userId, desc(t.createdAt)),
    index('user_activity_favorites_activity_id_idx').on(t.activityId),
    // Covers the per-activity analytics aggregates (count, count in period, max) as index-only scans.
    index('user_activity_favorites_activity_id_created_at_idx').on(t.activityId, t.createdAt),
    // The changes feed: a user's favourites after a position, in change order.
    index('user_activity_favorites_user_id_change_version_idx').on(t.userId, t.changeVersion, t.activityId),
  ],
)

/*
 * Sync state for the mobile app: the last tap applied wins, and a device follows a changes feed. Written only by
 * `activities.apply_favorite_changes` (drizzle/0006_favorite_sync.sql), which every client write goes through.
 */

/**
 * Removal markers: the user un-favourited the activity (or tapped "remove" when it was not a favourite), at
 * `tappedAt`. They let an older add that arrives late be ignored, and the changes feed report removals. Kept at
 * least 30 days, then purged in bounded batches by the Worker's scheduled handler.
 */
export const userActivityFavoriteRemovals = activitiesSchema.table(
  'user_activity_favorite_removals',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    tappedAt: timestamp('tapped_at', { withTimezone: true }).notNull(),
    changeVersion: bigint('change_version', { mode: 'number' }).notNull(),
    removedAt: timestamp('removed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'user_activity_favorite_removals_pk', columns: [t.userId, t.activityId] }),
    index('user_activity_favorite_removals_user_id_change_version_idx').on(
      t.userId,
      t.changeVersion,
      t.activityId,
    ),
    // The purge reads the oldest markers first.
    index('user_activity_favorite_removals_removed_at_idx').on(t.removedAt),
  ],
)

/**
 * One row per user who changed a favourite through the API. Locking it serialises that user's changes, so each
 * sees the previous one and versions grow in commit order: a feed cursor (a version) never skips a change that
 * commits later. `purgedThrough` is the newest version whose removal marker was purged: an older cursor may have
 * missed it (410).
 */
export const userFavoriteSync = activitiesSchema.table('user_favorite_sync', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  lastVersion: bigint('last_version', { mode: 'number' }).notNull().default(0),
  purgedThrough: bigint('purged_through', { mode: 'number' }).notNull().default(0),
})

/*
 * Favourite counts kept ready: for the business dashboard (a company's table and chart read O(activities + days)
 * rows, never the favourites) and for the public `favoriteCount`. Derived data, never written by the API:
 * statement-level triggers on user_activity_favorites (INSERT, DELETE, UPDATE, which also covers ON DELETE CASCADE
 * from users and activities) keep them in step inside the statement that changes a favourite, so a write is still
 * one round trip. The trigger functions and the batched backfill are in drizzle/0004_favorite_counts.sql.
 *
 * Grains: a UTC day, and a quarter of an hour (`slot`, the start of the favourite's UTC quarter-hour). Every time
 * zone's offset is a whole number of quarter-hours, so an hour of any zone (Kathmandu's start at :15 UTC, India's
 * at :30) is a whole number of slots: a period is counted exactly as its whole UTC days plus the slots of its
 * partial edge days. One row per key, unsharded: see BENCHMARKS.md for the hot-activity write measurement.
 * Company ids are copied from activities (kept in step by a trigger on activities.company_id) so a company's rows
 * are one index range.
 */

/** Minutes per slot of the `*_slot_counts` tables. */
export const FAVORITE_SLOT_MINUTES = 15

/**
 * Per activity: the favourites that exist now, and the newest one's time. Every activity has its row (at zero from
 * its creation, since 0005), so the analytics table sorted by total reads its page from the company's index.
 */
export const activityFavoriteCounts = activitiesSchema.table(
  'activity_favorite_counts',
  {
    activityId: uuid('activity_id')
      .primaryKey()
      .references(() => activities.id, { onDelete: 'cascade' }),
    companyId: uuid('company_id').notNull(),
    favorites: integer('favorites').notNull(),
    lastFavoritedAt: timestamp('last_favorited_at', { withTimezone: true }),
  },
  // A company's rows in total order. `favorites` changes on every write, so no update of a row is HOT: the price
  // of the sorted read (measured in BENCHMARKS.md, writes section).
  (t) => [
    index('activity_favorite_counts_company_id_favorites_idx').on(t.companyId, t.favorites, t.activityId),
    // The table sorted by last favourited reads its page in this order (never-favourited as the oldest).
    index('activity_favorite_counts_company_id_last_favorited_idx').on(
      t.companyId,
      sql`coalesce(${t.lastFavoritedAt}, '-infinity'::timestamptz)`,
    ),
  ],
)

/** Per activity and UTC day: favourites added that day that still exist. */
export const activityFavoriteDayCounts = activitiesSchema.table(
  'activity_favorite_day_counts',
  {
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    companyId: uuid('company_id').notNull(),
    favorites: integer('favorites').notNull(),
  },
  (t) => [
    primaryKey({ name: 'activity_favorite_day_counts_pk', columns: [t.activityId, t.day] }),
    // INCLUDE (activity_id, favorites) in the database (drizzle/0007; drizzle-kit cannot write it): a company's rows
    // of a period are an index-only scan.
    index('activity_favorite_day_counts_company_id_day_idx').on(t.companyId, t.day),
  ],
)

/**
 * Per activity and UTC month (`month`: its first day): favourites added that month that still exist. A long
 * period's whole months (and years) are read here, a row per activity and month instead of one per day (0008).
 */
export const activityFavoriteMonthCounts = activitiesSchema.table(
  'activity_favorite_month_counts',
  {
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    month: date('month').notNull(),
    companyId: uuid('company_id').notNull(),
    favorites: integer('favorites').notNull(),
  },
  (t) => [
    primaryKey({ name: 'activity_favorite_month_counts_pk', columns: [t.activityId, t.month] }),
    // INCLUDE (activity_id, favorites), as the day rows' index.
    index('activity_favorite_month_counts_company_id_month_idx').on(t.companyId, t.month),
  ],
)

/** Per activity and UTC year (`year`: its first day), as the month rows (0008). */
export const activityFavoriteYearCounts = activitiesSchema.table(
  'activity_favorite_year_counts',
  {
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    year: date('year').notNull(),
    companyId: uuid('company_id').notNull(),
    favorites: integer('favorites').notNull(),
  },
  (t) => [
    primaryKey({ name: 'activity_favorite_year_counts_pk', columns: [t.activityId, t.year] }),
    // INCLUDE (activity_id, favorites), as the day rows' index.
    index('activity_favorite_year_counts_company_id_year_idx').on(t.companyId, t.year),
  ],
)

/** Per activity and UTC quarter-hour: favourites added then that still exist. */
export const activityFavoriteSlotCounts = activitiesSchema.table(
  'activity_favorite_slot_counts',
  {
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    slot: timestamp('slot', { withTimezone: true }).notNull(),
    companyId: uuid('company_id').notNull(),
    favorites: integer('favorites').notNull(),
  },
  (t) => [
    primaryKey({ name: 'activity_favorite_slot_counts_pk', columns: [t.activityId, t.slot] }),
    // INCLUDE (activity_id, favorites), as the day rows' index.
    index('activity_favorite_slot_counts_company_id_slot_idx').on(t.companyId, t.slot),
  ],
)

/** Per company and UTC day: favourites added that day to any of its activities that still exist. */
export const companyFavoriteDayCounts = activitiesSchema.table(
  'company_favorite_day_counts',
  {
    companyId: uuid('company_id').notNull(),
    day: date('day').notNull(),
    favorites: integer('favorites').notNull(),
  },
  (t) => [primaryKey({ name: 'company_favorite_day_counts_pk', columns: [t.companyId, t.day] })],
)

/** Per company and UTC quarter-hour. */
export const companyFavoriteSlotCounts = activitiesSchema.table(
  'company_favorite_slot_counts',
  {
    companyId: uuid('company_id').notNull(),
    slot: timestamp('slot', { withTimezone: true }).notNull(),
    favorites: integer('favorites').notNull(),
  },
  (t) => [primaryKey({ name: 'company_favorite_slot_counts_pk', columns: [t.companyId, t.slot] })],
)

/**
 * Progress of the backfills of the counts from existing favourites, one row each: 1, every count from the
 * favourites (0004); 2, the month and year counts from the day counts (0008). Activities are backfilled in id order, a
 * bounded batch per transaction; the triggers count a favourite in a backfill's tables only once its activity is
 * backfilled (`activity_id <= done_through`), and everything once `completed_at` is set.
 */
export const favoriteCountsBackfill = activitiesSchema.table('favorite_counts_backfill', {
  id: smallint('id').primaryKey().default(1),
  doneThrough: uuid('done_through'),
  completedAt: timestamp('completed_at', { withTimezone: true }),
})

export type Activity = typeof activities.$inferSelect
export type Favorite = typeof userActivityFavorites.$inferSelect
export type ActivityTypeValue = (typeof ACTIVITY_TYPES)[number]
