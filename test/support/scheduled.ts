import { createScheduledController, env } from 'cloudflare:test'
import worker from '../../src/index'

/** The Cron Trigger's schedule in wrangler.toml. */
export const PURGE_CRON = '17 * * * *'

/** One run of the Worker's scheduled handler, as the Cron Trigger starts it, with `bindings` over the test env. */
export async function runScheduledPurge(bindings: Record<string, unknown> = {}): Promise<void> {
  const controller = createScheduledController({ cron: PURGE_CRON, scheduledTime: Date.now() })
  await worker.scheduled(controller, { ...env, ...bindings })
}
