/**
 * The OpenAPI document, produced in-process: the Worker's Hono app (`app`, exported beside the Worker) is imported
 * into Node and asked for `/openapi.json` with `app.request()`. No server, no port, no database: building the
 * document touches none of them. The contract tests check that this is byte-for-byte what the running Worker serves.
 */
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The slice of Hono's app this needs. The app is imported untyped: its types are the Worker's, not Node's. */
interface InProcessApp {
  request(path: string, init: RequestInit, env: Record<string, string>): Response | Promise<Response>
}

const APP_MODULE = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url))).href

/**
 * Placeholder bindings: the Worker validates its configuration per request, and `/openapi.json` reads none of it.
 * Nothing here is a real secret.
 */
const PLACEHOLDER_ENV: Record<string, string> = {
  DATABASE_URL: 'postgresql://openapi:export@db.localtest.me/openapi',
  JWT_ISSUER: 'https://auth.example.com/',
  JWT_AUDIENCE: 'activity-favorites-api',
  JWT_SECRET: 'openapi-export-placeholder-secret-0123456789',
}

export type OpenApiDocument = {
  openapi: string
  info: Record<string, unknown>
  paths: Record<string, Record<string, unknown>>
  components: Record<string, Record<string, unknown>>
  [key: string]: unknown
}

export async function buildOpenApiDocument(): Promise<OpenApiDocument> {
  const module = (await import(APP_MODULE)) as { app: InProcessApp }
  const response = await module.app.request('/openapi.json', { method: 'GET' }, PLACEHOLDER_ENV)
  if (response.status !== 200) {
    throw new Error(`GET /openapi.json answered ${response.status}: ${await response.text()}`)
  }
  return (await response.json()) as OpenApiDocument
}

/** The document as written to disk: 2-space JSON and a final newline, so that diffs stay readable. */
export const serializeDocument = (document: OpenApiDocument): string =>
  `${JSON.stringify(document, null, 2)}\n`
