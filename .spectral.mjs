// A second, independent lint of the OpenAPI document: Spectral's OpenAPI rules and the OWASP API Security Top 10
// (2023) ruleset, every rule on. `npm run openapi:lint` runs it after redocly, offline.
// Policy: zero findings. A rule is switched off, for the whole document or one place in it, only where it does not
// apply to this API, with the reason beside it.
import owasp from '@stoplight/spectral-owasp-ruleset'
import { oas } from '@stoplight/spectral-rulesets'

/** A JSON pointer into the linted document (`dist/openapi.json`). */
const at = (pointer) => `**/openapi.json#${pointer}`
const schemaProperty = (schema, property) => at(`/components/schemas/${schema}/properties/${property}`)
const csvBody = (path) =>
  at(`/paths/${path.replaceAll('/', '~1')}/get/responses/200/content/text~1csv/schema`)

export default {
  extends: [
    [oas, 'all'],
    [owasp, 'all'],
  ],
  rules: {
    // A private, internal API of the platform (`x-internal: true`): no licence to grant its consumers.
    'info-license': 'off',
    'license-url': 'off',
    // The team is named; it has no public address or site to give (its consumers are the platform's own teams).
    'contact-properties': 'off',
    // Tags are listed in the order a reader meets the surfaces (the app, the dashboard, operations).
    'openapi-tags-alphabetical': 'off',
    // The Workers rate-limiting binding says only "over budget or not": it exposes no remaining count or reset time,
    // so `RateLimit` / `X-RateLimit-*` headers would be guesses. What it does tell is documented on every operation:
    // 429 with `Retry-After` (owasp:api4:2023-rate-limit-retry-after, on).
    'owasp:api4:2023-rate-limit': 'off',
  },
  overrides: [
    {
      // `/health` is the load balancer's probe: public by design, it takes no token and no input and spends no
      // budget, so it has no 400, 401 or 429 to answer. It reveals only whether the database answers.
      files: [at('/paths/~1health')],
      rules: {
        // A private, internal API of the platform (`x-internal: true`): no licence to grant its consumers.
        'info-license': 'off',
        'license-url': 'off',
        // The team is named; it has no public address or site to give (its consumers are the platform's own teams).
        'contact-properties': 'off',
        // Tags are listed in the order a reader meets the surfaces (the app, the dashboard, operations).
        'openapi-tags-alphabetical': 'off',
        'owasp:api2:2023-read-restricted': 'off',
        'owasp:api8:2023-define-error-responses-401': 'off',
        'owasp:api8:2023-define-error-validation': 'off',
        'owasp:api4:2023-rate-limit-responses-429': 'off',
      },
    },
    {
      // Catalogue data (`activities.activities`, `text` columns the platform's other services write), sent as
      // stored: this API neither bounds nor shapes them, so a maxLength or pattern here would be a promise it cannot
      // keep. They are output only; no input of this API is unbounded.
      files: [
        schemaProperty('FavoriteActivityDto', 'name'),
        schemaProperty('FavoriteActivityDto', 'imageUrl'),
        schemaProperty('FavoriteActivityAnalyticsItemDto', 'activityName'),
      ],
      rules: { 'owasp:api4:2023-string-limit': 'off', 'owasp:api4:2023-string-restricted': 'off' },
    },
    {
      // A CSV download holds one row per activity of the company, however many it has: no length to promise.
      files: [csvBody('/analytics/favorites'), csvBody('/analytics/favorites/timeseries')],
      rules: { 'owasp:api4:2023-string-limit': 'off', 'owasp:api4:2023-string-restricted': 'off' },
    },
    {
      // Human-readable sentences (bounded by maxLength, cut by the code that sends them): no pattern describes them.
      files: [
        schemaProperty('Problem', 'detail'),
        schemaProperty('ProblemIssue', 'path'),
        schemaProperty('ProblemIssue', 'message'),
      ],
      rules: { 'owasp:api4:2023-string-restricted': 'off' },
    },
  ],
}
