/** The business surface: who may call it, tenant isolation, and that no answer ever names a user. */
import { describe, expect, it } from 'vitest'
import { api, expectProblem } from '../../support/api'
import { createActivity, createFavorite, createUser, newCompanyId } from '../../support/database'
import { signToken, staffToken, userToken } from '../../support/tokens'

const ROUTES = ['/analytics/favorites', '/analytics/favorites/timeseries']

describe('analytics auth', () => {
  it.each(ROUTES)('%s: 401 without a token or with a bad one', async (path) => {
    const none = await expectProblem(await api(path), 401)
    expect(none.type).toBe('urn:problem-type:unauthorized')
    await expectProblem(await api(path, { token: 'not-a-jwt' }), 401)
    const expired = await staffToken(newCompanyId(), { expiresIn: -60 })
    await expectProblem(await api(path, { token: expired }), 401)
  })

  it.each(ROUTES)('%s: 403 for an end-user token', async (path) => {
    const token = await userToken(await createUser())
    const problem = await expectProblem(await api(path, { token }), 403)
    expect(problem.type).toBe('urn:problem-type:forbidden')
  })

  it.each(ROUTES)('%s: 403 for a staff token without the analytics role', async (path) => {
    const companyId = newCompanyId()
    for (const roles of [[], ['favorites:admin'], 'favorites:analytics', undefined]) {
      const token = await signToken(crypto.randomUUID(), { claims: { company_id: companyId, roles } })
      await expectProblem(await api(path, { token }), 403)
    }
  })

  it.each(ROUTES)('%s: auth comes before validation (no token + bad query = 401)', async (path) => {
    await expectProblem(await api(`${path}?from=bad&limit=0`), 401)
    const token = await userToken(await createUser())
    await expectProblem(await api(`${path}?from=bad&limit=0`, { token }), 403)
  })
})

describe('analytics tenant isolation', () => {
  it("never shows another company's activities or counts", async () => {
    const a = newCompanyId()
    const b = newCompanyId()
    const mine = await createActivity({ companyId: a, name: 'Mine' })
    const theirs = await createActivity({ companyId: b, name: 'Theirs' })
    const user = await createUser()
    await createFavorite(user, mine.id)
    await createFavorite(user, theirs.id)
    const other = await createUser()
    await createFavorite(other, theirs.id)

    const listA = await api('/analytics/favorites', { token: await staffToken(a) })
    const bodyA = (await listA.json()) as { items: { activityId: string; totalFavorites: number }[] }
    expect(bodyA.items).toEqual([expect.objectContaining({ activityId: mine.id, totalFavorites: 1 })])

    const listB = await api('/analytics/favorites', { token: await staffToken(b) })
    const bodyB = (await listB.json()) as { items: { activityId: string; totalFavorites: number }[] }
    expect(bodyB.items).toEqual([expect.objectContaining({ activityId: theirs.id, totalFavorites: 2 })])

    const csvA = await (
      await api('/analytics/favorites', { token: await staffToken(a), headers: { Accept: 'text/csv' } })
    ).text()
    expect(csvA).toContain(mine.id)
    expect(csvA).not.toContain(theirs.id)

    const seriesA = (await (
      await api('/analytics/favorites/timeseries', { token: await staffToken(a) })
    ).json()) as {
      buckets: { favorites: number }[]
    }
    expect(seriesA.buckets.reduce((sum, b) => sum + b.favorites, 0)).toBe(1)
  })

  it("answers 404 for another company's activity exactly as for one that does not exist", async () => {
    const a = newCompanyId()
    const theirs = await createActivity({ companyId: newCompanyId() })
    await createFavorite(await createUser(), theirs.id)
    const token = await staffToken(a)
    const foreign = await expectProblem(
      await api(`/analytics/favorites/timeseries?activityId=${theirs.id}`, { token }),
      404,
    )
    const missingId = crypto.randomUUID()
    const missing = await expectProblem(
      await api(`/analytics/favorites/timeseries?activityId=${missingId}`, { token }),
      404,
    )
    expect({ ...foreign, requestId: '', detail: foreign.detail.replace(theirs.id, 'ID') }).toEqual({
      ...missing,
      requestId: '',
      detail: missing.detail.replace(missingId, 'ID'),
    })
    // Also when the company has activities of its own.
    await createActivity({ companyId: a })
    await expectProblem(await api(`/analytics/favorites/timeseries?activityId=${theirs.id}`, { token }), 404)
  })

  it('uses the company of the token, lower-cased, whatever its spelling', async () => {
    const companyId = newCompanyId()
    const activity = await createActivity({ companyId })
    const response = await api('/analytics/favorites', { token: await staffToken(companyId.toUpperCase()) })
    const body = (await response.json()) as { items: { activityId: string }[] }
    expect(body.items.map((i) => i.activityId)).toEqual([activity.id])
  })

  it('refuses a cursor issued to another company', async () => {
    const a = newCompanyId()
    const b = newCompanyId()
    for (let n = 0; n < 2; n++) {
      await createActivity({ companyId: a })
      await createActivity({ companyId: b })
    }
    const first = await api('/analytics/favorites?limit=1', { token: await staffToken(a) })
    const { nextCursor } = (await first.json()) as { nextCursor: string }
    const problem = await expectProblem(
      await api(`/analytics/favorites?limit=1&cursor=${nextCursor}`, { token: await staffToken(b) }),
      400,
    )
    expect(problem.issues?.map((i) => i.path)).toEqual(['query.cursor'])
  })
})

describe('never a user', () => {
  it('no analytics answer (JSON, CSV, timeseries, any sort) carries a user id', async () => {
    const companyId = newCompanyId()
    const activities = [
      await createActivity({ companyId, name: 'One' }),
      await createActivity({ companyId, name: 'Two', type: 'SERVICE' }),
    ]
    const userIds: string[] = []
    for (let n = 0; n < 6; n++) userIds.push(await createUser())
    const now = Date.now()
    for (const [n, userId] of userIds.entries()) {
      for (const activity of activities)
        await createFavorite(userId, activity.id, new Date(now - n * 3_600_000))
    }
    const token = await staffToken(companyId)
    const paths = [
      '/analytics/favorites',
      '/analytics/favorites?limit=1',
      '/analytics/favorites?sort=lastFavorited',
      '/analytics/favorites?sort=name&order=desc',
      '/analytics/favorites/timeseries',
      '/analytics/favorites/timeseries?interval=week',
      `/analytics/favorites/timeseries?activityId=${activities[0]?.id}`,
    ]
    const bodies: string[] = []
    for (const path of paths) {
      for (const accept of ['application/json', 'text/csv']) {
        const response = await api(path, { token, headers: { Accept: accept } })
        expect(response.status).toBe(200)
        bodies.push(await response.text(), JSON.stringify([...response.headers]))
      }
    }
    // Also the next page, through the cursor.
    const first = await api('/analytics/favorites?limit=1', { token })
    const firstPage = (await first.json()) as { nextCursor: string }
    const second = await api(`/analytics/favorites?limit=1&cursor=${firstPage.nextCursor}`, { token })
    bodies.push(
      await second.text(),
      atob((firstPage.nextCursor.split('.')[0] ?? '').replaceAll('-', '+').replaceAll('_', '/')),
    )

    const everything = bodies.join('\n').toLowerCase()
    expect(everything).toContain(activities[0]?.id)
    for (const userId of userIds) {
      expect(everything).not.toContain(userId.toLowerCase())
      expect(everything).not.toContain(userId.replaceAll('-', '').toLowerCase())
    }
    expect(everything).not.toMatch(/user_?id/)
  })
})
