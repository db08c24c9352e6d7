/**
 * How the client surface's GETs revalidate (middleware/http-caching.ts): a 200 carries an `ETag`, and the same
 * request with `If-None-Match: <etag>` answers 304 without a body while nothing changed.
 */
import { z } from '@hono/zod-openapi'

const MAX_IF_NONE_MATCH_LENGTH = 1024
/** `*`, or entity tags (RFC 9110 §8.8.3), weak or strong, separated by commas. */
const ENTITY_TAGS_PATTERN = '^(\\*|(W/)?"[^"]*"(\\s*,\\s*(W/)?"[^"]*")*)$'

/** Documentation only: the conditional-GET middleware reads the header, no handler does. */
export const IfNoneMatchHeaderSchema = z.object({
  'If-None-Match': z
    .string()
    // Room for a few tags: a client sends back the one it was given.
    .max(MAX_IF_NONE_MATCH_LENGTH)
    .optional()
    .openapi({
      param: {
        description: 'The `ETag` of a previous answer: 304 without a body while the answer is unchanged.',
      },
      pattern: ENTITY_TAGS_PATTERN,
    }),
})

const ETAG_HEADER = {
  description: 'A tag of this answer; send it back in `If-None-Match` to revalidate.',
  // Hono's etag middleware: a strong tag over the body's SHA-1 (40 hex digits, quoted).
  schema: { type: 'string' as const, maxLength: 64, pattern: '^(W/)?"[^"]+"$' },
}

/** Headers of a conditional GET's 200. */
export const CONDITIONAL_GET_HEADERS = {
  ETag: ETAG_HEADER,
  'Cache-Control': {
    description: 'Per user, and revalidated before reuse.',
    schema: { type: 'string' as const, enum: ['private, no-cache'] },
  },
}

export const NOT_MODIFIED_RESPONSE = {
  description: 'Not modified since the `ETag` sent in `If-None-Match`.',
  headers: { ETag: ETAG_HEADER },
}
