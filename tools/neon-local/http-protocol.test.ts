// The wire format itself, with plain fetch: statuses, headers and exact body shapes from
// the driver (`@neondatabase/serverless` 1.2.0) and Neon's proxy, including the cases the driver never produces.
import { expect, it } from 'vitest'
import { CONNECTION_STRING, describeEachBackend } from './testing.js'

const ERROR_KEYS = [
  'message',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'severity',
  'where',
  'table',
  'column',
  'schema',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
]

// What the driver sends (no Content-Type: the server must not require JSON's).
const DRIVER_HEADERS = {
  'Neon-Connection-String': CONNECTION_STRING,
  'Neon-Raw-Text-Output': 'true',
  'Neon-Array-Mode': 'true',
}

describeEachBackend('HTTP protocol', (_backend, server) => {
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url, {
      method: 'POST',
      headers: { ...DRIVER_HEADERS, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  const base = () => server.url.replace(/\/sql$/, '')

  it('answers a single query with fields, command, rowCount, text rows and rowAsArray', async () => {
    const res = await post({
      query: 'SELECT $1::uuid AS id, true AS t, NULL::int AS n, ARRAY[1,NULL] AS a, \'{"k": 1}\'::jsonb AS j',
      params: ['8c1c0a6e-3f0a-4c6e-9f55-0d7c1c6a2b11'],
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({
      fields: [
        {
          name: 'id',
          dataTypeID: 2950,
          tableID: 0,
          columnID: 0,
          dataTypeSize: 16,
          dataTypeModifier: -1,
          format: 'text',
        },
        {
          name: 't',
          dataTypeID: 16,
          tableID: 0,
          columnID: 0,
          dataTypeSize: 1,
          dataTypeModifier: -1,
          format: 'text',
        },
        {
          name: 'n',
          dataTypeID: 23,
          tableID: 0,
          columnID: 0,
          dataTypeSize: 4,
          dataTypeModifier: -1,
          format: 'text',
        },
        {
          name: 'a',
          dataTypeID: 1007,
          tableID: 0,
          columnID: 0,
          dataTypeSize: -1,
          dataTypeModifier: -1,
          format: 'text',
        },
        {
          name: 'j',
          dataTypeID: 3802,
          tableID: 0,
          columnID: 0,
          dataTypeSize: -1,
          dataTypeModifier: -1,
          format: 'text',
        },
      ],
      command: 'SELECT',
      rowCount: 1,
      rows: [['8c1c0a6e-3f0a-4c6e-9f55-0d7c1c6a2b11', 't', null, '{1,NULL}', '{"k": 1}']],
      rowAsArray: true,
    })
  })

  it('binds JSON numbers, booleans, arrays and objects as text like the proxy', async () => {
    const res = await post({
      query: 'SELECT $1::int + 1 AS a, $2::bool AS b, $3::text[] AS c, $4::jsonb AS d',
      params: [41, false, ['x', 'y"z', null], { k: [1] }],
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { rows: unknown[][] }
    expect(body.rows).toEqual([['42', 'f', '{x,"y\\"z",NULL}', '{"k": [1]}']])
  })

  it('answers a batch with {results} and echoes the Neon-Batch-* headers', async () => {
    const res = await post(
      {
        queries: [
          { query: 'SELECT 1 AS x', params: [] },
          { query: "SELECT current_setting('transaction_isolation')" },
        ],
      },
      { 'Neon-Batch-Isolation-Level': 'RepeatableRead', 'Neon-Batch-Read-Only': 'true' },
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('neon-batch-isolation-level')).toBe('RepeatableRead')
    expect(res.headers.get('neon-batch-read-only')).toBe('true')
    const body = (await res.json()) as { results: { rows: unknown[][] }[] }
    expect(body.results.map((r) => r.rows)).toEqual([[['1']], [['repeatable read']]])
  })

  it('treats any Neon-Batch-Read-Only value but exactly "true" as false', async () => {
    const res = await post(
      { queries: [{ query: "SELECT current_setting('transaction_read_only')" }] },
      { 'Neon-Batch-Read-Only': 'TRUE' },
    )
    const body = (await res.json()) as { results: { rows: unknown[][] }[] }
    expect(body.results[0]?.rows).toEqual([['off']])
    expect(res.headers.get('neon-batch-read-only')).toBeNull()
  })

  it('rejects an unknown isolation level with 400 "invalid isolation level"', async () => {
    const res = await post({ queries: [{ query: 'SELECT 1' }] }, { 'Neon-Batch-Isolation-Level': 'Snapshot' })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ message: 'invalid isolation level', code: '' })
  })

  it('answers a Postgres error with 400 and every error key (unused ones null, position and line strings)', async () => {
    const res = await post({ query: 'SELECT * FROMM nowhere' })
    expect(res.status).toBe(400)
    const body = (await res.json()) as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual([...ERROR_KEYS].sort())
    expect(body).toMatchObject({
      code: '42601',
      position: '10',
      severity: 'ERROR',
      detail: null,
      table: null,
    })
    expect(typeof body.line).toBe('string')
  })

  it('answers malformed JSON with 400 and code ""', async () => {
    const res = await post('{"query": ')
    expect(res.status).toBe(400)
    const body = (await res.json()) as Record<string, unknown>
    expect(body.code).toBe('')
    expect(Object.keys(body).sort()).toEqual([...ERROR_KEYS].sort())
  })

  it('requires the Neon-Connection-String header', async () => {
    const res = await fetch(server.url, { method: 'POST', body: JSON.stringify({ query: 'SELECT 1' }) })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { code: string }).code).toBe('')
  })

  it('answers a request body over 10 MiB with 413', async () => {
    const res = await post({ query: 'SELECT $1::text', params: ['x'.repeat(10 * 1024 * 1024 + 1)] })
    expect(res.status).toBe(413)
  })

  it('answers OPTIONS with CORS 204 and other methods with 400 "query is not supported"', async () => {
    const options = await fetch(server.url, { method: 'OPTIONS' })
    expect(options.status).toBe(204)
    expect(options.headers.get('access-control-allow-origin')).toBe('*')
    expect(options.headers.get('access-control-allow-headers')).toMatch(/Neon-Connection-String/)
    const get = await fetch(server.url)
    expect(get.status).toBe(400)
    expect(((await get.json()) as { message: string }).message).toBe('query is not supported')
  })

  it('serves /health and /stats, counting every POST /sql (not OPTIONS/GET)', async () => {
    expect(await (await fetch(`${base()}/health`)).json()).toEqual({ ok: true })
    type Stats = { requests: number; endpoints: Record<string, number> }
    const stats = async () => (await (await fetch(`${base()}/stats`)).json()) as Stats
    const before = await stats()
    await post({ query: 'SELECT 1' })
    await post({ queries: [{ query: 'SELECT 1' }, { query: 'SELECT 2' }] })
    await post('not json')
    await fetch(server.url, { method: 'OPTIONS' })
    await fetch(server.url)
    const after = await stats()
    expect(after.requests).toBe(before.requests + 3)
    // Per endpoint (`db`, from the connection string's host): only the requests that got as far as a backend.
    expect((after.endpoints.db ?? 0) - (before.endpoints.db ?? 0)).toBe(2)
  })

  it('returns object rows and typed values when the raw-text and array-mode headers are absent', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'Neon-Connection-String': CONNECTION_STRING },
      body: JSON.stringify({
        query: 'SELECT 1 AS a, true AS b, \'{"k":2}\'::jsonb AS c, ARRAY[1,2] AS d, 5::int8 AS e',
      }),
    })
    const body = (await res.json()) as { rows: unknown[]; rowAsArray: boolean }
    expect(body.rowAsArray).toBe(false)
    expect(body.rows).toEqual([{ a: 1, b: true, c: { k: 2 }, d: [1, 2], e: '5' }])
  })
})
