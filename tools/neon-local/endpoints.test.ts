// Routing by endpoint name, as Neon's proxy routes: the first label of the connection string's host picks the
// compute, and a read replica is an endpoint of its own. Two in-memory PGlite databases stand for two computes.
import { neon, neonConfig } from '@neondatabase/serverless'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type NeonLocalServer, startNeonLocalServer } from './server.js'

const primary = neon('postgresql://app:app@db.localtest.me/app')
const replica = neon('postgresql://app:app@replica.localtest.me/app')
const unnamed = neon('postgresql://app:app@ep-anything-else.localtest.me/app')

describe('endpoints', () => {
  let server: NeonLocalServer
  beforeAll(async () => {
    server = await startNeonLocalServer({
      backend: { kind: 'pglite' },
      endpoints: { replica: { kind: 'pglite' } },
    })
    neonConfig.fetchEndpoint = server.url
  })
  afterAll(() => server?.close())

  it("sends a named endpoint's requests to its own database, every other name to the main one", async () => {
    await primary`CREATE TABLE endpoint_probe (x int)`
    await primary`INSERT INTO endpoint_probe VALUES (1)`
    expect(await unnamed`SELECT x FROM endpoint_probe`).toEqual([{ x: 1 }])
    await expect(replica`SELECT x FROM endpoint_probe`).rejects.toMatchObject({ code: '42P01' })
  })

  it('counts requests per endpoint name', async () => {
    const before = server.stats()
    await replica`SELECT 1`
    await replica`SELECT 1`
    await primary`SELECT 1`
    const after = server.stats()
    expect(after.requests - before.requests).toBe(3)
    expect((after.endpoints.replica ?? 0) - (before.endpoints.replica ?? 0)).toBe(2)
    expect((after.endpoints.db ?? 0) - (before.endpoints.db ?? 0)).toBe(1)
  })
})
