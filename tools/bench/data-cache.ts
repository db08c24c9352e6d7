/**
 * Generated data sets kept between runs as template databases. Generating 10M favourites and building their
 * counts is a third of a full run, and most runs re-measure the same data after a change to a query or a route.
 * A kept data set is keyed by what shapes it (the migrations, the generator, the counts' build, the scale), so a
 * change to any of them generates afresh; a run clones it (`CREATE DATABASE ... TEMPLATE`, a file copy) and
 * measures and writes to the clone, never to the kept one. Its timestamps are relative to when it was generated
 * and the measured windows end now, so one older than `BENCH_DATA_MAX_AGE_HOURS` (default 12) is generated again.
 * The kept set's summary (what the report prints) is the database's comment.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../root'
import type { DataSummary, Scale } from './generate'
import { databaseUrl, withClient } from './postgres'

const DEFAULT_MAX_AGE_HOURS = 12

/** The files whose change makes another data set. */
function shapingFiles(): string[] {
  const migrations = join(ROOT, 'drizzle')
  return [
    ...readdirSync(migrations)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => join(migrations, f)),
    join(ROOT, 'tools', 'bench', 'generate.ts'),
    join(ROOT, 'tools', 'bench', 'build-counts.ts'),
  ]
}

/** A short digest of the scale and of what shapes its data. */
export function dataKey(scale: Scale): string {
  const hash = createHash('sha256').update(JSON.stringify(scale))
  for (const file of shapingFiles()) hash.update(file.slice(ROOT.length)).update(readFileSync(file))
  return hash.digest('hex').slice(0, 12)
}

/** The template database that keeps `scale`'s data set of `key`. */
export const keptDataName = (scale: Scale, key: string) => `bench_data_${scale.name}_${key}`

export interface KeptData {
  name: string
  data: DataSummary
  generatedAt: string
}

const maxAgeHours = (): number => {
  const raw = process.env.BENCH_DATA_MAX_AGE_HOURS
  const hours = raw === undefined ? DEFAULT_MAX_AGE_HOURS : Number(raw)
  if (!Number.isFinite(hours) || hours < 0)
    throw new Error(`BENCH_DATA_MAX_AGE_HOURS must be a number of hours >= 0, got ${raw}`)
  return hours
}

/**
 * The kept data set of `scale` for the current key, young enough to reuse; `undefined` when there is none. Kept
 * sets of other keys of the scale, and one too old, are dropped (they would never be reused).
 */
export async function findKeptData(adminUrl: string, scale: Scale, log: (line: string) => void) {
  const wanted = keptDataName(scale, dataKey(scale))
  const oldest = Date.now() - maxAgeHours() * 3_600_000
  return withClient(adminUrl, async (client): Promise<KeptData | undefined> => {
    const kept = await client.query<{ name: string; comment: string | null }>(
      `SELECT datname AS name, shobj_description(oid, 'pg_database') AS comment FROM pg_database
       WHERE starts_with(datname, $1) ORDER BY datname`,
      [`bench_data_${scale.name}_`],
    )
    let found: KeptData | undefined
    for (const row of kept.rows) {
      const entry = row.comment ? (JSON.parse(row.comment) as Omit<KeptData, 'name'>) : undefined
      if (row.name === wanted && entry && Date.parse(entry.generatedAt) >= oldest) {
        found = { name: row.name, ...entry }
        continue
      }
      const why = row.name === wanted ? (entry ? 'older than its maximum age' : 'unfinished') : 'stale key'
      log(`  dropping the kept data set ${row.name} (${why})`)
      await client.query(`DROP DATABASE ${row.name} WITH (FORCE)`)
    }
    return found
  })
}

/**
 * The database a data set of `scale` is generated into (its URL); unfinished, and dropped by the next find, until
 * kept.
 */
export async function createKeptDatabase(adminUrl: string, scale: Scale): Promise<string> {
  const name = keptDataName(scale, dataKey(scale))
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`))
  return databaseUrl(adminUrl, name)
}

/** Marks the generated database of `scale` finished: its summary becomes its comment. */
export async function keepData(adminUrl: string, scale: Scale, data: DataSummary): Promise<KeptData> {
  const name = keptDataName(scale, dataKey(scale))
  const entry = { data, generatedAt: new Date().toISOString() }
  await withClient(adminUrl, (client) =>
    client.query(`COMMENT ON DATABASE ${name} IS ${client.escapeLiteral(JSON.stringify(entry))}`),
  )
  return { name, ...entry }
}

/** Drops every kept data set of `scale` (`--fresh-data`). */
export async function dropKeptData(adminUrl: string, scale: Scale): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const kept = await client.query<{ name: string }>(
      `SELECT datname AS name FROM pg_database WHERE starts_with(datname, $1)`,
      [`bench_data_${scale.name}_`],
    )
    for (const row of kept.rows) await client.query(`DROP DATABASE ${row.name} WITH (FORCE)`)
  })
}
