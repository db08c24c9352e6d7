import { swaggerUI } from '@hono/swagger-ui'
import type { App } from '../app/types'

const REQUEST_ID_HEADER = {
  description: 'The request id (also the `requestId` of a problem body): quote it when reporting a problem.',
  schema: { type: 'string' },
}

type Document = ReturnType<App['getOpenAPI31Document']>

/** Every response carries `X-Request-Id` (Hono's request-id middleware): said once here, not in every route. */
function withRequestIdHeader(document: Document): Document {
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem ?? {})) {
      const responses = (operation as { responses?: Record<string, { headers?: Record<string, unknown> }> })
        .responses
      for (const response of Object.values(responses ?? {})) {
        response.headers = { ...response.headers, 'X-Request-Id': REQUEST_ID_HEADER }
      }
    }
  }
  return document
}

/** The OpenAPI 3.1 document and Swagger UI, in dev and deployed alike. */
export function registerDocs(app: App): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'End users: `sub` is the user id. Company staff: `company_id` and `roles` containing `favorites:analytics`.\n\n' +
      'A JWT, verified as RFC 8725 asks: the algorithms are pinned (HS256 with the shared secret in dev and tests; ' +
      "RS256, ES256 or EdDSA from the identity provider's JWKS in production), so `alg: none` and any other " +
      'algorithm are refused; `exp` and `sub` are required; `exp`, `nbf`, `iss` and `aud` are checked.',
  })
  const document: Parameters<App['getOpenAPI31Document']>[0] = {
    openapi: '3.1.0',
    info: {
      title: 'Activity favourites API',
      version: '1.0.0',
      description:
        'Users favourite activities; companies see how many people favourited their activities, never who. ' +
        'Errors are RFC 9457 problem details (`application/problem+json`). A documented path asked with a method ' +
        'it does not serve answers 405 with `Allow`; an unknown path answers 404.',
    },
    // Relative: Swagger UI and generated clients call the host that served this document (dev or deployed).
    servers: [{ url: '/', description: 'The host serving this document' }],
    tags: [
      { name: 'favorites', description: 'The mobile app: a user and their favourites.' },
      { name: 'analytics', description: "A company's dashboard: aggregated counts only." },
      { name: 'health', description: 'Operations.' },
    ],
  }
  app.get('/openapi.json', (c) => c.json(withRequestIdHeader(app.getOpenAPI31Document(document))))
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
