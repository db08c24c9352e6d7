/** What the figures were measured on: the machine, and the versions of everything on the measured path. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../root'
import type { Machine } from './results'
import { round } from './stats'

/** The tag of the last migration in drizzle/ (the one `migrateDatabase` applies last), e.g. `0004_favorite_counts`. */
export function lastMigration(): string {
  const journal = JSON.parse(readFileSync(join(ROOT, 'drizzle', 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[]
  }
  const last = journal.entries.at(-1)
  if (!last) throw new Error('drizzle/meta/_journal.json lists no migration')
  return last.tag
}

export const loadAverage = () => os.loadavg().map((v) => round(v, 2))

export function machine(loadAverageAtStart: number[]): Machine {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart,
    loadAverageAtEnd: loadAverage(),
  }
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string
    }
    return pkg.version
  } catch {
    return 'n/a'
  }
}

function gitRevision(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== ''
    return dirty ? `${rev} + uncommitted changes` : rev
  } catch {
    return 'n/a'
  }
}

export function versions(postgres: string): Record<string, string> {
  return {
    node: process.version,
    postgres,
    wrangler: packageVersion('wrangler'),
    workerd: packageVersion('workerd'),
    hono: packageVersion('hono'),
    '@hono/zod-openapi': packageVersion('@hono/zod-openapi'),
    zod: packageVersion('zod'),
    'drizzle-orm': packageVersion('drizzle-orm'),
    '@neondatabase/serverless': packageVersion('@neondatabase/serverless'),
    pg: packageVersion('pg'),
    autocannon: packageVersion('autocannon'),
    git: gitRevision(),
  }
}
