/**
 * Every wrangler run of the Node tools (`npm run dev`, the contract tests, the benchmark): the project's own
 * wrangler, offline (no `Request.cf` fetch, no telemetry), bindings as `--var` (they win over a developer's
 * .dev.vars), and for `wrangler dev` one way to start, wait for and stop it.
 */
import { join } from 'node:path'
import { type Child, type ChildOutput, runCommand, sleep, spawnChild } from './child-process'
import { ROOT } from './root'

export const WRANGLER_BIN = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')

function wranglerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', ...extra }
}

/** `--var NAME:VALUE` for each binding. */
export const wranglerVarArgs = (vars: Record<string, string>): string[] =>
  Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`])

export interface WranglerDevOptions {
  port: number
  vars: Record<string, string>
  output: ChildOutput
  /** Local state (the Cache API store); wrangler's default is .wrangler/ in the project. */
  persistTo?: string
  inspectorPort?: number
  logLevel?: 'debug' | 'info' | 'log' | 'warn' | 'error' | 'none'
  /** Added to wrangler's environment. */
  env?: Record<string, string>
  /** A wrangler config in place of the project's wrangler.toml. */
  configPath?: string
}

export interface ReadyOptions {
  /** Polled until it answers 2xx. */
  path: string
  /** From the spawn. */
  timeoutMs: number
  pollMs: number
  /** Aborting stops the wait (it then rejects with the abort reason). */
  signal?: AbortSignal
}

export interface WranglerDev {
  baseUrl: string
  child: Child
  /** Resolves with the milliseconds from spawning to the first 2xx; rejects if wrangler exits or the deadline passes. */
  ready(options: ReadyOptions): Promise<number>
  stop(): Promise<void>
}

/** Spawns `wrangler dev` on 127.0.0.1:port, detached (wrangler, its CLI child and workerd in one process group). */
export function spawnWranglerDev(options: WranglerDevOptions): WranglerDev {
  const args = [
    WRANGLER_BIN,
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    ...(options.inspectorPort === undefined ? [] : ['--inspector-port', String(options.inspectorPort)]),
    ...(options.persistTo === undefined ? [] : ['--persist-to', options.persistTo]),
    ...(options.configPath === undefined ? [] : ['--config', options.configPath]),
    '--show-interactive-dev-session=false',
    // `GET /__scheduled?cron=...` runs the Worker's scheduled handler (the removal-marker purge) on demand.
    '--test-scheduled',
    ...(options.logLevel === undefined ? [] : ['--log-level', options.logLevel]),
    ...wranglerVarArgs(options.vars),
  ]
  const spawnedAt = performance.now()
  const child = spawnChild(process.execPath, args, {
    cwd: ROOT,
    env: wranglerEnv(options.env),
    output: options.output,
  })
  const baseUrl = `http://127.0.0.1:${options.port}`
  return {
    baseUrl,
    child,
    async ready({ path, timeoutMs, pollMs, signal }) {
      for (;;) {
        signal?.throwIfAborted()
        if (child.hasExited()) throw new Error(`wrangler dev exited during start-up${child.describeOutput()}`)
        try {
          const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(2000) })
          await response.arrayBuffer()
          if (response.ok) return Math.round(performance.now() - spawnedAt)
        } catch {
          // Not listening yet.
        }
        if (performance.now() - spawnedAt > timeoutMs) {
          throw new Error(
            `wrangler dev did not answer ${baseUrl}${path} within ${timeoutMs / 1000} s${child.describeOutput()}`,
          )
        }
        await sleep(pollMs)
      }
    },
    stop: () => child.stop(),
  }
}

/** Any other wrangler command (`deploy --dry-run`, `check startup`), run to its end. */
export function runWrangler(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return runCommand(process.execPath, [WRANGLER_BIN, ...args], {
    cwd: ROOT,
    env: wranglerEnv(options.env),
    timeoutMs: options.timeoutMs,
  })
}
