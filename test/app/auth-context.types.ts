/**
 * Compile-time checks (run by `npm run typecheck`, not by vitest): who is calling is only visible behind the
 * auth middleware of its surface. If a route without `requireEndUser` could read `userId`, or a client route could
 * read `companyId`, the `@ts-expect-error` lines below would stop being errors and tsc would fail.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { createApp } from '../../src/app/create-app'
import { clientRoute, staffRoute } from '../../src/routes/surface-route'

const router = createApp()
const ok = { 200: { description: 'ok', content: { 'application/json': { schema: z.object({}) } } } }

// A route that forgot its auth middleware: no caller in its context.
router.openapi(createRoute({ method: 'get', path: '/unauthenticated', responses: ok }), (c) => {
  // @ts-expect-error userId is only set by requireEndUser
  c.get('userId')
  // @ts-expect-error companyId is only set by requireAnalyticsStaff
  c.get('companyId')
  return c.json({}, 200)
})

router.openapi(
  clientRoute(
    { method: 'get', path: '/client', operationId: 'client', request: {}, responses: ok },
    { instance: '/', statuses: [] },
  ),
  (c) => {
    const userId: string = c.get('userId')
    // @ts-expect-error a client route never sees a company
    c.get('companyId')
    return c.json({ userId }, 200)
  },
)

router.openapi(
  staffRoute(
    { method: 'get', path: '/staff', operationId: 'staff', request: {}, responses: ok },
    { instance: '/', statuses: [] },
  ),
  (c) => {
    const companyId: string = c.get('companyId')
    // @ts-expect-error a business route never sees a user
    c.get('userId')
    return c.json({ companyId }, 200)
  },
)
