import { z } from '@hono/zod-openapi'

export const MAX_PAGE_SIZE = 100
export const DEFAULT_PAGE_SIZE = 20

/** The `limit` query parameter every paginated route shares: 1 to 100, default 20. */
export const pageLimitSchema = (description: string) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .openapi({ param: { name: 'limit', in: 'query', description }, example: DEFAULT_PAGE_SIZE })

/** The `nextCursor` every paginated response carries. */
export const NextCursorSchema = z
  .string()
  .nullable()
  .openapi({ description: 'Pass as `cursor` to get the next page; `null` on the last page.' })
