import { z } from '@hono/zod-openapi'
import { ACTIVITY_TYPES } from '../db/schema'

/**
 * Named so that generated clients emit an `ActivityType` enum, referenced by `$ref` wherever it is used. No
 * `example` here: Swagger UI would pre-fill it into the optional `type` filters on "Try it out" (the body examples
 * show the values anyway).
 */
export const ActivityTypeSchema = z.enum(ACTIVITY_TYPES).openapi('ActivityType', {
  description: 'How an activity is booked: in time slots, or as a service.',
})
