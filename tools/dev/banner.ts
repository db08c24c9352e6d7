/** What `npm run dev` prints once the Worker answers: URLs, demo ids, bearer tokens and a curl to try. */
import { STAFF_ANALYTICS_ROLE } from '../../src/contracts/claims'
import type { DatabasePlan } from './database-plan'
import { DEMO } from './seed'
import { DEFAULT_TTL_SECONDS, type DemoTokens } from './tokens'

export function banner(
  baseUrl: string,
  plan: DatabasePlan,
  endpoint: string | undefined,
  tokens: DemoTokens | undefined,
) {
  const users = DEMO.users.map((userId, i) => {
    const count = DEMO.favorites.filter((f) => f.userId === userId).length
    return `    ${userId}  ${i === 0 ? 'demo user, ' : ''}${count} seeded favourites`
  })
  const companyName = new Map(DEMO.companies.map((c) => [c.id, c.name]))
  const activities = DEMO.activities.map(
    (a) => `    ${a.id}  ${a.type.padEnd(10)}  ${a.name.padEnd(26)}  ${companyName.get(a.companyId)}`,
  )
  const firstCompany = DEMO.companies[0]
  const lines = [
    '',
    `  Activity Favorites API is running on ${baseUrl}`,
    '',
    `  API           ${baseUrl}`,
    `  Swagger UI    ${baseUrl}/ui`,
    `  OpenAPI       ${baseUrl}/openapi.json`,
    `  Health        ${baseUrl}/health`,
    `  Database      ${plan.label}`,
    ...(plan.kind === 'local' && endpoint
      ? [`  SQL endpoint  ${endpoint}  (NEON_HTTP_ENDPOINT=... npm run seed, while this runs)`]
      : []),
    '',
    '  Demo users (end users: token sub):',
    ...users,
    '  Demo companies (staff: token company_id):',
    ...DEMO.companies.map((c) => `    ${c.id}  ${c.name}`),
    '  Demo activities:',
    ...activities,
    '',
  ]
  if (tokens) {
    lines.push(
      `  Bearer tokens (HS256, valid ${DEFAULT_TTL_SECONDS / 3600} h, until ${tokens.user.expiresAt.toISOString()}):`,
      `  demo user ${DEMO.users[0]}:`,
      `    export USER_TOKEN=${tokens.user.token}`,
      `  staff of ${firstCompany?.name} ${firstCompany?.id} (roles: ${STAFF_ANALYTICS_ROLE}):`,
      `    export STAFF_TOKEN=${tokens.staff.token}`,
      '  More: npm run token -- user <userId>  |  npm run token -- staff <companyId>',
      '',
      '  Try:',
      `    curl -s -H "Authorization: Bearer ${tokens.user.token}" ${baseUrl}/favorites`,
      '',
    )
  } else {
    lines.push('  (No bearer tokens printed: JWT_SECRET is not set; the Worker verifies with JWKS_URL.)', '')
  }
  lines.push('  Press Ctrl-C to stop.', '')
  console.log(lines.join('\n'))
}
