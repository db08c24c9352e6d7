/** The dev database: the local Neon-protocol server when the plan needs one, then migrations and demo data. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { connectNeonHttp } from '../db/connect'
import { migrateDatabase } from '../db/migrate'
import { type NeonLocalServer, startNeonLocalServer } from '../neon-local/server'
import type { DatabasePlan } from './database-plan'
import { describeError, LaunchError, log } from './launch-log'
import { describeSeed, seedDemoData } from './seed'
import { ROOT, type Settings } from './settings'

/**
 * One launcher per PGlite folder: PGlite is single-process, two writers would corrupt it. The lock goes when this
 * process exits, however it exits (a stale one, of a dead pid, is taken over).
 */
function lockDataDir(dataDir: string): void {
  mkdirSync(dirname(dataDir), { recursive: true })
  const lockFile = `${dataDir}.lock`
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim())
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new LaunchError(
        `${relative(ROOT, dataDir)} is in use by another launcher (pid ${pid}). Stop it, or use another ` +
          'folder (PGLITE_DIR=...) or DEV_DATABASE=memory.',
      )
    }
  }
  writeFileSync(lockFile, String(process.pid))
  process.once('exit', () => rmSync(lockFile, { force: true }))
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The local Neon-protocol server when the plan is local (undefined otherwise), still starting: the caller holds
 * the promise at once, so a Ctrl-C during the start-up still closes the server.
 */
export function startLocalServer(plan: DatabasePlan): Promise<NeonLocalServer> | undefined {
  if (plan.kind === 'remote') {
    log(`database: ${plan.label}`)
    return undefined
  }
  if (plan.backend.kind === 'pglite' && plan.backend.dataDir) lockDataDir(plan.backend.dataDir)
  log(`starting the local Neon-protocol server on ${plan.label}`)
  return startNeonLocalServer({ backend: plan.backend })
}

/** Applies the migrations, then (unless DEV_SEED is off) the idempotent demo data. */
export async function prepareDatabase(
  plan: DatabasePlan,
  endpoint: string | undefined,
  settings: Settings,
): Promise<void> {
  await migrateDatabase(plan.databaseUrl, endpoint).catch((error: unknown) => {
    throw new LaunchError(`migrating the database (${plan.label}) failed: ${describeError(error)}`)
  })
  log('migrations applied')
  if (/^(false|0|no|off)$/i.test(settings.get('DEV_SEED') ?? '')) {
    log('seeding skipped (DEV_SEED)')
    return
  }
  const result = await seedDemoData(connectNeonHttp(plan.databaseUrl, endpoint)).catch((error: unknown) => {
    throw new LaunchError(`seeding the demo data failed: ${describeError(error)}`)
  })
  log(describeSeed(result))
}
