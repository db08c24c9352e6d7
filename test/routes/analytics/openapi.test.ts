/** The analytics contract as the OpenAPI document states it. */
import { describe, expect, it } from 'vitest'
import { api } from '../../support/api'

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> }
}

describe('analytics in /openapi.json', async () => {
  const doc = (await (await api('/openapi.json')).json()) as Doc

  it('names the DTOs and references ActivityType', () => {
    const item = doc.components.schemas.FavoriteActivityAnalyticsItemDto
    expect(Object.keys(item?.properties ?? {}).sort()).toEqual(
      [
        'activityId',
        'activityName',
        'activityType',
        'favoritesInPeriod',
        'favoritesInPreviousPeriod',
        'lastFavoritedAt',
        'totalFavorites',
      ].sort(),
    )
    expect(item?.properties?.activityType).toEqual({ $ref: '#/components/schemas/ActivityType' })
    const response = doc.components.schemas.FavoriteAnalyticsResponseDto
    expect(response?.properties?.items).toEqual({
      type: 'array',
      maxItems: 100,
      items: { $ref: '#/components/schemas/FavoriteActivityAnalyticsItemDto' },
    })
    expect(doc.components.schemas.FavoriteTimeseriesResponseDto).toBeDefined()
  })

  it('documents JSON and CSV for the table, and exactly the statuses each route returns', () => {
    const table = doc.paths['/analytics/favorites']?.get
    expect(Object.keys(table?.responses['200']?.content ?? {})).toEqual(['application/json', 'text/csv'])
    expect(Object.keys(table?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '429',
      '500',
      '503',
    ])
    const series = doc.paths['/analytics/favorites/timeseries']?.get
    expect(Object.keys(series?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '429',
      '500',
      '503',
    ])
  })

  it('has no user field anywhere in the analytics schemas', () => {
    const analytics = Object.entries(doc.components.schemas).filter(([name]) =>
      /Analytics|Timeseries/.test(name),
    )
    expect(analytics.length).toBeGreaterThanOrEqual(4)
    expect(JSON.stringify(analytics)).not.toMatch(/user/i)
  })
})
