import { bodyLimit } from 'hono/body-limit'
import { ProblemError } from '../lib/problem'

/** No request of this API needs more than a few hundred bytes; anything past this limit is refused early. */
export const MAX_BODY_BYTES = 4 * 1024

export const limitBodySize = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ProblemError({
      status: 413,
      type: 'body-too-large',
      title: 'Request body too large',
      detail: `The request body must be at most ${MAX_BODY_BYTES} bytes`,
    })
  },
})
