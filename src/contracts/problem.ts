import { z } from '@hono/zod-openapi'
import {
  DOCUMENTED_STATUSES,
  type DocumentedProblemStatus,
  type HeaderSchema,
  PROBLEM_TITLES,
  PROBLEM_TYPE_URIS,
  PROBLEM_TYPES,
  problemTypeUri,
} from '../problems/catalogue'
import {
  MAX_DETAIL_LENGTH,
  MAX_INSTANCE_LENGTH,
  MAX_ISSUE_TEXT_LENGTH,
  MAX_PROBLEM_ISSUES,
  MAX_REQUEST_ID_LENGTH,
  REQUEST_ID_PATTERN,
} from '../problems/problem-error'

export const ProblemIssueSchema = z
  .object({
    path: z.string().max(MAX_ISSUE_TEXT_LENGTH).openapi({ example: 'query.limit' }),
    message: z
      .string()
      .max(MAX_ISSUE_TEXT_LENGTH)
      .openapi({ example: 'Too big: expected number to be <=100' }),
    code: z.string().max(MAX_ISSUE_TEXT_LENGTH).openapi({ example: 'too_big', pattern: '^[a-z_]+$' }),
  })
  .openapi('ProblemIssue')

/** RFC 9457 problem details, the body of every error response. */
export const ProblemSchema = z
  .object({
    type: z.enum(PROBLEM_TYPE_URIS).openapi({ example: 'urn:problem-type:validation-error' }),
    title: z.enum(PROBLEM_TITLES).openapi({ example: 'Request validation failed' }),
    status: z.number().int().min(400).max(599).openapi({ example: 400, format: 'int32' }),
    detail: z
      .string()
      .max(MAX_DETAIL_LENGTH)
      .openapi({ example: 'query.limit: Too big: expected number to be <=100' }),
    instance: z
      .string()
      .max(MAX_INSTANCE_LENGTH)
      .openapi({ example: '/favorites', pattern: '^/', description: 'The request path, as sent.' }),
    requestId: z
      .string()
      .max(MAX_REQUEST_ID_LENGTH)
      .openapi({ example: '6f1c1c1e-2b7a-4c1e-9a57-0d3f1f0b9c44', pattern: REQUEST_ID_PATTERN }),
    issues: z.array(ProblemIssueSchema).max(MAX_PROBLEM_ISSUES).optional(),
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
  const type: { title: string; headers?: Record<string, { description: string; schema: HeaderSchema }> } =
    PROBLEM_TYPES[documented.example]
  const headers = Object.entries(type.headers ?? {}).map(([name, header]) => [
    name,
    { description: header.description, schema: header.schema },
  ])
  return {
    description: documented.description,
    // Possibly empty: the document adds the headers every response carries (routes/docs.ts).
    headers: Object.fromEntries(headers),
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
