/**
 * Starts the Worker for real: `wrangler dev` (tools/wrangler.ts) on a free loopback port, with every binding the
 * Worker reads passed as `--var` (so the run is hermetic) and its local state in a temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../../tools/free-port'
import { spawnWranglerDev } from '../../../tools/wrangler'

const READY_TIMEOUT_MS = 45_000

export interface WranglerDev {
  baseUrl: string
  stop(): Promise<void>
}

export async function startWranglerDev(vars: Record<string, string>): Promise<WranglerDev> {
  const state = mkdtempSync(join(tmpdir(), 'contract-wrangler-'))
  const wrangler = spawnWranglerDev({
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo: state,
    vars,
    // Kept for the error message if it fails to start.
    output: { kind: 'memory', maxChars: 20_000 },
    env: { CI: 'true' },
  })
  const stop = async () => {
    await wrangler.stop()
    rmSync(state, { recursive: true, force: true })
  }
  try {
    await wrangler.ready({ path: '/openapi.json', timeoutMs: READY_TIMEOUT_MS, pollMs: 200 })
  } catch (error) {
    await stop()
    throw error
  }
  return { baseUrl: wrangler.baseUrl, stop }
}
