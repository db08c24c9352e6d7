/**
 * The contract's bounded building blocks: every string the API takes or sends says how long it can be and what it
 * looks like, every integer its range and width, every list its size (OWASP API4, unrestricted resource
 * consumption). Inputs are refused past the bounds; outputs are built within them.
 */
import { z } from '@hono/zod-openapi'

export const UUID_LENGTH = 36
/** RFC 3339 with nanoseconds and an offset, `2026-11-27T20:50:36.123456789+05:45`, is 35 characters. */
export const MAX_TIMESTAMP_LENGTH = 35
/** The longest cursor any route takes (an analytics cursor carries its period); each route may take less. */
export const MAX_CURSOR_LENGTH = 4096

export const UuidSchema = z.uuid().max(UUID_LENGTH)

/** A time the server wrote, in UTC (`Z`). */
export const UtcTimestampSchema = z.iso.datetime().max(MAX_TIMESTAMP_LENGTH)

/** A time with its UTC offset (`Z` or `+05:45`). */
export const OffsetTimestampSchema = z.iso.datetime({ offset: true }).max(MAX_TIMESTAMP_LENGTH)

/** A count of favourites: never negative, and exact in a JSON number. */
export const CountSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).openapi({ format: 'int64' })

/** `base64url(payload).base64url(signature)`, as lib/cursor.ts writes it; anything else is a 400 there. */
export const SIGNED_CURSOR_PATTERN = '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$'

/** A signed cursor the API hands out or takes back, at most `maxLength` characters. */
export const signedCursorSchema = (maxLength: number) =>
  z.string().max(maxLength).openapi({ pattern: SIGNED_CURSOR_PATTERN })
