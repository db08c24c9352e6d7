import { z } from '@hono/zod-openapi'
import { MAX_CURSOR_LENGTH, signedCursorSchema } from './bounded'

export const MAX_PAGE_SIZE = 100
export const DEFAULT_PAGE_SIZE = 20

/** Decimal digits only: `0x3`, `3e0`, `3.0`, `+3` or ` 3` stay strings, and fail as "expected number". */
const DIGITS = /^\d{1,15}$/

/** A query integer, strictly: what the document calls `type: integer` and nothing a lenient parser would accept. */
export const queryInteger = <T extends z.ZodType>(schema: T) =>
  // Stryker disable next-line ConditionalExpression: equivalent, a query value is a string or absent, and DIGITS refuses "undefined"
  z.preprocess((value) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value), schema)

/** The `limit` query parameter every paginated route shares: 1 to 100, default 20. */
export const pageLimitSchema = (description: string) =>
  queryInteger(z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE)).openapi({
    param: { description },
    format: 'int32',
    example: DEFAULT_PAGE_SIZE,
  })

/** The `nextCursor` every paginated response carries. */
export const NextCursorSchema = signedCursorSchema(MAX_CURSOR_LENGTH)
  .nullable()
  .openapi({ description: 'Pass as `cursor` to get the next page; `null` on the last page.' })
