/**
 * TypeScript types for an API client, generated from the OpenAPI document with openapi-typescript (used with
 * openapi-fetch). openapi-typescript needs TypeScript 5's compiler API, which the project's TypeScript 7 no longer
 * has: it is installed with its own TypeScript 5 in tools/openapi/typegen (a `file:` dev dependency).
 */
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typegen'

/**
 * The generator's options. `rootTypes` also exports every component schema as a top-level type, so
 * `import type { ActivityType, FavoriteRecordDto } from './schema'` works next to `components['schemas'][...]`.
 */
export const CLIENT_TYPE_OPTIONS = { rootTypes: true, rootTypesNoSchemaPrefix: true } as const

/** `document`: the parsed OpenAPI document; `source` names where it came from, for the file's header. */
export async function generateClientTypes(document: object, source: string): Promise<string> {
  const ast = await openapiTS(JSON.stringify(document), CLIENT_TYPE_OPTIONS)
  return `${COMMENT_HEADER}// Generated from ${source} by \`npm run client:generate\` (tools/openapi/generate-client.ts).\n\n${astToString(ast)}`
}
