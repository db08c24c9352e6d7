// A client that goes away (an aborted fetch: the Worker's database deadline) cancels its query, and its batch is
// never committed, as on Neon. Driven by the real driver with `fetchOptions.signal`.
import { neon } from '@neondatabase/serverless'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CONNECTION_STRING, describeEachBackend, uniqueName } from './testing.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A driver whose requests are aborted `afterMs` after it is made; awaiting its query rejects with the abort. */
function abortingDriver(afterMs: number) {
  const controller = new AbortController()
  setTimeout(() => controller.abort(), afterMs)
  return neon(CONNECTION_STRING, { fetchOptions: { signal: controller.signal } })
}

describeEachBackend('client disconnect', (backend, server) => {
  const sql = neon(CONNECTION_STRING)
  const table = uniqueName('nl_gone')

  beforeAll(async () => {
    await sql.query(`CREATE TABLE ${table} (note text)`)
  })
  afterAll(async () => {
    await sql.query(`DROP TABLE IF EXISTS ${table}`)
  })

  const count = async (marker: string) =>
    (await sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE note = $1`, [marker]))[0]?.n

  it('does not commit a batch whose client went away while its last statement ran', async () => {
    const marker = uniqueName('batch')
    const gone = abortingDriver(150)
    await expect(
      gone.transaction([
        gone.query(`INSERT INTO ${table} (note) VALUES ($1)`, [marker]),
        gone.query('SELECT pg_sleep(0.6)'),
      ]),
    ).rejects.toThrow(/abort/i)
    // Past the sleep: had the server gone on to COMMIT, the row would be visible now. (PGlite runs one request at
    // a time, so this query even waits for the batch to end.)
    await sleep(900)
    expect(await count(marker)).toBe(0)
    expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }])
  })

  it('runs no further statement of a batch once its client is gone', async () => {
    const marker = uniqueName('later')
    const gone = abortingDriver(150)
    await expect(
      gone.transaction([
        gone.query('SELECT pg_sleep(0.5)'),
        gone.query(`INSERT INTO ${table} (note) VALUES ($1)`, [marker]),
        gone.query('SELECT pg_sleep(0.5)'),
      ]),
    ).rejects.toThrow(/abort/i)
    await sleep(1300)
    expect(await count(marker)).toBe(0)
  })

  it('runs nothing for a client that left while a slow fault held its request', async () => {
    const marker = uniqueName('slow')
    const fault = (body: object) =>
      fetch(server.url.replace(/\/sql$/, '/faults'), { method: 'PUT', body: JSON.stringify(body) })
    await fault({ kind: 'slow', delayMs: 400 })
    try {
      const gone = abortingDriver(100)
      await expect(gone.query(`INSERT INTO ${table} (note) VALUES ($1)`, [marker])).rejects.toThrow(/abort/i)
      await sleep(600)
    } finally {
      await fault({ kind: 'none' })
    }
    expect(await count(marker)).toBe(0)
  })

  it.skipIf(backend.kind !== 'postgres')(
    'cancels the running statement on the server (PostgreSQL only: PGlite cannot interrupt a statement)',
    async () => {
      const marker = uniqueName('cancel')
      const gone = abortingDriver(300)
      const started = performance.now()
      await expect(gone.query(`SELECT pg_sleep(30), '${marker}'`)).rejects.toThrow(/abort/i)
      // The backend stops within moments, not after 30 s: nothing with the marker is still running.
      let running = 1
      while (running > 0 && performance.now() - started < 5000) {
        await sleep(100)
        const [row] = await sql.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()`,
          [marker],
        )
        running = row?.n
      }
      expect(running).toBe(0)
      expect(performance.now() - started).toBeLessThan(5000)
    },
  )

  it.skipIf(backend.kind !== 'postgres')(
    'rolls back a batch cancelled mid-statement and keeps serving (PostgreSQL only)',
    async () => {
      const marker = uniqueName('cancelbatch')
      const gone = abortingDriver(300)
      await expect(
        gone.transaction([
          gone.query(`INSERT INTO ${table} (note) VALUES ($1)`, [marker]),
          gone.query('SELECT pg_sleep(2)'),
        ]),
      ).rejects.toThrow(/abort/i)
      await sleep(2300)
      expect(await count(marker)).toBe(0)
      const all = await Promise.all(
        Array.from({ length: 12 }, (_, i) => sql.query('SELECT $1::int AS i', [i])),
      )
      expect(all.map((rows) => rows[0]?.i)).toEqual(Array.from({ length: 12 }, (_, i) => i))
    },
  )
})
