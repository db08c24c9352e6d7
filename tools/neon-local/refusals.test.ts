// What Neon's proxy refuses, refused here too with its error shape (HTTP 400, every error key, `code: ""`), driven
// through the real driver wherever the driver can send it. A refusal the local server lacked would let code pass
// in dev and tests and fail only on Neon.
import { neon } from '@neondatabase/serverless'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { LOCAL_DATABASE_URL } from '../db/connect.js'
import { MAX_PARAMS } from './refusals.js'
import { CONNECTION_STRING, caught, describeEachBackend, uniqueName } from './testing.js'

/** `SELECT` of an array of n untyped parameters: each one is bound, and the count comes back. */
function manyParams(n: number): { query: string; params: string[] } {
  const placeholders = Array.from({ length: n }, (_, i) => `$${i + 1}`).join(',')
  return {
    query: `SELECT array_length(ARRAY[${placeholders}]::text[], 1) AS n`,
    params: Array.from({ length: n }, (_, i) => String(i)),
  }
}

describeEachBackend('refusals', (backend, server) => {
  const sql = neon(CONNECTION_STRING)
  const table = uniqueName('nl_ref')
  const post = (body: string, connectionString = CONNECTION_STRING, headers: Record<string, string> = {}) =>
    fetch(server.url, {
      method: 'POST',
      headers: {
        'Neon-Connection-String': connectionString,
        'Neon-Raw-Text-Output': 'true',
        'Neon-Array-Mode': 'true',
        ...headers,
      },
      body,
    })
  const stillServes = async () => expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }])

  beforeAll(async () => {
    await sql.query(`CREATE TABLE ${table} (note text)`)
  })
  afterAll(async () => {
    await sql.query(`DROP TABLE IF EXISTS ${table}`)
  })

  it(`binds ${MAX_PARAMS} parameters and refuses one more (the proxy's i16 count)`, async () => {
    const max = manyParams(MAX_PARAMS)
    expect(await sql.query(max.query, max.params)).toEqual([{ n: MAX_PARAMS }])
    const over = manyParams(MAX_PARAMS + 1)
    const err = await caught(() => sql.query(over.query, over.params))
    expect(err.message).toBe('error encoding message to server: value too large to transmit')
    expect(err.code).toBe('')
  })

  it('refuses too many parameters inside a batch and commits none of it', async () => {
    const marker = uniqueName('params')
    const over = manyParams(MAX_PARAMS + 1)
    const err = await caught(() =>
      sql.transaction([
        sql.query(`INSERT INTO ${table} (note) VALUES ($1)`, [marker]),
        sql.query(over.query, over.params),
      ]),
    )
    expect(err.message).toMatch(/value too large to transmit/)
    expect(await sql.query(`SELECT 1 FROM ${table} WHERE note = $1`, [marker])).toEqual([])
  })

  it('refuses a lone surrogate escape in the JSON body (the driver sends JSON.stringify("\\ud800") as one)', async () => {
    for (const lone of ['\ud800', '\udfff', 'a\ud83dz']) {
      const err = await caught(() => sql.query('SELECT $1::text AS t', [lone]))
      expect(err.message).toMatch(/^could not parse the HTTP request body: .*surrogate|hex escape/)
      expect(err.code).toBe('')
    }
    await stillServes()
  })

  it('answers the lone-surrogate 400 with every error key, and accepts pairs and escaped backslashes', async () => {
    const res = await post('{"query":"SELECT $1::text","params":["\\ud800"]}')
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      message: 'could not parse the HTTP request body: unexpected end of hex escape at line 1 column 45',
      code: '',
      detail: null,
      routine: null,
    })
    const ok = await post('{"query":"SELECT $1::text, $2::text","params":["\\ud83d\\ude00","\\\\ud800"]}')
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { rows: unknown[] }).rows).toEqual([['😀', '\\ud800']])
    expect(await sql.query('SELECT $1::text AS t', ['😀'])).toEqual([{ t: '😀' }])
  })

  it('refuses COPY ... FROM STDIN before running it (on PGlite it would wait for data forever)', async () => {
    for (const statement of [
      `COPY ${table} FROM STDIN`,
      `  -- load\n/* rows /* nested */ */ copy ${table} (note) from stdin with (format csv)`,
      `COPY ${table} TO STDOUT`,
      `COPY (SELECT 1) TO '/tmp/${table}.csv'`,
    ]) {
      const err = await caught(() => sql.query(statement))
      expect(err.message).toBe('unexpected message from server')
      expect(err.code).toBe('')
    }
    await stillServes()
  })

  it('refuses COPY in a batch and commits none of it; a column named copy is fine', async () => {
    const marker = uniqueName('copy')
    const err = await caught(() =>
      sql.transaction([
        sql.query(`INSERT INTO ${table} (note) VALUES ($1)`, [marker]),
        sql.query(`COPY ${table} FROM STDIN`),
      ]),
    )
    expect(err.message).toBe('unexpected message from server')
    expect(await sql.query(`SELECT 1 FROM ${table} WHERE note = $1`, [marker])).toEqual([])
    expect(await sql`SELECT 'x' AS copy`).toEqual([{ copy: 'x' }])
  })

  it('refuses a NUL character in the query text (the proxy sends it as a C string)', async () => {
    const err = await caught(() => sql.query("SELECT 'a\u0000b' AS t"))
    expect(err.message).toBe('error encoding message to server: string contains embedded null')
    await stillServes()
  })

  it('refuses a connection string without a password', async () => {
    const err = await caught(() => neon('postgresql://app@db.localtest.me/app')`SELECT 1`)
    expect(err.message).toBe('missing authentication credentials: required password')
    expect(err.code).toBe('')
  })

  it('refuses an IP-literal host (Neon routes by the endpoint name in a domain)', async () => {
    for (const url of ['postgresql://app:app@127.0.0.1/app', 'postgresql://app:app@[::1]:5432/app']) {
      const err = await caught(() => neon(url)`SELECT 1`)
      expect(err.message).toBe('missing hostname')
      expect(err.code).toBe('')
    }
  })

  it('refuses a missing header, a wrong scheme and a missing user like the proxy', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'invalid header: neon-connection-string'],
      [{ 'Neon-Connection-String': 'not a url' }, 'invalid connection string: Invalid URL'],
      [{ 'Neon-Connection-String': 'mysql://app:app@db.localtest.me/app' }, 'incorrect scheme'],
      [{ 'Neon-Connection-String': 'postgresql://db.localtest.me/app' }, 'missing username'],
    ]
    for (const [headers, message] of cases) {
      const res = await fetch(server.url, { method: 'POST', headers, body: '{"query":"SELECT 1"}' })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ message, code: '', detail: null })
    }
  })

  it('takes a Bearer token instead of a password, but not both (Neon RLS / authToken)', async () => {
    const bearer = { Authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' }
    const tokenOnly = await post('{"query":"SELECT 1"}', 'postgresql://app@db.localtest.me/app', bearer)
    // The token is not verified, and it is no password: a server that checks passwords does not let the role in.
    expect(tokenOnly.status).toBe(backend.checksPasswords ? 400 : 200)
    const both = await post('{"query":"SELECT 1"}', CONNECTION_STRING, bearer)
    expect(both.status).toBe(400)
    expect(((await both.json()) as { message: string }).message).toBe(
      'missing authentication credentials: required authorization bearer token in JWT format',
    )
  })

  it("accepts the project's own connection string (tools/db, the Worker's tests, dev and the benchmark)", async () => {
    expect(await neon(LOCAL_DATABASE_URL)`SELECT 1 AS one`).toEqual([{ one: 1 }])
  })
})
