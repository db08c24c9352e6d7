/**
 * `npm run db:migrate`: applies `drizzle/` through drizzle's neon-http migrator, the same HTTP path the Worker
 * uses, so the same command migrates a real Neon database (`DATABASE_URL`) or the local server
 * (`NEON_HTTP_ENDPOINT`). Already-applied migrations are skipped, so a second run is a no-op.
 */
import { fileURLToPath } from 'node:url'
import { migrate } from 'drizzle-orm/neon-http/migrator'
import { connectNeonHttp } from './connect'

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url))

export async function migrateDatabase(databaseUrl: string, endpoint?: string): Promise<void> {
  await migrate(connectNeonHttp(databaseUrl, endpoint), { migrationsFolder: MIGRATIONS_FOLDER })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) {
    console.error('DATABASE_URL is not set (see README: Settings)')
    process.exit(1)
  }
  await migrateDatabase(databaseUrl, process.env.NEON_HTTP_ENDPOINT || undefined)
  console.log('migrations applied')
}
