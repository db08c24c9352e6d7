/** Size and range limits: a body over 4 KiB is 413 (with or without Content-Length), a non-JSON body is 415, and
 * every list and range in a query is bounded (400). Nothing is stored by a refused write. */
import { describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES } from '../../src/middleware/body-limit'
import { api, expectProblem } from '../support/api'
import { createActivity, createUser, favoriteRows, newCompanyId } from '../support/database'
import { staffToken, userToken } from '../support/tokens'

/** `{"activityId":"<id>","pad":"xxx..."}` of exactly `size` bytes. */
function bodyOfSize(activityId: string, size: number): string {
  const base = JSON.stringify({ activityId, pad: '' })
  const body = JSON.stringify({ activityId, pad: 'x'.repeat(size - base.length) })
  expect(new TextEncoder().encode(body).byteLength).toBe(size)
  return body
}

/** A body sent as a stream: no Content-Length, so the Worker sees a chunked body and must count as it reads. */
function streamOf(text: string, chunkSize = 512): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  let offset = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close()
        return
      }
      controller.enqueue(bytes.slice(offset, offset + chunkSize))
      offset += chunkSize
    },
  })
}

async function fixture() {
  const userId = await createUser()
  const activity = await createActivity()
  return { userId, token: await userToken(userId), activityId: activity.id }
}

const post = (token: string, body: BodyInit, contentType = 'application/json') =>
  api('/favorites', { method: 'POST', token, body, headers: { 'Content-Type': contentType } })

describe('request body size', () => {
  it(`accepts a body of exactly ${MAX_BODY_BYTES} bytes and refuses one byte more with 413, storing nothing`, async () => {
    const { userId, token, activityId } = await fixture()
    const tooBig = await post(token, bodyOfSize(activityId, MAX_BODY_BYTES + 1))
    const problem = await expectProblem(tooBig, 413)
    expect(problem.type).toBe('urn:problem-type:body-too-large')
    expect((await favoriteRows(userId)).rows).toEqual([])

    const atLimit = await post(token, bodyOfSize(activityId, MAX_BODY_BYTES))
    expect(atLimit.status).toBe(201)
  })

  it('refuses a large body sent chunked (no Content-Length) with 413, storing nothing', async () => {
    const { userId, token, activityId } = await fixture()
    const tooBig = await post(token, streamOf(bodyOfSize(activityId, 64 * 1024)))
    await expectProblem(tooBig, 413)
    expect((await favoriteRows(userId)).rows).toEqual([])
    // A small chunked body is read and accepted.
    const small = await post(token, streamOf(JSON.stringify({ activityId }), 8))
    expect(small.status).toBe(201)
  })

  it('refuses a 1 MiB body as early as a 5 KiB one', async () => {
    const { userId, token, activityId } = await fixture()
    await expectProblem(await post(token, bodyOfSize(activityId, 1024 * 1024)), 413)
    expect((await favoriteRows(userId)).rows).toEqual([])
  })
})

describe('content type', () => {
  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/jsonx',
  ])('answers 415 to a POST with Content-Type %s, storing nothing', async (contentType) => {
    const { userId, token, activityId } = await fixture()
    await expectProblem(await post(token, JSON.stringify({ activityId }), contentType), 415)
    expect((await favoriteRows(userId)).rows).toEqual([])
  })

  it('answers 415 to a POST with a body and no Content-Type', async () => {
    const { userId, token, activityId } = await fixture()
    const response = await api('/favorites', {
      method: 'POST',
      token,
      body: new TextEncoder().encode(JSON.stringify({ activityId })),
    })
    await expectProblem(response, 415)
    expect((await favoriteRows(userId)).rows).toEqual([])
  })

  it('accepts JSON with a charset parameter', async () => {
    const { token, activityId } = await fixture()
    const response = await post(token, JSON.stringify({ activityId }), 'application/json; charset=utf-8')
    expect(response.status).toBe(201)
  })
})

describe('bounded lists and ranges (400, with the offending parameter named)', () => {
  const ids = (n: number) => Array.from({ length: n }, () => crypto.randomUUID()).join(',')

  it.each([
    ['/favorites/status?activityIds=', 'query.activityIds'],
    [`/favorites/status?activityIds=${ids(101)}`, 'query.activityIds'],
    ['/favorites?limit=0', 'query.limit'],
    ['/favorites?limit=101', 'query.limit'],
    ['/favorites?limit=-1', 'query.limit'],
    ['/favorites?limit=1e9', 'query.limit'],
    ['/favorites?limit=99999999999999999999999', 'query.limit'],
    [`/favorites?cursor=${'a'.repeat(513)}`, 'query.cursor'],
    [`/favorites/changes?since=${'a'.repeat(513)}`, 'query.since'],
    // RFC 3339 with nanoseconds and an offset is 35 characters; a longer tappedAt is refused, not parsed.
    [`/favorites/${crypto.randomUUID()}?tappedAt=2026-11-27T20:50:36.1234567890+05:45`, 'query.tappedAt'],
  ])('client: %s', async (path, issuePath) => {
    const token = await userToken(await createUser())
    const method = path.includes('tappedAt') ? 'DELETE' : 'GET'
    const problem = await expectProblem(await api(path, { token, method }), 400)
    expect(problem.issues?.map((issue) => issue.path.replace(/\.\d+$/, ''))).toContain(issuePath)
  })

  it('client: 100 ids is the most a status request takes', async () => {
    const token = await userToken(await createUser())
    const response = await api(`/favorites/status?activityIds=${ids(100)}`, { token })
    expect(response.status).toBe(200)
  })

  it.each([
    ['/analytics/favorites?from=2024-01-01&to=2025-01-02', 'query.to'],
    ['/analytics/favorites?from=2025-01-02&to=2025-01-01', 'query.to'],
    ['/analytics/favorites?limit=0', 'query.limit'],
    ['/analytics/favorites?limit=101', 'query.limit'],
    ['/analytics/favorites?from=1969-12-31', 'query.from'],
    ['/analytics/favorites?to=10000-01-01', 'query.to'],
    [`/analytics/favorites?cursor=${'a'.repeat(4097)}`, 'query.cursor'],
    [`/analytics/favorites?from=2026-01-01T00:00:00.0000000000+00:00`, 'query.from'],
    ['/analytics/favorites/timeseries?from=2020-01-01&to=2021-03-01&interval=day', 'query.interval'],
    ['/analytics/favorites/timeseries?from=1970-01-01&to=2010-01-01&interval=month', 'query.interval'],
  ])('business: %s', async (path, issuePath) => {
    const token = await staffToken(newCompanyId())
    const problem = await expectProblem(await api(path, { token }), 400)
    expect(problem.issues?.map((issue) => issue.path)).toContain(issuePath)
  })

  it('business: a year (366 days) is the longest period', async () => {
    const token = await staffToken(newCompanyId())
    const response = await api('/analytics/favorites?from=2024-01-01&to=2025-01-01', { token })
    expect(response.status).toBe(200)
  })
})

describe('problem bodies', () => {
  it('stay within their documented bounds when the request is large: detail cut, at most 100 issues', async () => {
    const token = await userToken(await createUser())
    // 100 invalid changes, two issues each: 200 issues, and a detail that quotes each of them.
    const changes = Array.from({ length: 100 }, () => ({ activityId: 'not-a-uuid', favorited: 'yes' }))
    const response = await api('/favorites/batch', {
      method: 'POST',
      token,
      body: JSON.stringify({ changes }),
      headers: { 'Content-Type': 'application/json' },
    })
    const problem = await expectProblem(response, 400)
    expect(problem.issues).toHaveLength(100)
    expect(problem.detail.length).toBeLessThanOrEqual(2048)
    expect(problem.detail.endsWith('…')).toBe(true)
  })

  it('cut a quoted unknown parameter to 512 characters in its issue', async () => {
    const token = await userToken(await createUser())
    const key = 'k'.repeat(3000)
    const problem = await expectProblem(await api(`/favorites?${key}=1`, { token }), 400)
    const [issue] = problem.issues ?? []
    expect(issue?.message.length).toBe(512)
    expect(issue?.message.startsWith('Unrecognized key')).toBe(true)
    expect(problem.detail.length).toBeLessThanOrEqual(2048)
  })
})
