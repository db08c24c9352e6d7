// What a Neon project gives you, made on a plain PostgreSQL server for tests: an owner role (LOGIN, CREATEDB,
// CREATEROLE, not a superuser) and a database it owns. With the local server's `runAs: 'connection-string'`,
// requests then run with the privileges they will have on Neon, so a statement that needs a superuser fails here too.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export interface Role {
  user: string
  password: string
}

/** The role a connection string logs in as (percent-decoded, as the proxy reads it). */
export function roleOf(connectionString: string): Role {
  const url = new URL(connectionString)
  return { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/** SQLSTATEs of a concurrent CREATE ROLE of the same name (test projects set up in parallel). */
const ALREADY_EXISTS = new Set(['42710', '23505'])

/**
 * Creates `role` as a Neon project owner if it does not exist (`adminUrl` needs CREATEROLE). An existing role is
 * left as it is (its password too), unless it is a superuser: tests run as it would then prove nothing.
 */
export async function ensureOwnerRole(adminUrl: string, role: Role): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const found = await c.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [
      role.user,
    ])
    const existing = found.rows[0]
    if (existing?.rolsuper) {
      throw new Error(
        `role ${role.user} exists and is a superuser, which no Neon role is: ALTER ROLE ${role.user} NOSUPERUSER, ` +
          'or use another server',
      )
    }
    if (existing) return
    // format() quotes the name and the password on the server: no hand-made escaping.
    const ddl = await c.query<{ ddl: string }>(
      "SELECT format('CREATE ROLE %I LOGIN CREATEDB CREATEROLE NOSUPERUSER PASSWORD %L', $1::text, $2::text) AS ddl",
      [role.user, role.password],
    )
    try {
      await c.query(ddl.rows[0]?.ddl ?? '')
    } catch (err) {
      if (!(err instanceof pg.DatabaseError && ALREADY_EXISTS.has(err.code ?? ''))) throw err
    }
  })
}

export interface OwnedDatabase {
  name: string
  /** `adminUrl` pointed at the new database. */
  url: string
  drop(): Promise<void>
}

/** A new database named `<prefix>_<time>_<random>`, owned by `owner` (who then owns its `public` schema too). */
export async function createOwnedDatabase(
  adminUrl: string,
  prefix: string,
  owner: Role,
): Promise<OwnedDatabase> {
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`
  await withClient(adminUrl, async (c) => {
    const ddl = await c.query<{ ddl: string }>(
      "SELECT format('CREATE DATABASE %I OWNER %I', $1::text, $2::text) AS ddl",
      [name, owner.user],
    )
    await c.query(ddl.rows[0]?.ddl ?? '')
  })
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    drop: () =>
      withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  }
}

/**
 * Whether the server checks `role`'s password (scram/md5 in pg_hba.conf) or trusts any (initdb's `--auth=trust`):
 * a test of a wrong password only means something on the former.
 */
export async function checksPasswords(url: string, role: Role): Promise<boolean> {
  const wrong = new URL(url)
  wrong.username = encodeURIComponent(role.user)
  wrong.password = `not-${randomBytes(6).toString('hex')}`
  try {
    await withClient(wrong.toString(), async () => undefined)
    return false
  } catch (err) {
    if (err instanceof pg.DatabaseError && err.code === '28P01') return true
    throw err
  }
}
