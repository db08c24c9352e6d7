import { z } from '@hono/zod-openapi'
import { ActivityTypeSchema } from './activity-type'
import {
  CountSchema,
  OffsetTimestampSchema,
  signedCursorSchema,
  UtcTimestampSchema,
  UuidSchema,
} from './bounded'
import { MAX_PAGE_SIZE, NextCursorSchema } from './pagination'

/** Public: how many people saved an activity (never who). Read from counts kept ready, not counted per request. */
const FavoriteCount = CountSchema.openapi({
  description: 'How many users have this activity as a favourite now.',
  example: 128,
})

const ActivityId = UuidSchema.openapi({ example: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e' })

export const FavoriteActivityDtoSchema = z
  .object({
    id: ActivityId,
    // Written by the platform's catalogue (a `text` column): this API does not bound it (see .spectral.mjs).
    name: z.string().openapi({ example: 'Sunset kayak tour' }),
    type: ActivityTypeSchema,
    companyId: UuidSchema.openapi({ example: '5f0c4b1e-8a3d-4c2b-9e1f-2a3b4c5d6e7f' }),
    // As `name`: the catalogue's `text` column, sent as stored.
    imageUrl: z.string().nullable().openapi({ example: 'https://images.example.com/kayak.jpg' }),
    favoriteCount: FavoriteCount,
  })
  .openapi('FavoriteActivityDto')

export const FavoriteRecordDtoSchema = z
  .object({
    id: UuidSchema.openapi({ example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' }),
    activityId: ActivityId,
    createdAt: UtcTimestampSchema.openapi({ example: '2026-11-27T20:50:36.123Z' }),
    activity: FavoriteActivityDtoSchema,
  })
  .openapi('FavoriteRecordDto')

/** When the user tapped (RFC 3339): the server applies the latest tap, whatever order taps arrive in. */
export const TappedAtSchema = OffsetTimestampSchema.openapi({
  description:
    'When the user tapped (RFC 3339). A change older than the latest one already applied to this favourite is ' +
    'ignored; more than 5 minutes in the future counts as now; absent = now.',
  example: '2026-11-27T20:50:36.123Z',
})

export const CreateFavoriteDtoSchema = z
  .object({ activityId: ActivityId, tappedAt: TappedAtSchema.optional() })
  .openapi('CreateFavoriteDto')

/** A changes-feed position, signed for one user. */
const ChangesCursor = signedCursorSchema(512).openapi({
  example: 'eyJ2IjoxNDIsImEiOiJmZmZmZmZmZi1mZmZmIn0.c2lnbmF0dXJl',
})

export const FavoriteListResponseDtoSchema = z
  .object({
    items: z.array(FavoriteRecordDtoSchema).max(MAX_PAGE_SIZE),
    nextCursor: NextCursorSchema,
    changesCursor: ChangesCursor.nullable().openapi({
      description:
        'On the first page (no `cursor`): where `GET /favorites/changes` continues from this list, so a device ' +
        'that reads the list then follows the feed from here misses no change and sees none twice. ' +
        '`null` on later pages.',
    }),
  })
  .openapi('FavoriteListResponseDto')

/** How many activities one status request may ask about. */
export const MAX_STATUS_IDS = 100

export const FavoriteStatusDtoSchema = z
  .object({
    activityId: ActivityId,
    favorited: z.boolean(),
    favoritedAt: UtcTimestampSchema.nullable().openapi({ example: '2026-11-27T20:50:36.123Z' }),
    favoriteCount: FavoriteCount,
  })
  .openapi('FavoriteStatusDto')

export const FavoriteStatusResponseDtoSchema = z
  .object({ items: z.array(FavoriteStatusDtoSchema).max(MAX_STATUS_IDS) })
  .openapi('FavoriteStatusResponseDto')

export const FAVORITE_CHANGE_RESULTS = [
  'created',
  'existing',
  'removed',
  'superseded',
  'unknown-activity',
] as const

export const FavoriteChangeResultSchema = z.enum(FAVORITE_CHANGE_RESULTS).openapi('FavoriteChangeResult', {
  description:
    'What became of one change: `created` (now a favourite), `existing` (it already was), `removed` (not a ' +
    'favourite any more, or already not one), `superseded` (a later tap for this activity was already applied, ' +
    'or comes later in the same batch: ignored), `unknown-activity` (no such activity: ignored).',
})

export const MAX_BATCH_CHANGES = 100

export const FavoriteChangeRequestDtoSchema = z
  .object({
    activityId: ActivityId,
    favorited: z.boolean().openapi({ description: 'true: favourite it; false: un-favourite it.' }),
    tappedAt: TappedAtSchema.optional(),
  })
  .openapi('FavoriteChangeRequestDto')

export const FavoriteBatchRequestDtoSchema = z
  .object({
    changes: z
      .array(FavoriteChangeRequestDtoSchema)
      .min(1)
      .max(MAX_BATCH_CHANGES)
      .openapi({
        description: `The offline queue, 1 to ${MAX_BATCH_CHANGES} changes, in any order.`,
      }),
  })
  .openapi('FavoriteBatchRequestDto')

export const FavoriteBatchResultDtoSchema = z
  .object({
    activityId: ActivityId,
    result: FavoriteChangeResultSchema,
    favorited: z
      .boolean()
      .openapi({ description: 'Whether the activity is a favourite once the batch is applied.' }),
  })
  .openapi('FavoriteBatchResultDto')

export const FavoriteBatchResponseDtoSchema = z
  .object({
    results: z
      .array(FavoriteBatchResultDtoSchema)
      .max(MAX_BATCH_CHANGES)
      .openapi({ description: 'One per change, in the same order.' }),
  })
  .openapi('FavoriteBatchResponseDto')

export const FavoriteChangeDtoSchema = z
  .object({
    activityId: ActivityId,
    favorited: z
      .boolean()
      .openapi({ description: 'true: favourited (see `favorite`); false: un-favourited.' }),
    tappedAt: UtcTimestampSchema.openapi({
      description: 'The time of the tap that made this change.',
      example: '2026-11-27T20:50:36.123Z',
    }),
    favorite: FavoriteRecordDtoSchema.nullable().openapi({
      description: 'The favourite; `null` for a removal.',
    }),
  })
  .openapi('FavoriteChangeDto')

export const FavoriteChangesResponseDtoSchema = z
  .object({
    items: z.array(FavoriteChangeDtoSchema).max(MAX_PAGE_SIZE).openapi({
      description: 'Oldest first. Each activity appears once: its latest state since the cursor.',
    }),
    nextCursor: ChangesCursor.openapi({
      description: 'Pass as `since` next time (also when `items` is empty): the feed continues from here.',
    }),
    hasMore: z
      .boolean()
      .openapi({ description: 'true: more changes are waiting; ask again with `nextCursor`.' }),
  })
  .openapi('FavoriteChangesResponseDto')

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
  changesCursor: 'eyJ2IjoxNDIsImEiOiJmZmZmZmZmZi1mZmZmIn0.c2lnbmF0dXJl',
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
  tappedAt: '2026-11-27T20:50:36.123Z',
} satisfies z.input<typeof CreateFavoriteDtoSchema>

export const FAVORITE_BATCH_REQUEST_EXAMPLE = {
  changes: [
    {
      activityId: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
      favorited: true,
      tappedAt: '2026-11-27T20:50:36.123Z',
    },
    {
      activityId: '5f0c4b1e-8a3d-4c2b-9e1f-2a3b4c5d6e7f',
      favorited: false,
      tappedAt: '2026-11-27T20:51:02.456Z',
    },
  ],
} satisfies z.input<typeof FavoriteBatchRequestDtoSchema>

export const FAVORITE_BATCH_RESPONSE_EXAMPLE = {
  results: [
    { activityId: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e', result: 'created', favorited: true },
    { activityId: '5f0c4b1e-8a3d-4c2b-9e1f-2a3b4c5d6e7f', result: 'removed', favorited: false },
  ],
} satisfies z.input<typeof FavoriteBatchResponseDtoSchema>

export const FAVORITE_CHANGES_EXAMPLE = {
  items: [
    {
      activityId: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
      favorited: true,
      tappedAt: '2026-11-27T20:50:36.123Z',
      favorite: FAVORITE_RECORD_EXAMPLE,
    },
    {
      activityId: '5f0c4b1e-8a3d-4c2b-9e1f-2a3b4c5d6e7f',
      favorited: false,
      tappedAt: '2026-11-27T20:51:02.456Z',
      favorite: null,
    },
  ],
  nextCursor: 'eyJ2IjoxNDQsImEiOiI1ZjBjNGIxZSJ9.c2lnbmF0dXJl',
  hasMore: false,
} satisfies z.input<typeof FavoriteChangesResponseDtoSchema>

export type FavoriteActivityDto = z.infer<typeof FavoriteActivityDtoSchema>
export type FavoriteRecordDto = z.infer<typeof FavoriteRecordDtoSchema>
export type FavoriteStatusDto = z.infer<typeof FavoriteStatusDtoSchema>
export type FavoriteChangeResult = z.infer<typeof FavoriteChangeResultSchema>

export const ActivityIdParamSchema = z.object({
  activityId: UuidSchema.openapi({
    param: { description: 'The activity (`activities.activities.id`).' },
    example: '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e',
  }),
})

/** The 400 example of the routes that take an activity id in the path. */
export const INVALID_ACTIVITY_ID_PARAM = {
  detail: 'param.activityId: Invalid UUID',
  issues: [{ path: 'param.activityId', message: 'Invalid UUID', code: 'invalid_format' }],
}
