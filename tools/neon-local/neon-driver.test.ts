// Conformance through the real @neondatabase/serverless driver (`neon()` over fetch), the exact
// code path the Worker uses in production.
import { neon, neonConfig } from '@neondatabase/serverless'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CONNECTION_STRING, caught, describeEachBackend, uniqueName } from './testing.js'

describeEachBackend('neon() driver', (backend, server) => {
  const sql = neon(CONNECTION_STRING)
  const table = uniqueName('nl_drv')

  beforeAll(async () => {
    await sql.query(
      `CREATE TABLE ${table} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        at timestamptz(3) NOT NULL,
        n int4 NOT NULL,
        big int8 NOT NULL,
        flag bool NOT NULL,
        tags text[] NOT NULL,
        nums int4[] NOT NULL,
        doc jsonb NOT NULL,
        note text,
        email text CONSTRAINT ${table}_email_key UNIQUE
      )`,
    )
  })
  afterAll(async () => {
    await sql.query(`DROP TABLE IF EXISTS ${table}`)
  })

  it('round-trips uuid, timestamptz (ms), int4, int8, bool, arrays, jsonb and NULL; INSERT ... RETURNING', async () => {
    const at = new Date('2026-11-27T20:50:36.123Z')
    const big = '9007199254740993' // above Number.MAX_SAFE_INTEGER: must survive as text
    const doc = { a: [1, 'two', null], nested: { ok: true } }
    const rows = await sql.query(
      `INSERT INTO ${table} (at, n, big, flag, tags, nums, doc, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *, at::text AS at_text`,
      [at, -42, big, true, ['a', 'b,c', 'd"e', null], [1, 2, 3], doc, null],
    )
    expect(rows).toHaveLength(1)
    const row = rows[0] as Record<string, unknown>
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(row.at).toBeInstanceOf(Date)
    expect((row.at as Date).toISOString()).toBe('2026-11-27T20:50:36.123Z')
    expect(row.at_text).toBe('2026-11-27 20:50:36.123+00')
    expect(row.n).toBe(-42)
    expect(row.big).toBe(big)
    expect(row.flag).toBe(true)
    expect(row.tags).toEqual(['a', 'b,c', 'd"e', null])
    expect(row.nums).toEqual([1, 2, 3])
    expect(row.doc).toEqual(doc)
    expect(row.note).toBeNull()

    const [again] = await sql.query(`SELECT * FROM ${table} WHERE id = $1`, [row.id])
    // toEqual treats the undefined at_text as absent: the stored row equals what RETURNING gave.
    expect(again).toEqual({ ...row, at_text: undefined, email: null })
  })

  it('returns full results: real type OIDs, command and rowCount from the command tag', async () => {
    const select = await sql.query('SELECT 1::int4 AS a, $1::text AS b', ['x'], { fullResults: true })
    expect(select.command).toBe('SELECT')
    expect(select.rowCount).toBe(1)
    expect(select.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['a', 23],
      ['b', 25],
    ])
    const insert = await sql.query(
      `INSERT INTO ${table} (at, n, big, flag, tags, nums, doc)
       SELECT now(), g, g, false, '{}', '{}', '{}' FROM generate_series(1, 3) g`,
      [],
      { fullResults: true },
    )
    expect(insert.command).toBe('INSERT')
    expect(insert.rowCount).toBe(3)
    const create = await sql.query(`CREATE TEMP TABLE ${uniqueName('tmp')} (x int)`, [], {
      fullResults: true,
    })
    expect(create.command).toBe('CREATE')
    expect(create.rowCount).toBeNull()
  })

  it('reports a unique violation with code 23505 and the constraint name', async () => {
    await sql.query(`INSERT INTO ${table} (at, n, big, flag, tags, nums, doc, email)
      VALUES (now(), 1, 1, true, '{}', '{}', '{}', 'dup@example.com')`)
    const err = await caught(() =>
      sql.query(`INSERT INTO ${table} (at, n, big, flag, tags, nums, doc, email)
        VALUES (now(), 2, 2, true, '{}', '{}', '{}', 'dup@example.com')`),
    )
    expect(err.code).toBe('23505')
    expect(err.constraint).toBe(`${table}_email_key`)
    expect(err.table).toBe(table)
    expect(err.detail).toContain('dup@example.com')
  })

  it("reports a syntax error's position", async () => {
    const err = await caught(() => sql.query('SELECT * FROMM nowhere'))
    expect(err.code).toBe('42601')
    expect(err.position).toBe('10')
  })

  it('rejects two statements in one query with 42601 (extended protocol)', async () => {
    const err = await caught(() => sql.query('SELECT 1; SELECT 2'))
    expect(err.code).toBe('42601')
  })

  it('commits a sql.transaction([...]) batch and returns one result per query', async () => {
    const marker = uniqueName('commit')
    const [inserted, counted] = await sql.transaction([
      sql.query(
        `INSERT INTO ${table} (at, n, big, flag, tags, nums, doc, note)
         VALUES (now(), 7, 7, true, '{}', '{}', '{}', $1) RETURNING note`,
        [marker],
      ),
      sql.query(`SELECT count(*)::int AS c FROM ${table} WHERE note = $1`, [marker]),
    ])
    expect(inserted).toEqual([{ note: marker }])
    expect(counted).toEqual([{ c: 1 }])
    expect(await sql.query(`SELECT note FROM ${table} WHERE note = $1`, [marker])).toHaveLength(1)
  })

  it('rolls back the whole batch when a later query fails, and returns that error', async () => {
    const marker = uniqueName('rollback')
    const err = await caught(() =>
      sql.transaction([
        sql.query(
          `INSERT INTO ${table} (at, n, big, flag, tags, nums, doc, note) VALUES (now(), 1, 1, true, '{}', '{}', '{}', $1)`,
          [marker],
        ),
        sql.query('SELECT 1 / 0'),
      ]),
    )
    expect(err.code).toBe('22012')
    expect(await sql.query(`SELECT 1 FROM ${table} WHERE note = $1`, [marker])).toHaveLength(0)
  })

  it('refuses a write in a read-only batch with 25006', async () => {
    const err = await caught(() =>
      sql.transaction(
        [
          sql.query(
            `INSERT INTO ${table} (at, n, big, flag, tags, nums, doc) VALUES (now(), 1, 1, true, '{}', '{}', '{}')`,
          ),
        ],
        { readOnly: true },
      ),
    )
    expect(err.code).toBe('25006')
  })

  it('runs the batch at the requested isolation level and echoes the Neon-Batch-* headers', async () => {
    const seen: Headers[] = []
    neonConfig.fetchFunction = async (input: string, init: RequestInit) => {
      const res = await fetch(input, init)
      seen.push(res.headers)
      return res
    }
    try {
      const [levels] = await sql.transaction(
        [
          sql`SELECT current_setting('transaction_isolation') AS iso, current_setting('transaction_read_only') AS ro`,
        ],
        { isolationLevel: 'Serializable', readOnly: true, deferrable: true },
      )
      expect(levels).toEqual([{ iso: 'serializable', ro: 'on' }])
    } finally {
      neonConfig.fetchFunction = undefined
    }
    expect(seen).toHaveLength(1)
    expect(seen[0]?.get('neon-batch-isolation-level')).toBe('Serializable')
    expect(seen[0]?.get('neon-batch-read-only')).toBe('true')
    expect(seen[0]?.get('neon-batch-deferrable')).toBe('true')
  })

  it('does not leak SET statement_timeout / TimeZone into the next request', async () => {
    const [first] =
      await sql`SELECT set_config('statement_timeout', '1ms', false) AS st, pg_backend_pid() AS pid`
    await sql`SET TimeZone = 'America/New_York'`
    const [next] = await sql`SELECT current_setting('statement_timeout') AS st,
      current_setting('TimeZone') AS tz, pg_backend_pid() AS pid, now()::text AS now`
    // pg's pool hands back the most recently released connection, so this really is the same session.
    expect(next?.pid).toBe(first?.pid)
    expect(next?.st).toBe('0')
    expect(next?.tz).toBe('UTC')
    expect(next?.now).toMatch(/\+00$/)
  })

  it('counts exactly one request per query and one per batch', async () => {
    const before = await server.requests()
    await sql`SELECT 1`
    await sql.transaction([sql`SELECT 1`, sql`SELECT 2`, sql`SELECT 3`])
    expect(await server.requests()).toBe(before + 2)
  })

  it.skipIf(backend.kind !== 'postgres')(
    'runs parallel requests concurrently (PostgreSQL only: PGlite has a single connection)',
    async () => {
      const started = performance.now()
      await Promise.all(Array.from({ length: 5 }, () => sql`SELECT pg_sleep(0.3)`))
      const elapsed = performance.now() - started
      expect(elapsed).toBeLessThan(1000)
    },
  )
})
