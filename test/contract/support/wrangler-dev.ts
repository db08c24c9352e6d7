/**
 * Starts the Worker for real: `wrangler dev` as a child process on a free loopback port, with every binding the
 * Worker reads passed as `--var` (they win over a developer's .dev.vars, so the run is hermetic), its local state
 * in a temporary folder, and no network (no `Request.cf` fetch, no telemetry).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../../tools/free-port'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const WRANGLER_BIN = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')
const READY_TIMEOUT_MS = 45_000
const STOP_TIMEOUT_MS = 10_000

export interface WranglerDev {
  baseUrl: string
  /** wrangler's and the Worker's output so far (for failure messages). */
  output(): string
  stop(): Promise<void>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function signal(child: ChildProcess, name: NodeJS.Signals, group: boolean): void {
  if (child.pid === undefined) return
  try {
    // Detached, wrangler leads its own process group (its node, the CLI child, workerd).
    process.kill(group ? -child.pid : child.pid, name)
  } catch {
    // Already gone.
  }
}

export async function startWranglerDev(vars: Record<string, string>): Promise<WranglerDev> {
  const port = await freePort()
  const inspectorPort = await freePort()
  const state = mkdtempSync(join(tmpdir(), 'contract-wrangler-'))
  const args = [
    WRANGLER_BIN,
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    state,
    '--show-interactive-dev-session=false',
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ]
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  })
  let output = ''
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  let exited = false
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      resolve()
    })
  })

  const stop = async () => {
    if (!exited) {
      signal(child, 'SIGTERM', false)
      await Promise.race([exit, sleep(STOP_TIMEOUT_MS)])
    }
    // Whatever is left in the group (normally nothing).
    signal(child, 'SIGKILL', true)
    rmSync(state, { recursive: true, force: true })
  }

  const baseUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (!exited) {
    try {
      const response = await fetch(`${baseUrl}/openapi.json`, { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      if (response.ok) return { baseUrl, output: () => output, stop }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) break
    await sleep(200)
  }
  await stop()
  throw new Error(
    `wrangler dev ${exited ? 'exited' : `did not answer within ${READY_TIMEOUT_MS / 1000} s`}:\n${output}`,
  )
}
