import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../app/types'
import { ProblemError } from '../problems/problem-error'

/** No request of this API needs more than a few hundred bytes; anything past this limit is refused early. */
export const MAX_BODY_BYTES = 4 * 1024

export const limitBodySize: MiddlewareHandler<AppEnv> = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ProblemError('body-too-large', `The request body must be at most ${MAX_BODY_BYTES} bytes`)
  },
})
