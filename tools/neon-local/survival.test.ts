// The server outlives what would otherwise kill or wedge it, and a session leaves nothing behind for the next
// request. These servers run inside vitest's main process: a crash here would end the whole run.
import { neon } from '@neondatabase/serverless'
import { expect, it } from 'vitest'
import { CONNECTION_STRING, caught, describeEachBackend, uniqueName } from './testing.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describeEachBackend('survival', (backend) => {
  const sql = neon(CONNECTION_STRING)
  const user = backend.kind === 'postgres' ? 'app' : 'postgres'

  /** Waits until a statement containing `marker` runs in another backend; returns its pid. */
  async function runningPid(marker: string): Promise<number> {
    for (let i = 0; i < 50; i++) {
      const [row] = await sql.query(
        `SELECT pid FROM pg_stat_activity
         WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()`,
        [marker],
      )
      if (row) return row.pid as number
      await sleep(50)
    }
    throw new Error(`no backend is running ${marker}`)
  }

  it.skipIf(backend.kind !== 'postgres')(
    'answers a request whose backend is terminated mid-query with an error, and keeps serving (PostgreSQL only)',
    async () => {
      for (let round = 0; round < 3; round++) {
        const marker = uniqueName('victim')
        const victim = caught(() => sql.query(`SELECT pg_sleep(10), '${marker}'`))
        const pid = await runningPid(marker)
        expect(await sql`SELECT pg_terminate_backend(${pid}) AS ok`).toEqual([{ ok: true }])
        const err = await victim
        expect(err.code).toBe('57P01') // admin_shutdown: "terminating connection due to administrator command"
        expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }])
      }
      // The pool healed: as many parallel requests as it has connections still succeed.
      const all = await Promise.all(
        Array.from({ length: 10 }, (_, i) => sql.query('SELECT $1::int AS i', [i])),
      )
      expect(all).toHaveLength(10)
    },
  )

  it.skipIf(backend.kind !== 'postgres')(
    'survives its idle pooled connections being terminated (PostgreSQL only)',
    async () => {
      await Promise.all(Array.from({ length: 4 }, () => sql`SELECT pg_sleep(0.1)`))
      const [row] = await sql`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE usename = current_user AND datname = current_database() AND pid <> pg_backend_pid()
          AND backend_type = 'client backend'`
      expect(row?.n).toBeGreaterThan(0)
      await sleep(100)
      const all = await Promise.all(
        Array.from({ length: 6 }, (_, i) => sql.query('SELECT $1::int AS i', [i])),
      )
      expect(all.map((rows) => rows[0]?.i)).toEqual([0, 1, 2, 3, 4, 5])
    },
  )

  it('does not leak SET SESSION AUTHORIZATION or SET ROLE into the next request', async () => {
    const role = uniqueName('nl_other')
    await sql.query(`CREATE ROLE ${role}`)
    try {
      // On PostgreSQL the owner role may not switch sessions (only a superuser may); on PGlite it can.
      const setSession = sql.query(`SET SESSION AUTHORIZATION ${role}`)
      if (backend.kind === 'postgres') expect((await caught(() => setSession)).code).toBe('42501')
      else await setSession
      expect(await sql`SELECT session_user AS su, current_user AS cu`).toEqual([{ su: user, cu: user }])
      // A role the session is a member of may be taken with SET ROLE, by the owner role too.
      await sql.query(`GRANT ${role} TO ${user}`)
      await sql.query(`SET ROLE ${role}`)
      expect(await sql`SELECT session_user AS su, current_user AS cu`).toEqual([{ su: user, cu: user }])
    } finally {
      await sql.query(`DROP ROLE ${role}`)
    }
  })

  it('has pgcrypto to CREATE EXTENSION, as Neon does', async () => {
    await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`
    expect(
      await sql`SELECT encode(digest('abc', 'sha256'), 'hex') AS h, length(gen_salt('bf')) > 0 AS salt`,
    ).toEqual([{ h: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', salt: true }])
  })
})
