/**
 * `npm run token -- user [userId]` / `npm run token -- staff [companyId]`: prints a signed HS256 dev token on
 * stdout (its claims on stderr), so `T=$(npm run -s token -- user)` works. Signed with JWT_SECRET from the
 * environment or .dev.vars; `iss`/`aud` from JWT_ISSUER/JWT_AUDIENCE (environment, .dev.vars, then
 * wrangler.toml [vars]). Without an id: the demo user / the first demo company.
 */
import { fileURLToPath } from 'node:url'
import { STAFF_ANALYTICS_ROLE } from '../../src/contracts/claims'
import { DEMO } from './seed'
import { loadSettings } from './settings'
import { DEFAULT_TTL_SECONDS, mintDevToken, signingSettings, type TokenSubject, UUID_PATTERN } from './tokens'

const USAGE = `usage: npm run token -- user [userId] [--ttl SECONDS]
       npm run token -- staff [companyId] [--role ROLE]... [--sub STAFF_ID] [--ttl SECONDS]

  user [userId]      an end-user token (sub = users.users.id); default: the demo user ${DEMO.users[0]}
  staff [companyId]  a company staff token (company_id, roles); default: the first demo company
                     ${DEMO.companies[0]?.id} (${DEMO.companies[0]?.name})
  --ttl SECONDS      lifetime (default ${DEFAULT_TTL_SECONDS}; negative for an already expired token)
  --role ROLE        staff role; repeatable; replaces the default ${STAFF_ANALYTICS_ROLE}
                     (--role '' for a staff token without roles, to see the 403)
  --sub STAFF_ID     the staff member's id (default: a random UUID)

Prints the token on stdout and its claims on stderr.`

interface Args {
  subject: TokenSubject
  ttl: number
}

class UsageError extends Error {}

export function parseArgs(argv: string[]): Args {
  const positional: string[] = []
  const roles: string[] = []
  let ttl = DEFAULT_TTL_SECONDS
  let staffId: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const value = (): string => {
      const next = argv[++i]
      if (next === undefined) throw new UsageError(`${arg} needs a value`)
      return next
    }
    if (arg === '--ttl') {
      ttl = Number(value())
      if (!Number.isInteger(ttl) || ttl === 0)
        throw new UsageError('--ttl needs a non-zero whole number of seconds')
    } else if (arg === '--role') roles.push(value())
    else if (arg === '--sub') staffId = value()
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`)
    else positional.push(arg)
  }
  const [kind, id, ...extra] = positional
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`)
  const checkUuid = (what: string, value: string) => {
    if (!UUID_PATTERN.test(value)) throw new UsageError(`${what} must be a UUID, got "${value}"`)
    return value.toLowerCase()
  }
  if (kind === 'user') {
    if (roles.length > 0 || staffId) throw new UsageError('--role and --sub are for staff tokens')
    return { subject: { kind: 'user', userId: checkUuid('userId', id ?? (DEMO.users[0] as string)) }, ttl }
  }
  if (kind === 'staff') {
    return {
      subject: {
        kind: 'staff',
        companyId: checkUuid('companyId', id ?? (DEMO.companies[0]?.id as string)),
        roles: roles.length > 0 ? roles.filter((r) => r !== '') : undefined,
        staffId: staffId === undefined ? undefined : checkUuid('--sub', staffId),
      },
      ttl,
    }
  }
  throw new UsageError(
    kind === undefined ? 'say which kind of token: user or staff' : `unknown kind "${kind}"`,
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2)
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE)
    process.exit(0)
  }
  try {
    const { subject, ttl } = parseArgs(argv)
    const settings = loadSettings()
    if (settings.get('JWKS_URL')) {
      console.error('note: JWKS_URL is set, so the Worker verifies with the JWKS, not this HS256 token')
    }
    const minted = await mintDevToken(subject, signingSettings(settings), ttl)
    console.error(`claims: ${JSON.stringify(minted.claims)}  (expires ${minted.expiresAt.toISOString()})`)
    console.log(minted.token)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.error(error instanceof UsageError ? `${message}\n\n${USAGE}` : message)
    process.exit(error instanceof UsageError ? 2 : 1)
  }
}
