// Who a request runs as. On Neon the session logs in as the connection string's role, a project owner that is not
// a superuser; the PostgreSQL backend does the same. PGlite has a single user and runs every request as it.
import { neon } from '@neondatabase/serverless'
import { expect, it } from 'vitest'
import { CONNECTION_STRING, caught, describeEachBackend, uniqueName } from './testing.js'

describeEachBackend('roles', (backend) => {
  const sql = neon(CONNECTION_STRING)
  const onPostgres = it.skipIf(backend.kind !== 'postgres')

  onPostgres(
    'runs as the connection string role, which owns what it creates and is no superuser',
    async () => {
      const table = uniqueName('nl_role')
      await sql.query(`CREATE TABLE ${table} (x int)`)
      try {
        const [who] = await sql.query(
          `SELECT current_user AS cu, session_user AS su, r.rolsuper AS super, r.rolcreatedb AS createdb,
                r.rolcreaterole AS createrole, t.tableowner AS owner
         FROM pg_roles r, pg_tables t WHERE r.rolname = current_user AND t.tablename = $1`,
          [table],
        )
        expect(who).toEqual({
          cu: 'app',
          su: 'app',
          super: false,
          createdb: true,
          createrole: true,
          owner: 'app',
        })
      } finally {
        await sql.query(`DROP TABLE ${table}`)
      }
    },
  )

  onPostgres(
    'refuses what only a superuser may do (no SET SESSION AUTHORIZATION, no ALTER SYSTEM)',
    async () => {
      expect((await caught(() => sql`SET SESSION AUTHORIZATION postgres`)).code).toBe('42501')
      expect((await caught(() => sql`ALTER SYSTEM SET work_mem = '1GB'`)).code).toBe('42501')
      expect(await sql`SELECT current_user AS cu`).toEqual([{ cu: 'app' }])
    },
  )

  onPostgres("refuses a role that cannot log in with the proxy's message and no SQLSTATE", async () => {
    const role = uniqueName('nl_nobody')
    const err = await caught(() => neon(`postgresql://${role}:pw@db.localtest.me/app`)`SELECT 1`)
    expect(err.message).toBe(`password authentication failed for user '${role}'`)
    expect(err.code).toBe('')
  })

  it.skipIf(!backend.checksPasswords)(
    'refuses a wrong password (only where the server checks passwords: CI sets scram-sha-256 for the owner role)',
    async () => {
      const err = await caught(() => neon('postgresql://app:not-the-password@db.localtest.me/app')`SELECT 1`)
      expect(err.message).toBe("password authentication failed for user 'app'")
      expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }])
    },
  )

  it.skipIf(backend.kind !== 'pglite')(
    "runs as PGlite's one user whatever the connection string says (documented difference)",
    async () => {
      const other = neon('postgresql://someone:else@db.localtest.me/app')
      expect(await other`SELECT current_user AS cu, session_user AS su`).toEqual([
        { cu: 'postgres', su: 'postgres' },
      ])
    },
  )
})
