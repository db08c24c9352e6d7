import { swaggerUI } from '@hono/swagger-ui'
import type { App } from '../app/types'
import { MAX_REQUEST_ID_LENGTH, REQUEST_ID_PATTERN } from '../problems/problem-error'

/** Headers every response carries, said once here rather than in every route. */
const EVERY_RESPONSE_HEADERS = {
  // Hono's request-id middleware.
  'X-Request-Id': {
    description:
      'The request id (also the `requestId` of a problem body): quote it when reporting a problem. A caller ' +
      'may send its own (at most 255 letters, digits, `_`, `-` or `=`); otherwise it is a new UUID.',
    schema: { type: 'string', maxLength: MAX_REQUEST_ID_LENGTH, pattern: REQUEST_ID_PATTERN },
  },
  // middleware/cors.ts: nothing at all for another origin, or when `CORS_ORIGINS` is empty.
  'Access-Control-Allow-Origin': {
    description:
      "Only when the request's `Origin` is one of the `CORS_ORIGINS` setting: that origin, echoed. Absent " +
      'otherwise, so a browser on any other origin cannot read the answer.',
    schema: { type: 'string', format: 'uri', maxLength: 2048 },
  },
}

type Document = ReturnType<App['getOpenAPI31Document']>

function withEveryResponseHeaders(document: Document): Document {
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem ?? {})) {
      const responses = (operation as { responses?: Record<string, { headers?: Record<string, unknown> }> })
        .responses
      for (const response of Object.values(responses ?? {})) {
        response.headers = { ...response.headers, ...EVERY_RESPONSE_HEADERS }
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
      'A JWT, verified as RFC8725 (JWT best current practices) asks: the algorithms are pinned (HS256 with the shared secret in dev and tests; ' +
      "RS256, ES256 or EdDSA from the identity provider's JWKS in production), so `alg: none` and any other " +
      'algorithm are refused; `exp` and `sub` are required; `exp`, `nbf`, `iss` and `aud` are checked.',
  })
  const document: Parameters<App['getOpenAPI31Document']>[0] = {
    openapi: '3.1.0',
    info: {
      title: 'Activity favourites API',
      version: '1.0.0',
      contact: { name: 'The activity favourites API team' },
      description:
        'Users favourite activities; companies see how many people favourited their activities, never who. ' +
        'Errors are RFC 9457 problem details (`application/problem+json`). A documented path asked with a method ' +
        'it does not serve answers 405 with `Allow`; an unknown path answers 404.',
    },
    // Relative: Swagger UI and generated clients call the host that served this document (dev or deployed).
    // `x-internal`: the platform's own app and dashboard call it, not third parties.
    servers: [
      {
        url: '/',
        description: 'The host serving this document: production when deployed, local under `npm run dev`',
        'x-internal': true,
      },
    ],
    tags: [
      { name: 'favorites', description: 'The mobile app: a user and their favourites.' },
      { name: 'analytics', description: "A company's dashboard: aggregated counts only." },
      { name: 'health', description: 'Operations.' },
    ],
  }
  app.get('/openapi.json', (c) => c.json(withEveryResponseHeaders(app.getOpenAPI31Document(document))))
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
