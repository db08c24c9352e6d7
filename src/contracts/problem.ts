import { z } from '@hono/zod-openapi'
import {
  DOCUMENTED_STATUSES,
  type DocumentedProblemStatus,
  PROBLEM_TYPES,
  problemTypeUri,
} from '../problems/catalogue'

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

const EXAMPLE_REQUEST_ID = '6f1c1c1e-2b7a-4c1e-9a57-0d3f1f0b9c44'

export type ProblemExamples = {
  /** The request path the examples answer. */
  instance: string
  /** Route-specific `detail` (and `issues`) in place of the generic ones. */
  details?: Partial<Record<DocumentedProblemStatus, Pick<Problem, 'detail' | 'issues'>>>
}

/** The document's entry for one error status, built from the problem catalogue. */
function problemResponse(status: DocumentedProblemStatus, examples: ProblemExamples) {
  const documented = DOCUMENTED_STATUSES[status]
  const type: { title: string; headers?: Record<string, { description: string }> } =
    PROBLEM_TYPES[documented.example]
  const headers = Object.entries(type.headers ?? {}).map(([name, header]) => [
    name,
    { description: header.description, schema: { type: 'string' as const } },
  ])
  return {
    description: documented.description,
    ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
    content: {
      'application/problem+json': {
        schema: ProblemSchema,
        example: {
          type: problemTypeUri(documented.example),
          title: type.title,
          status,
          detail: documented.detail,
          ...('issues' in documented ? { issues: documented.issues } : {}),
          ...examples.details?.[status],
          instance: examples.instance,
          requestId: EXAMPLE_REQUEST_ID,
        },
      },
    },
  }
}

/**
 * OpenAPI response entries for the given error statuses, all with the shared problem body, an example, and the
 * headers that come with the status.
 */
export function problemResponses<const S extends DocumentedProblemStatus>(
  examples: ProblemExamples,
  ...statuses: S[]
) {
  return Object.fromEntries(
    statuses.map((status) => [status, problemResponse(status, examples)]),
  ) as unknown as {
    [K in S]: {
      description: string
      content: { 'application/problem+json': { schema: typeof ProblemSchema } }
    }
  }
}
