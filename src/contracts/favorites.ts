import { z } from '@hono/zod-openapi'
import { ActivityTypeSchema } from './activity-type'
import { NextCursorSchema } from './pagination'

/** Public: how many people saved an activity (never who). Read from counts kept ready, not counted per request. */
const FavoriteCount = z.number().int().min(0).openapi({
  description: 'How many users have this activity as a favourite now.',
  example: 128,
})

const ActivityId = z.uuid().openapi({ example: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e' })

export const FavoriteActivityDtoSchema = z
  .object({
    id: ActivityId,
    name: z.string().openapi({ example: 'Sunset kayak tour' }),
    type: ActivityTypeSchema,
    companyId: z.uuid().openapi({ example: '5f0c4b1e-8a3d-4c2b-9e1f-2a3b4c5d6e7f' }),
    imageUrl: z.string().nullable().openapi({ example: 'https://images.example.com/kayak.jpg' }),
    favoriteCount: FavoriteCount,
  })
  .openapi('FavoriteActivityDto')

export const FavoriteRecordDtoSchema = z
  .object({
    id: z.uuid().openapi({ example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' }),
    activityId: ActivityId,
    createdAt: z.iso.datetime().openapi({ example: '2026-11-27T20:50:36.123Z' }),
    activity: FavoriteActivityDtoSchema,
  })
  .openapi('FavoriteRecordDto')

export const CreateFavoriteDtoSchema = z.object({ activityId: ActivityId }).openapi('CreateFavoriteDto')

export const FavoriteListResponseDtoSchema = z
  .object({
    items: z.array(FavoriteRecordDtoSchema),
    nextCursor: NextCursorSchema,
  })
  .openapi('FavoriteListResponseDto')

export const FavoriteStatusDtoSchema = z
  .object({
    activityId: ActivityId,
    favorited: z.boolean(),
    favoritedAt: z.iso.datetime().nullable().openapi({ example: '2026-11-27T20:50:36.123Z' }),
    favoriteCount: FavoriteCount,
  })
  .openapi('FavoriteStatusDto')

export const FavoriteStatusResponseDtoSchema = z
  .object({ items: z.array(FavoriteStatusDtoSchema) })
  .openapi('FavoriteStatusResponseDto')

/** Examples for the document (media-type `example`s); the linter validates them against the schemas. */
export const FAVORITE_RECORD_EXAMPLE = {
  id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  activityId: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
  createdAt: '2026-11-27T20:50:36.123Z',
  activity: {
    id: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
    name: 'Sunset kayak tour',
    type: 'SLOT_BASED',
    companyId: '5f0c4b1e-8a3d-4c2b-9e1f-2a3b4c5d6e7f',
    imageUrl: 'https://images.example.com/kayak.jpg',
    favoriteCount: 128,
  },
} satisfies z.input<typeof FavoriteRecordDtoSchema>

export const FAVORITE_LIST_EXAMPLE = {
  items: [FAVORITE_RECORD_EXAMPLE],
  nextCursor: 'eyJ2IjoxLCJwIjpbIjE3NjQyNzY2MzYxMjMwMDAiLCI5YThiN2M2ZCJdfQ.c2lnbmF0dXJl',
} satisfies z.input<typeof FavoriteListResponseDtoSchema>

export const FAVORITE_STATUS_EXAMPLE = {
  items: [
    {
      activityId: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
      favorited: true,
      favoritedAt: '2026-11-27T20:50:36.123Z',
      favoriteCount: 128,
    },
    {
      activityId: '5f0c4b1e-8a3d-4c2b-9e1f-2a3b4c5d6e7f',
      favorited: false,
      favoritedAt: null,
      favoriteCount: 0,
    },
  ],
} satisfies z.input<typeof FavoriteStatusResponseDtoSchema>

export const CREATE_FAVORITE_EXAMPLE = {
  activityId: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
} satisfies z.input<typeof CreateFavoriteDtoSchema>

export type FavoriteActivityDto = z.infer<typeof FavoriteActivityDtoSchema>
export type FavoriteRecordDto = z.infer<typeof FavoriteRecordDtoSchema>
export type FavoriteStatusDto = z.infer<typeof FavoriteStatusDtoSchema>

export const ActivityIdParamSchema = z.object({
  activityId: z.uuid().openapi({
    param: { name: 'activityId', in: 'path', description: 'The activity (`activities.activities.id`).' },
    example: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
  }),
})

/** The 400 example of the routes that take an activity id in the path. */
export const INVALID_ACTIVITY_ID_PARAM = {
  detail: 'param.activityId: Invalid UUID',
  issues: [{ path: 'param.activityId', message: 'Invalid UUID', code: 'invalid_format' }],
}
