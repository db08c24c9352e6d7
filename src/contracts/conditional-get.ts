/**
 * How the client surface's GETs revalidate (middleware/http-caching.ts): a 200 carries an `ETag`, and the same
 * request with `If-None-Match: <etag>` answers 304 without a body while nothing changed.
 */
import { z } from '@hono/zod-openapi'

/** Documentation only: the conditional-GET middleware reads the header, no handler does. */
export const IfNoneMatchHeaderSchema = z.object({
  'If-None-Match': z
    .string()
    .optional()
    .openapi({
      param: {
        name: 'If-None-Match',
        in: 'header',
        description: 'The `ETag` of a previous answer: 304 without a body while the answer is unchanged.',
      },
    }),
})

const ETAG_HEADER = {
  description: 'A tag of this answer; send it back in `If-None-Match` to revalidate.',
  schema: { type: 'string' as const },
}

/** Headers of a conditional GET's 200. */
export const CONDITIONAL_GET_HEADERS = {
  ETag: ETAG_HEADER,
  'Cache-Control': {
    description: '`private, no-cache`: per user, and revalidated before reuse.',
    schema: { type: 'string' as const },
  },
}

export const NOT_MODIFIED_RESPONSE = {
  description: 'Not modified since the `ETag` sent in `If-None-Match`.',
  headers: { ETag: ETAG_HEADER },
}
