/**
 * Demo data for local development: 3 companies, 12 activities (both types), 5 users and 34 favourites spread
 * over the 60 days before the first seeding. Every row has a fixed id (below), and every insert is
 * `ON CONFLICT DO NOTHING`, so seeding again adds nothing and never duplicates; rows you deleted come back.
 *
 * Fixed ids (valid version-4 UUIDs, readable by prefix):
 * - users      e0000000-0000-4000-8000-00000000000N  (N = 1..5; the first is "the demo user")
 * - companies  c0000000-0000-4000-8000-00000000000N  (N = 1..3; companies have no table, only activities.company_id)
 * - activities a0000000-0000-4000-8000-0000000000NN  (NN = 01..12)
 * - favourites f0000000-0000-4000-8000-000000000NNN
 *
 * Run alone: `npm run seed` (tsx tools/dev/seed.ts) with DATABASE_URL (a Neon database) or NEON_HTTP_ENDPOINT
 * (the local server's "SQL endpoint" that `npm run dev` prints), from the environment or .dev.vars.
 */
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { type ActivityTypeValue, activities, userActivityFavorites, users } from '../../src/db/schema'
import { connectNeonHttp, LOCAL_DATABASE_URL, type NodeDb } from '../db/connect'
import { loadSettings } from './settings'

const id = (prefix: string, n: number) => `${prefix}0000000-0000-4000-8000-${String(n).padStart(12, '0')}`

export interface DemoCompany {
  id: string
  name: string
}
export interface DemoActivity {
  id: string
  companyId: string
  name: string
  type: ActivityTypeValue
  imageUrl: string
}
export interface DemoFavorite {
  id: string
  userId: string
  activityId: string
  /** How long before the seeding time the favourite was added. */
  minutesAgo: number
}

const companies: DemoCompany[] = [
  { id: id('c', 1), name: 'Northwind Outdoors' },
  { id: id('c', 2), name: 'Harbor Wellness' },
  { id: id('c', 3), name: 'City Makers Studio' },
]

const activityRows: [company: number, name: string, type: ActivityTypeValue, slug: string][] = [
  [0, 'Sea Kayaking Tour', 'SLOT_BASED', 'sea-kayaking'],
  [0, 'Sunrise Ridge Hike', 'SLOT_BASED', 'sunrise-hike'],
  [0, 'Indoor Climbing Session', 'SLOT_BASED', 'climbing-wall'],
  [0, 'E-Bike Rental', 'SERVICE', 'e-bike-rental'],
  [1, 'Vinyasa Yoga Class', 'SLOT_BASED', 'yoga-class'],
  [1, 'Deep Tissue Massage', 'SERVICE', 'massage'],
  [1, 'Sauna Day Pass', 'SERVICE', 'sauna'],
  [1, 'Personal Training', 'SERVICE', 'personal-training'],
  [2, 'Pottery Wheel Workshop', 'SLOT_BASED', 'pottery'],
  [2, 'Fresh Pasta Cooking Class', 'SLOT_BASED', 'pasta-class'],
  [2, 'Street Photography Walk', 'SLOT_BASED', 'photo-walk'],
  [2, 'Bike Repair Service', 'SERVICE', 'bike-repair'],
]

const activityList: DemoActivity[] = activityRows.map(([company, name, type, slug], i) => ({
  id: id('a', i + 1),
  companyId: (companies[company] as DemoCompany).id,
  name,
  type,
  imageUrl: `https://picsum.photos/seed/${slug}/640/400`,
}))

const userIds = [1, 2, 3, 4, 5].map((n) => id('e', n))

/**
 * Which user favourited which activity, deterministically: a mix that gives the demo user several favourites of
 * both types, gives every company some counts, and leaves the last activity (Bike Repair Service) with none, so
 * the dashboard shows a zero row. Times fall within 60 days, no two alike.
 */
function demoFavorites(): DemoFavorite[] {
  const out: DemoFavorite[] = []
  userIds.forEach((userId, u) => {
    activityList.forEach((activity, a) => {
      if (a === 11) return
      if ((u * 5 + a * 3) % 7 >= 4 && !(u === 0 && a % 3 === 0)) return
      const days = (u * 17 + a * 11) % 60
      const minutes = (u * 331 + a * 97) % (24 * 60)
      out.push({
        id: id('f', out.length + 1),
        userId,
        activityId: activity.id,
        minutesAgo: days * 1440 + minutes + 5,
      })
    })
  })
  return out
}

const favorites = demoFavorites()

export const DEMO = {
  /** `users[0]` is the demo user the launcher mints a token for. */
  users: userIds,
  companies,
  activities: activityList,
  favorites,
} as const

export interface SeedResult {
  users: number
  activities: number
  favorites: number
}

/** Inserts what is missing of the demo data in one round trip (three set-based statements in one batch). */
export async function seedDemoData(db: NodeDb): Promise<SeedResult> {
  const [u, a, f] = await db.batch([
    db
      .insert(users)
      .values(DEMO.users.map((userId) => ({ id: userId })))
      .onConflictDoNothing()
      .returning({ id: users.id }),
    db
      .insert(activities)
      .values(
        DEMO.activities.map(({ id, companyId, name, type, imageUrl }) => ({
          id,
          companyId,
          name,
          type,
          imageUrl,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: activities.id }),
    // No conflict target: skips a row whose id exists *or* whose (user, activity) pair is already favourited.
    db
      .insert(userActivityFavorites)
      .values(
        DEMO.favorites.map((fav) => ({
          id: fav.id,
          userId: fav.userId,
          activityId: fav.activityId,
          createdAt: sql`now() - ${fav.minutesAgo}::int * interval '1 minute'`,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: userActivityFavorites.id }),
  ])
  return { users: u.length, activities: a.length, favorites: f.length }
}

export function describeSeed(result: SeedResult): string {
  const total = DEMO.users.length + DEMO.activities.length + DEMO.favorites.length
  const added = result.users + result.activities + result.favorites
  return added === 0
    ? `demo data already present (${total} rows checked)`
    : `demo data added: ${result.users} users, ${result.activities} activities, ${result.favorites} favourites`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const settings = loadSettings()
  const endpoint = settings.get('NEON_HTTP_ENDPOINT')
  // The local server ignores the connection string, so with an endpoint the placeholder will do.
  const databaseUrl = settings.get('DATABASE_URL') ?? (endpoint ? LOCAL_DATABASE_URL : undefined)
  if (!databaseUrl) {
    console.error(
      'Set DATABASE_URL (a Neon database) or NEON_HTTP_ENDPOINT (the "SQL endpoint" `npm run dev` prints), e.g.\n' +
        '  NEON_HTTP_ENDPOINT=http://127.0.0.1:<port>/sql npm run seed',
    )
    process.exit(1)
  }
  try {
    console.log(describeSeed(await seedDemoData(connectNeonHttp(databaseUrl, endpoint))))
  } catch (error) {
    console.error(`seeding failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}
