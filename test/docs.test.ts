import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import committedDocument from './contract/openapi.json'
import { api, expectProblem } from './support/api'

type Document = {
  openapi: string
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, unknown> }
}

describe('API documentation', () => {
  it('serves an OpenAPI 3.1 document with the named contract components', async () => {
    const response = await SELF.fetch('https://api.test/openapi.json')
    expect(response.status).toBe(200)
    const document = (await response.json()) as Document
    expect(document.openapi).toBe('3.1.0')
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'ActivityType',
        'CreateFavoriteDto',
        'FavoriteRecordDto',
        'FavoriteActivityDto',
        'FavoriteListResponseDto',
        'Problem',
      ]),
    )
    expect(document.components.schemas.ActivityType).toMatchObject({
      type: 'string',
      enum: ['SLOT_BASED', 'SERVICE'],
    })
    const activity = document.components.schemas.FavoriteActivityDto as {
      properties: Record<string, unknown>
    }
    expect(activity.properties.type).toEqual({ $ref: '#/components/schemas/ActivityType' })
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
  })

  // The contract suite checks the same byte for byte against `wrangler dev`; this catches a drift in the fast suite.
  it('serves exactly the committed contract, test/contract/openapi.json (`npm run openapi:snapshot`)', async () => {
    const served = await (await SELF.fetch('https://api.test/openapi.json')).json()
    expect(served).toEqual(committedDocument)
  })

  it('puts the bearer security requirement on every favourites operation', async () => {
    const document = (await (await SELF.fetch('https://api.test/openapi.json')).json()) as Document
    const operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/favorites'))
      .flatMap(([, methods]) => Object.values(methods))
    expect(operations).toHaveLength(7)
    for (const operation of operations) expect(operation.security).toEqual([{ bearerAuth: [] }])
  })

  it('serves Swagger UI from its own assets, with no third-party CDN', async () => {
    const page = await SELF.fetch('https://api.test/ui')
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('/ui/swagger-ui-dist/swagger-ui-bundle.js')
    expect(html).toContain('/openapi.json')
    expect(html).toContain('<title>Activity favourites API</title>')
    // A token typed into the page survives a reload.
    expect(html).toContain('persistAuthorization: true')
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/)
    // In production the asset layer answers before the Worker; the pool exposes that layer as `ASSETS`.
    const bundle = await (env.ASSETS as Fetcher).fetch(
      'https://api.test/ui/swagger-ui-dist/swagger-ui-bundle.js',
    )
    expect(bundle.status).toBe(200)
    expect((await bundle.text()).length).toBeGreaterThan(100_000)
  })

  it('answers an unknown route with a 404 problem carrying the request id', async () => {
    const problem = await expectProblem(await api('/nothing-here'), 404)
    expect(problem.detail).toBe('No route for GET /nothing-here')
  })

  it('puts secure headers and a request id on every response', async () => {
    const response = await SELF.fetch('https://api.test/favorites')
    expect(response.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(response.headers.get('Strict-Transport-Security')).toContain('max-age=')
    // Server-Timing is for this API's own clients: no other origin's script may read it.
    expect(response.headers.get('Server-Timing')).toMatch(/total;dur=/)
    expect(response.headers.get('Timing-Allow-Origin')).toBeNull()
  })
})
