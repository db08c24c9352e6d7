/**
 * Settings for the Node-side dev tools (`npm run dev`, `npm run token`, `npm run seed`), resolved the way
 * `wrangler dev` resolves the Worker's bindings: wrangler.toml `[vars]`, overridden by `.dev.vars`, overridden by
 * the process environment (the environment always wins).
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../root'

export { ROOT }
export const DEV_VARS_PATH = join(ROOT, '.dev.vars')
export const DEV_VARS_EXAMPLE_PATH = join(ROOT, '.dev.vars.example')
export const WRANGLER_TOML_PATH = join(ROOT, 'wrangler.toml')

/** The Worker's settings (see src/env.ts). */
export const WORKER_SETTINGS = [
  'DATABASE_URL',
  'NEON_HTTP_ENDPOINT',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWT_SECRET',
  'JWKS_URL',
  'CURSOR_SECRET',
  'DB_TIMEOUT_MS',
  'CORS_ORIGINS',
] as const

/** Settings only the launcher reads; never passed to the Worker. */
export const LAUNCHER_SETTINGS = [
  'PORT',
  'PGLITE_DIR',
  'LOCAL_POSTGRES_URL',
  'DEV_DATABASE',
  'DEV_SEED',
] as const

export type SettingName = (typeof WORKER_SETTINGS)[number] | (typeof LAUNCHER_SETTINGS)[number]
export type SettingSource = 'environment' | '.dev.vars' | 'wrangler.toml'

export interface Settings {
  /** A setting's value, trimmed; `undefined` when unset or empty. */
  get(name: SettingName): string | undefined
  source(name: SettingName): SettingSource | undefined
}

/**
 * A dotenv-style file, with the subset of dotenv's rules that wrangler (which uses dotenv) also applies:
 * `KEY=value`, optional `export `, `#` comment lines, `'...'`/`"..."`/`` `...` `` quoting (with `\n` expanded
 * inside double quotes), and ` # comment` after an unquoted value. Later keys win.
 */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line)
    if (!match?.[1]) continue
    let value = match[2] ?? ''
    const quote = value[0]
    if ((quote === '"' || quote === "'" || quote === '`') && value.indexOf(quote, 1) > 0) {
      value = value.slice(1, value.indexOf(quote, 1))
      if (quote === '"') value = value.replaceAll('\\n', '\n').replaceAll('\\r', '\r')
    } else {
      value = value.replace(/\s+#.*$/, '').trim()
    }
    out[match[1]] = value
  }
  return out
}

/** The `[vars]` table of wrangler.toml: simple `KEY = "value"` lines (strings, numbers, booleans). */
export function parseWranglerVars(toml: string): Record<string, string> {
  const out: Record<string, string> = {}
  let inVars = false
  for (const rawLine of toml.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line.startsWith('[')) {
      inVars = line === '[vars]'
      continue
    }
    if (!inVars || line === '' || line.startsWith('#')) continue
    const match = /^([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*)$/.exec(line)
    if (!match?.[1] || match[2] === undefined) continue
    const raw = match[2].trim()
    let value: string | undefined
    if (raw.startsWith('"')) {
      const end = /^"((?:[^"\\]|\\.)*)"/.exec(raw)
      value = end ? (JSON.parse(`"${end[1]}"`) as string) : undefined
    } else if (raw.startsWith("'")) {
      const end = raw.indexOf("'", 1)
      value = end > 0 ? raw.slice(1, end) : undefined
    } else {
      value = raw.replace(/\s+#.*$/, '').trim()
    }
    if (value !== undefined) out[match[1]] = value
  }
  return out
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const layers: [SettingSource, Record<string, string>][] = [
    ['wrangler.toml', parseWranglerVars(readIfExists(WRANGLER_TOML_PATH) ?? '')],
    ['.dev.vars', parseDotenv(readIfExists(DEV_VARS_PATH) ?? '')],
    [
      'environment',
      Object.fromEntries(
        [...WORKER_SETTINGS, ...LAUNCHER_SETTINGS].flatMap((k) =>
          env[k] === undefined ? [] : [[k, env[k]]],
        ),
      ),
    ],
  ]
  const values = new Map<string, { value: string; source: SettingSource }>()
  for (const [source, layer] of layers) {
    for (const [key, value] of Object.entries(layer)) values.set(key, { value: value.trim(), source })
  }
  return {
    get: (name) => {
      const v = values.get(name)?.value
      return v === undefined || v === '' ? undefined : v
    },
    source: (name) => values.get(name)?.source,
  }
}

export function generateSecret(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * First run: creates `.dev.vars` from `.dev.vars.example` with a fresh random JWT_SECRET. Later runs: fills in
 * an empty `JWT_SECRET=` line (or appends one) when neither the file nor the environment provides a secret or a
 * JWKS URL. Returns what it did, for the log.
 */
export function ensureDevVars(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!existsSync(DEV_VARS_PATH)) {
    const template =
      readIfExists(DEV_VARS_EXAMPLE_PATH) ??
      '# Local settings for npm run dev; see .dev.vars.example in the repository.\nJWT_SECRET=\n'
    writeFileSync(DEV_VARS_PATH, withSecret(template), { mode: 0o600 })
    return 'created .dev.vars from .dev.vars.example with a new random JWT_SECRET'
  }
  const settings = loadSettings(env)
  if (settings.get('JWT_SECRET') || settings.get('JWKS_URL')) return undefined
  writeFileSync(DEV_VARS_PATH, withSecret(readFileSync(DEV_VARS_PATH, 'utf8')))
  return 'added a new random JWT_SECRET to .dev.vars'
}

function withSecret(text: string): string {
  const line = `JWT_SECRET=${generateSecret()}`
  if (/^JWT_SECRET=[ \t]*$/m.test(text)) return text.replace(/^JWT_SECRET=[ \t]*$/m, line)
  return `${text.replace(/\n*$/, '\n')}${line}\n`
}
