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

/** OpenAPI response entries for the given error statuses, all with the shared problem body. */
export function problemResponses<const S extends ProblemStatus>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: DESCRIPTIONS[status],
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  ) as unknown as {
    [K in S]: {
      description: string
      content: { 'application/problem+json': { schema: typeof ProblemSchema } }
    }
  }
}
