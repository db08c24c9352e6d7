import { swaggerUI } from '@hono/swagger-ui'
import type { App } from '../app/types'

/** The OpenAPI 3.1 document and Swagger UI, in dev and deployed alike. */
export function registerDocs(app: App): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'End users: `sub` is the user id. Company staff: `company_id` and `roles` containing `favorites:analytics`.',
  })
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Activity favourites API',
      version: '1.0.0',
      description:
        'Users favourite activities; companies see how many people favourited their activities, never who. ' +
        'Errors are RFC 9457 problem details (`application/problem+json`).',
    },
    // Relative: Swagger UI and generated clients call the host that served this document (dev or deployed).
    servers: [{ url: '/', description: 'The host serving this document' }],
    tags: [
      { name: 'favorites', description: 'The mobile app: a user and their favourites.' },
      { name: 'analytics', description: "A company's dashboard: aggregated counts only." },
      { name: 'health', description: 'Operations.' },
    ],
  })
  // `baseUrl: '/ui'` points the page at `/ui/swagger-ui-dist/*`, the Worker's own static assets (no CDN).
  app.get(
    '/ui',
    swaggerUI({
      url: '/openapi.json',
      baseUrl: '/ui',
      title: 'Activity favourites API',
      persistAuthorization: true,
    }),
  )
}
