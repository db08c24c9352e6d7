/**
 * The database schema. Names (schemas, tables, constraints, indexes) are part of the contract shared with the
 * rest of the platform: do not rename them.
 */
import { desc } from 'drizzle-orm'
import { index, pgSchema, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'

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

export type Activity = typeof activities.$inferSelect
export type Favorite = typeof userActivityFavorites.$inferSelect
export type ActivityTypeValue = (typeof ACTIVITY_TYPES)[number]
