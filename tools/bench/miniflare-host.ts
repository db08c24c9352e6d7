/**
 * A Worker bundle under Miniflare (workerd) in a process of its own, without wrangler's dev proxy: requests go
 * straight to workerd's socket. With a wrangler config, the Worker gets that config's settings (compatibility,
 * rate limiters, assets) as `wrangler dev` would, with `bindings` over its vars.
 * Usage: tsx tools/bench/miniflare-host.ts '{"scriptPath": ..., "configPath"?: ..., "bindings"?: {...}}'
 * Prints `{"url": ...}` when ready; stops when stdin closes or on SIGTERM/SIGINT.
 */
import { dirname } from 'node:path'
import { Miniflare, type WorkerOptions } from 'miniflare'
import { unstable_getMiniflareWorkerOptions } from 'wrangler'
import { serveUntilParentGone } from './script-child'

interface HostOptions {
  scriptPath: string
  configPath?: string
  bindings?: Record<string, string>
  /** Opens workerd's V8 inspector on this port (the profiler of tools/bench/profile.ts). */
  inspectorPort?: number
}

const options = JSON.parse(process.argv[2] ?? '{}') as HostOptions
if (!options.scriptPath) {
  console.error('usage: tsx tools/bench/miniflare-host.ts \'{"scriptPath": "...", "configPath": "..."}\'')
  process.exit(2)
}

const fromConfig: WorkerOptions = options.configPath
  ? (unstable_getMiniflareWorkerOptions(options.configPath).workerOptions as WorkerOptions)
  : { compatibilityDate: '2026-05-03' }
const miniflare = new Miniflare({
  ...fromConfig,
  modules: true,
  scriptPath: options.scriptPath,
  // Module names are paths relative to this root; the default (the cwd) would put the bundle outside it.
  modulesRoot: dirname(options.scriptPath),
  bindings: { ...(fromConfig.bindings ?? {}), ...(options.bindings ?? {}) },
  host: '127.0.0.1',
  port: 0,
  ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
})
const url = await miniflare.ready
serveUntilParentGone(url.origin, () => miniflare.dispose())
