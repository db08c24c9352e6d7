import { createRoute, z } from '@hono/zod-openapi'
import { sql } from 'drizzle-orm'
import type { App } from '../app/types'
import { problemResponses } from '../contracts/problem'
import { database } from '../middleware/database'

export const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  tags: ['health'],
  summary: 'Liveness and database reachability',
  description:
    'Public (no token): answers 200 when the Worker runs and the database answers one `SELECT 1`, 503 otherwise.',
  // Explicitly public: the only operation without the bearer requirement.
  security: [],
  responses: {
    200: {
      description: 'The Worker runs and the database answers.',
      content: {
        'application/json': {
          schema: z.object({ status: z.literal('ok') }).openapi('Health'),
          example: { status: 'ok' },
        },
      },
    },
    ...problemResponses({ instance: '/health' }, 500, 503),
  },
})

export function registerHealth(app: App) {
  // Stryker disable next-line StringLiteral: equivalent, every role but 'analytics' is the primary (middleware/database.ts)
  app.use(healthRoute.path, database('primary'))
  app.openapi(healthRoute, async (c) => {
    // Stryker disable next-line StringLiteral: an empty statement is a round trip too; either proves the database answers
    await c.get('db').execute(sql`SELECT 1`)
    return c.json({ status: 'ok' as const }, 200)
  })
}
