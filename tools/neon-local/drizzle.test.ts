// Conformance through drizzle-orm's neon-http driver (builder queries, db.execute, db.batch), which
// is how the Worker's code reaches the database. Separate file from neon-driver.test.ts because
// creating a drizzle instance changes the driver's global timestamp parsers.
import { NeonDbError, neon } from '@neondatabase/serverless'
import { DrizzleQueryError, eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/neon-http'
import { bigint, boolean, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CONNECTION_STRING, describeEachBackend, uniqueName } from './testing.js'

describeEachBackend('drizzle neon-http', (_backend, server) => {
  const tableName = uniqueName('nl_dz')
  const emailKey = `${tableName}_email_key`
  const items = pgTable(tableName, {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true, precision: 3, mode: 'date' }).notNull(),
    n: integer('n').notNull(),
    big: bigint('big', { mode: 'bigint' }).notNull(),
    flag: boolean('flag').notNull(),
    tags: text('tags').array().notNull(),
    nums: integer('nums').array().notNull(),
    doc: jsonb('doc').$type<{ a: unknown[]; nested: { ok: boolean } }>().notNull(),
    note: text('note'),
    email: text('email'),
  })
  const db = drizzle({ client: neon(CONNECTION_STRING) })

  beforeAll(async () => {
    await db.execute(
      sql.raw(`CREATE TABLE ${tableName} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        at timestamptz(3) NOT NULL,
        n int4 NOT NULL,
        big int8 NOT NULL,
        flag bool NOT NULL,
        tags text[] NOT NULL,
        nums int4[] NOT NULL,
        doc jsonb NOT NULL,
        note text,
        email text CONSTRAINT ${emailKey} UNIQUE
      )`),
    )
  })
  afterAll(async () => {
    await db.execute(sql.raw(`DROP TABLE IF EXISTS ${tableName}`))
  })

  const sample = () => ({
    at: new Date('2026-11-27T20:50:36.123Z'),
    n: 2147483647,
    big: 9007199254740993n,
    flag: false,
    tags: ['x', 'y z', 'q"uote', 'back\\slash'],
    nums: [-1, 0, 1],
    doc: { a: [1, 'two', null], nested: { ok: true } },
    note: null,
  })

  it('round-trips every column type through insert ... returning and select', async () => {
    const [inserted] = await db.insert(items).values(sample()).returning()
    expect(inserted).toBeDefined()
    if (!inserted) return
    expect(inserted).toMatchObject(sample())
    expect(inserted.at.getTime()).toBe(Date.parse('2026-11-27T20:50:36.123Z'))
    expect(inserted.id).toMatch(/^[0-9a-f-]{36}$/)

    const [selected] = await db.select().from(items).where(eq(items.id, inserted.id))
    expect(selected).toEqual(inserted)
  })

  it('gives Postgres text output (UTC) to db.execute', async () => {
    const res = await db.execute(sql`SELECT ${new Date('2026-11-27T20:50:36.123Z')}::timestamptz AS at`)
    expect(res.rows).toEqual([{ at: '2026-11-27 20:50:36.123+00' }])
  })

  it('surfaces a unique violation as DrizzleQueryError with cause.code 23505', async () => {
    await db.insert(items).values({ ...sample(), email: 'same@example.com' })
    const err = await db
      .insert(items)
      .values({ ...sample(), email: 'same@example.com' })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(DrizzleQueryError)
    const cause = (err as DrizzleQueryError).cause
    expect(cause).toBeInstanceOf(NeonDbError)
    expect((cause as NeonDbError).code).toBe('23505')
    expect((cause as NeonDbError).constraint).toBe(emailKey)
  })

  it('commits a db.batch in one request', async () => {
    const before = await server.requests()
    const marker = uniqueName('batch')
    const [ins, rows] = await db.batch([
      db
        .insert(items)
        .values({ ...sample(), note: marker })
        .returning({ note: items.note }),
      db.select({ n: items.n }).from(items).where(eq(items.note, marker)),
    ])
    expect(ins).toEqual([{ note: marker }])
    expect(rows).toEqual([{ n: 2147483647 }])
    expect(await server.requests()).toBe(before + 1)
  })

  it('rolls back a db.batch when a later statement fails (error not wrapped)', async () => {
    const marker = uniqueName('rollback')
    const err = await db
      .batch([
        db.insert(items).values({ ...sample(), note: marker, email: 'twice@example.com' }),
        db.insert(items).values({ ...sample(), email: 'twice@example.com' }),
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(NeonDbError)
    expect((err as NeonDbError).code).toBe('23505')
    expect(await db.select().from(items).where(eq(items.note, marker))).toEqual([])
  })

  it('has no interactive transactions over HTTP (drizzle refuses db.transaction)', async () => {
    await expect(db.transaction(async () => undefined)).rejects.toThrow(/No transactions support/)
  })
})
