import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../app/types'
import { ProblemError } from '../problems/problem-error'

/** A body past `maxBytes` is refused with 413 before anything reads it. */
const limitBodyTo = (maxBytes: number): MiddlewareHandler<AppEnv> =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ProblemError('body-too-large', `The request body must be at most ${maxBytes} bytes`)
    },
  })

/** A single change needs a few hundred bytes. */
export const MAX_BODY_BYTES = 4 * 1024
export const limitBodySize = limitBodyTo(MAX_BODY_BYTES)

/**
 * A batch of 100 changes is about 12 KB at most as the app sends it (an id, a flag and an RFC 3339 time with
 * microseconds and an offset, about 120 bytes each); 16 KiB leaves room for whitespace.
 */
export const MAX_BATCH_BODY_BYTES = 16 * 1024
export const limitBatchBodySize = limitBodyTo(MAX_BATCH_BODY_BYTES)
