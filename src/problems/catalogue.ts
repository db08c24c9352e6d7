/**
 * Every problem type this API answers (RFC 9457 `type` = `urn:problem-type:<slug>`): its status, its title and the
 * headers that come with it. The code that throws names a slug from here, and the OpenAPI document is built from
 * the same entries, so a new error is added in one place and documented by construction.
 */

/** The OpenAPI schema of a header value: bounded, as every string of the document is. */
export type HeaderSchema =
  | { type: 'string'; maxLength: number; pattern: string }
  | { type: 'integer'; format: 'int32'; minimum: number; maximum: number }

/** A response header a problem carries: the value sent (unless it is per request), and what the document says. */
type ProblemHeader = { value?: string; description: string; schema: HeaderSchema }

/** `WWW-Authenticate`: the RFC 6750 challenge, with an `error` (and `error_description`) when there is one. */
const CHALLENGE_SCHEMA: HeaderSchema = { type: 'string', maxLength: 256, pattern: '^Bearer realm="[^"]+"' }
/** `Retry-After` in seconds (never an HTTP date). */
const SECONDS_SCHEMA: HeaderSchema = { type: 'integer', format: 'int32', minimum: 1, maximum: 3600 }

type ProblemTypeSpec = { status: number; title: string; headers?: Record<string, ProblemHeader> }

export const BEARER_REALM = 'Bearer realm="activity-favorites"'

export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'Bad request' },
  'validation-error': { status: 400, title: 'Request validation failed' },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    headers: {
      'WWW-Authenticate': {
        value: `${BEARER_REALM}, error="invalid_token"`,
        description:
          'The bearer challenge (RFC 6750), e.g. `Bearer realm="activity-favorites", error="invalid_token"`.',
        schema: CHALLENGE_SCHEMA,
      },
    },
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    headers: {
      'WWW-Authenticate': {
        value: `${BEARER_REALM}, error="insufficient_scope"`,
        description: '`Bearer realm="activity-favorites", error="insufficient_scope"`.',
        schema: CHALLENGE_SCHEMA,
      },
    },
  },
  /** A valid token whose user is not (or no longer) registered on the platform. */
  'unknown-user': { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  /** A known path asked with a method it does not serve; `Allow` lists the ones it does. */
  'method-not-allowed': {
    status: 405,
    title: 'Method not allowed',
    headers: {
      Allow: {
        description: 'The methods this path serves, e.g. `GET, HEAD, POST`.',
        schema: { type: 'string', maxLength: 64, pattern: '^[A-Z]+(, [A-Z]+)*$' },
      },
    },
  },
  /** A POST whose tap is older than a removal already applied: the activity stays un-favourited. */
  superseded: { status: 409, title: 'Superseded by a later change' },
  /** A changes-feed cursor from before the oldest kept removal: the app must re-read its list. */
  'changes-cursor-expired': { status: 410, title: 'Changes cursor expired' },
  'body-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  /** The caller spent its request budget (per user, or per company): wait and retry. */
  'rate-limited': {
    status: 429,
    title: 'Too many requests',
    headers: {
      'Retry-After': {
        value: '60',
        description: 'Seconds until the budget has surely refilled (its window).',
        schema: SECONDS_SCHEMA,
      },
    },
  },
  'internal-error': { status: 500, title: 'Internal server error' },
  'database-unavailable': {
    status: 503,
    title: 'Service unavailable',
    headers: {
      'Retry-After': { value: '2', description: 'Seconds to wait before retrying.', schema: SECONDS_SCHEMA },
    },
  },
  /** The identity provider's key set cannot be fetched, so no token can be checked: the token is not at fault. */
  'identity-provider-unavailable': {
    status: 503,
    title: 'Service unavailable',
    headers: {
      'Retry-After': { value: '5', description: 'Seconds to wait before retrying.', schema: SECONDS_SCHEMA },
    },
  },
} as const satisfies Record<string, ProblemTypeSpec>

export type ProblemType = keyof typeof PROBLEM_TYPES
export type ProblemStatus = (typeof PROBLEM_TYPES)[ProblemType]['status']

export const problemTypeUri = <T extends ProblemType>(type: T) => `urn:problem-type:${type}` as const

const problemTypes = Object.keys(PROBLEM_TYPES) as [ProblemType, ...ProblemType[]]
/** Every `type` a problem body can carry, and every `title`: the document lists them as enums. */
export const PROBLEM_TYPE_URIS = problemTypes.map(problemTypeUri) as [string, ...string[]]
export const PROBLEM_TITLES = [...new Set(problemTypes.map((type) => PROBLEM_TYPES[type].title))] as [
  string,
  ...string[],
]

/** The header values a problem of `type` is sent with. */
export function problemHeaders(type: ProblemType): Record<string, string> {
  const spec: ProblemTypeSpec = PROBLEM_TYPES[type]
  const fixed = Object.entries(spec.headers ?? {}).flatMap(([name, header]) =>
    // Stryker disable next-line ConditionalExpression: equivalent, the one per-request header (405's Allow) is always given where it is thrown
    header.value === undefined ? [] : [[name, header.value]],
  )
  return Object.fromEntries(fixed)
}

type DocumentedStatus = {
  description: string
  /** The problem type the document's example shows for this status. */
  example: ProblemType
  detail: string
  issues?: { path: string; message: string; code: string }[]
}

/** How the OpenAPI document describes each error status a route can list. */
export const DOCUMENTED_STATUSES = {
  400: {
    description: 'The request is malformed: every problem is listed in `issues`.',
    example: 'validation-error',
    detail: 'query.limit: Too big: expected number to be <=100',
    issues: [{ path: 'query.limit', message: 'Too big: expected number to be <=100', code: 'too_big' }],
  },
  401: {
    description: 'No valid bearer token (missing, malformed, expired, or badly signed).',
    example: 'unauthorized',
    detail: 'A bearer token is required',
  },
  403: {
    description: 'The token is valid but not allowed here.',
    example: 'forbidden',
    detail: 'This operation needs an end-user token',
  },
  404: {
    description: 'Not found.',
    example: 'not-found',
    detail: 'Activity 0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e does not exist',
  },
  409: {
    description:
      'The tap is older than a removal of the same favourite that was already applied (the last tap wins): ' +
      'the activity is not a favourite.',
    example: 'superseded',
    detail: 'A later removal of activity 0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e was already applied',
  },
  410: {
    description:
      'The cursor is older than the oldest change this API keeps: re-read the list (`GET /favorites`) and ' +
      'follow changes from its `changesCursor`.',
    example: 'changes-cursor-expired',
    detail: 'Changes before this cursor are no longer kept: re-read the list',
  },
  413: {
    description: 'The request body is too large.',
    example: 'body-too-large',
    detail: 'The request body must be at most 4096 bytes',
  },
  415: {
    description: 'The request body must be `application/json`.',
    example: 'unsupported-media-type',
    detail: 'The request body must be application/json',
  },
  429: {
    description:
      'The request budget is spent (per user on the client surface, per company on the business surface); ' +
      'retry after the number of seconds in `Retry-After`.',
    example: 'rate-limited',
    detail: 'This user has sent too many requests; retry after the seconds in Retry-After',
  },
  500: {
    description:
      'An unexpected failure (a bug, or invalid Worker settings). Nothing internal is echoed: quote the ' +
      '`requestId` when reporting it.',
    example: 'internal-error',
    detail: 'The request failed unexpectedly. Quote the request id when reporting it.',
  },
  503: {
    description:
      'The database, or for a secured operation the identity provider, is unavailable; retry after the number of seconds in `Retry-After`.',
    example: 'database-unavailable',
    detail: 'The database is unavailable. Retry later.',
  },
} as const satisfies Record<number, DocumentedStatus>

export type DocumentedProblemStatus = keyof typeof DOCUMENTED_STATUSES
