/** GET /analytics/favorites with `Accept: text/csv`: RFC 4180, formula neutralisation, headers, paging. */
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { api } from '../../support/api'
import { createActivity, createFavorite, createUser, newCompanyId, testDb } from '../../support/database'
import { staffToken } from '../../support/tokens'

const HEADER = 'activityId,activityName,activityType,totalFavorites,favoritesInPeriod,lastFavoritedAt'

async function csv(token: string, query = '', accept = 'text/csv') {
  const response = await api(`/analytics/favorites${query}`, { token, headers: { Accept: accept } })
  expect(response.status, await response.clone().text()).toBe(200)
  return { response, text: await response.text() }
}

/** A small RFC 4180 reader, to check that what we write reads back as what we meant. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(cell)
      cell = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += ch
  }
  expect(quoted).toBe(false)
  expect(cell).toBe('')
  expect(row).toEqual([])
  return rows
}

describe('GET /analytics/favorites as CSV', () => {
  it('answers a CRLF CSV with a header row, the same rows as JSON, and download headers', async () => {
    const companyId = newCompanyId()
    const popular = await createActivity({ companyId, name: 'Kayak', type: 'SLOT_BASED' })
    const quiet = await createActivity({ companyId, name: 'Yoga', type: 'SERVICE' })
    const at = new Date('2026-03-10T08:30:00.250Z')
    await createFavorite(await createUser(), popular.id, at)
    await createFavorite(await createUser(), popular.id, new Date('2026-01-10T08:30:00Z'))
    const token = await staffToken(companyId)
    const { response, text } = await csv(token, '?from=2026-03-01&to=2026-04-01')
    expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('Content-Disposition')).toBe(
      'attachment; filename="favorites-analytics-2026-03-01-2026-04-01.csv"',
    )
    expect(response.headers.get('Cache-Control')).toBe('private, max-age=60')
    expect(response.headers.get('Vary')).toContain('Accept')
    expect(response.headers.get('Link')).toBeNull()
    expect(text).toBe(
      `${HEADER}\r\n` +
        `${popular.id},Kayak,SLOT_BASED,2,1,2026-03-10T08:00:00Z\r\n` +
        `${quiet.id},Yoga,SERVICE,0,0,\r\n`,
    )
  })

  it('quotes quotes, commas and line breaks, and neutralises formulas', async () => {
    const companyId = newCompanyId()
    const names = [
      'Say "cheese"',
      'Wine, cheese',
      'Line\nbreak',
      'Carriage\r\nreturn',
      '=HYPERLINK("http://evil.example","click")',
      '+1 boat',
      '-2 boats',
      '@SUM(A1:A2)',
      '\tTabbed',
      '\rReturned',
      'Plain café 🚣',
      'Mid=dle+of-text@ok',
    ]
    const ids = new Map<string, string>()
    for (const name of names) ids.set((await createActivity({ companyId, name })).id, name)
    const { text } = await csv(await staffToken(companyId), '?sort=name')
    const rows = parseCsv(text)
    expect(rows[0]?.join(',')).toBe(HEADER)
    expect(rows).toHaveLength(names.length + 1)
    const expected = (name: string) => (/^[=+\-@\t\r]/.test(name) ? `'${name}` : name)
    for (const row of rows.slice(1)) {
      expect(row).toHaveLength(6)
      const name = ids.get(row[0] as string) as string
      expect(row[1]).toBe(expected(name))
    }
    // The raw text, for a few of them.
    expect(text).toContain(',"Say ""cheese""",')
    expect(text).toContain(',"Wine, cheese",')
    expect(text).toContain(',"Line\nbreak",')
    expect(text).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",`)
    expect(text).toContain(",'+1 boat,")
    expect(text).toContain(",'-2 boats,")
    expect(text).toContain(",'@SUM(A1:A2),")
    expect(text).toContain(",'\tTabbed,")
    expect(text).toContain(`,"'\rReturned",`)
    expect(text).toContain(',Mid=dle+of-text@ok,')
  })

  it('names the file by date-time when the period is not whole days, in the zone', async () => {
    const companyId = newCompanyId()
    const token = await staffToken(companyId)
    const { response } = await csv(token, '?from=2026-03-01T10:00:00Z&to=2026-03-02')
    expect(response.headers.get('Content-Disposition')).toBe(
      'attachment; filename="favorites-analytics-20260301T100000Z-2026-03-02.csv"',
    )
    const berlin = await csv(token, '?from=2026-03-01T10:00:00Z&to=2026-03-02&tz=Europe/Berlin')
    expect(berlin.response.headers.get('Content-Disposition')).toBe(
      'attachment; filename="favorites-analytics-20260301T110000+0100-2026-03-02.csv"',
    )
  })

  it('keeps to the activities of the asked type, whatever the sort', async () => {
    const companyId = newCompanyId()
    const kayak = await createActivity({ companyId, name: 'Kayak', type: 'SLOT_BASED' })
    const yoga = await createActivity({ companyId, name: 'Yoga', type: 'SERVICE' })
    await createFavorite(await createUser(), kayak.id, new Date('2026-03-10T08:30:00Z'))
    const token = await staffToken(companyId)
    for (const sort of ['total', 'inPeriod', 'name', 'lastFavorited']) {
      const { text } = await csv(token, `?from=2026-03-01&to=2026-04-01&type=SERVICE&sort=${sort}`)
      expect(text, sort).toBe(`${HEADER}\r\n${yoga.id},Yoga,SERVICE,0,0,\r\n`)
    }
  })

  it('adds the previous period as a column with compare=previous', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId, name: 'Kayak' })
    await createFavorite(await createUser(), activity.id, new Date('2026-02-25T12:00:00Z'))
    const { text } = await csv(await staffToken(companyId), '?from=2026-03-01&to=2026-03-08&compare=previous')
    expect(parseCsv(text)).toEqual([
      [...HEADER.split(',').slice(0, 5), 'favoritesInPreviousPeriod', 'lastFavoritedAt'],
      [activity.id, 'Kayak', 'SLOT_BASED', '1', '0', '1', '2026-02-25T12:00:00Z'],
    ])
  })

  it('negotiates by Accept: JSON by default, for */* and when JSON is preferred', async () => {
    const companyId = newCompanyId()
    await createActivity({ companyId })
    const token = await staffToken(companyId)
    for (const accept of ['*/*', 'application/json', 'text/csv;q=0.5, application/json', 'text/html']) {
      const response = await api('/analytics/favorites', { token, headers: { Accept: accept } })
      expect(response.headers.get('Content-Type'), accept).toMatch(/^application\/json/)
    }
    for (const accept of ['text/csv', 'text/*', 'application/json;q=0.1, text/csv']) {
      const response = await api('/analytics/favorites', { token, headers: { Accept: accept } })
      expect(response.headers.get('Content-Type'), accept).toBe('text/csv; charset=utf-8')
    }
  })

  it('ignores limit, and pages of 10,000 rows continue through the Link header', async () => {
    const companyId = newCompanyId()
    const total = 10_001
    await testDb.execute(sql`
      INSERT INTO activities.activities (company_id, name, type)
      SELECT ${companyId}::uuid, 'Bulk ' || lpad(n::text, 5, '0'), 'SERVICE'
      FROM generate_series(1, ${total}) AS n`)
    const token = await staffToken(companyId)
    const first = await csv(token, '?sort=name&limit=5')
    const firstRows = parseCsv(first.text)
    expect(firstRows).toHaveLength(10_000 + 1)
    const link = first.response.headers.get('Link') ?? ''
    const next = /^<([^>]+)>; rel="next"$/.exec(link)?.[1]
    expect(next).toMatch(/^\/analytics\/favorites\?.*cursor=/)
    const second = await api(next as string, { token, headers: { Accept: 'text/csv' } })
    const secondRows = parseCsv(await second.text())
    expect(second.headers.get('Link')).toBeNull()
    expect(secondRows).toEqual([
      HEADER.split(','),
      [expect.any(String), 'Bulk 10001', 'SERVICE', '0', '0', ''],
    ])
    const ids = new Set([...firstRows.slice(1), ...secondRows.slice(1)].map((row) => row[0]))
    expect(ids.size).toBe(total)
    // 10,001 activities (each with its counts row since 0005) and two 10k-row answers: seconds on a loaded machine.
  }, 30_000)
})
