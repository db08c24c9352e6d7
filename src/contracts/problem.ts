import { z } from '@hono/zod-openapi'

export const ProblemIssueSchema = z
  .object({
    path: z.string().openapi({ example: 'query.limit' }),
    message: z.string().openapi({ example: 'Too big: expected number to be <=100' }),
    code: z.string().openapi({ example: 'too_big' }),
  })
  .openapi('ProblemIssue')

/** RFC 9457 problem details, the body of every error response. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:problem-type:validation-error' }),
    title: z.string().openapi({ example: 'Request validation failed' }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: 'query.limit: Too big: expected number to be <=100' }),
    instance: z.string().openapi({ example: '/favorites' }),
    requestId: z.string().openapi({ example: '6f1c1c1e-2b7a-4c1e-9a57-0d3f1f0b9c44' }),
    issues: z.array(ProblemIssueSchema).optional(),
  })
  .openapi('Problem')

export type Problem = z.infer<typeof ProblemSchema>

const DESCRIPTIONS = {
  400: 'The request is malformed: every problem is listed in `issues`.',
  401: 'No valid bearer token (missing, malformed, expired, or badly signed).',
  403: 'The token is valid but not allowed here.',
  404: 'Not found.',
  413: 'The request body is too large.',
  415: 'The request body must be `application/json`.',
  503: 'The database is unavailable; retry after the number of seconds in `Retry-After`.',
} as const

export type ProblemStatus = keyof typeof DESCRIPTIONS

const EXAMPLE_REQUEST_ID = '6f1c1c1e-2b7a-4c1e-9a57-0d3f1f0b9c44'

/** What each status looks like on the wire (the `instance` is the request path). */
const EXAMPLES: Record<ProblemStatus, Omit<Problem, 'instance' | 'requestId'>> = {
  400: {
    type: 'urn:problem-type:validation-error',
    title: 'Request validation failed',
    status: 400,
    detail: 'query.limit: Too big: expected number to be <=100',
    issues: [{ path: 'query.limit', message: 'Too big: expected number to be <=100', code: 'too_big' }],
  },
  401: {
    type: 'urn:problem-type:unauthorized',
    title: 'Unauthorized',
    status: 401,
    detail: 'A bearer token is required',
  },
  403: {
    type: 'urn:problem-type:forbidden',
    title: 'Forbidden',
    status: 403,
    detail: 'This operation needs an end-user token',
  },
  404: {
    type: 'urn:problem-type:not-found',
    title: 'Not found',
    status: 404,
    detail: 'Activity 0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e does not exist',
  },
  413: {
    type: 'urn:problem-type:body-too-large',
    title: 'Request body too large',
    status: 413,
    detail: 'The request body must be at most 4096 bytes',
  },
  415: {
    type: 'urn:problem-type:unsupported-media-type',
    title: 'Unsupported media type',
    status: 415,
    detail: 'The request body must be application/json',
  },
  503: {
    type: 'urn:problem-type:database-unavailable',
    title: 'Service unavailable',
    status: 503,
    detail: 'The database is unavailable. Retry later.',
  },
}

const HEADERS: Partial<
  Record<ProblemStatus, Record<string, { description: string; schema: { type: 'string' } }>>
> = {
  401: {
    'WWW-Authenticate': {
      description:
        'The bearer challenge (RFC 6750), e.g. `Bearer realm="activity-favorites", error="invalid_token"`.',
      schema: { type: 'string' },
    },
  },
  403: {
    'WWW-Authenticate': {
      description: '`Bearer realm="activity-favorites", error="insufficient_scope"`.',
      schema: { type: 'string' },
    },
  },
  503: {
    'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string' } },
  },
}

export type ProblemExamples = {
  /** The request path the examples answer. */
  instance: string
  /** Route-specific `detail` (and `issues`) in place of the generic ones. */
  details?: Partial<Record<ProblemStatus, Pick<Problem, 'detail' | 'issues'>>>
}

/**
 * OpenAPI response entries for the given error statuses, all with the shared problem body, an example, and the
 * headers that come with the status.
 */
export function problemResponses<const S extends ProblemStatus>(examples: ProblemExamples, ...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: DESCRIPTIONS[status],
        ...(HEADERS[status] ? { headers: HEADERS[status] } : {}),
        content: {
          'application/problem+json': {
            schema: ProblemSchema,
            example: {
              ...EXAMPLES[status],
              ...examples.details?.[status],
              instance: examples.instance,
              requestId: EXAMPLE_REQUEST_ID,
            },
          },
        },
      },
    ]),
  ) as unknown as {
    [K in S]: {
      description: string
      content: { 'application/problem+json': { schema: typeof ProblemSchema } }
    }
  }
}
