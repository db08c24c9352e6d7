/**
 * Child processes of the benchmark (the local Neon-protocol server, wrangler dev) and the cleanup that must run on
 * every exit path: normal end, an error, Ctrl-C or SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { createInterface } from 'node:readline'

type Cleanup = { name: string; run: () => Promise<void> | void }
const cleanups: Cleanup[] = []

/** Registers a cleanup; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(name: string, run: () => Promise<void> | void): () => Promise<void> {
  const entry: Cleanup = { name, run }
  cleanups.push(entry)
  return async () => {
    const index = cleanups.indexOf(entry)
    if (index < 0) return
    cleanups.splice(index, 1)
    await entry.run()
  }
}

/** Runs every registered cleanup, newest first; errors are reported, not thrown. */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length > 0) {
    const entry = cleanups.pop()
    if (!entry) break
    try {
      await entry.run()
    } catch (error) {
      console.error(
        `[bench] cleanup ${entry.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  }
}

let interrupted = false
export function installSignalHandlers(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return
    interrupted = true
    console.error(`[bench] ${signal}: stopping wrangler, the local server and PostgreSQL`)
    void cleanupAll().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export interface Child {
  process: ChildProcess
  exited: Promise<void>
  /** SIGTERM, then SIGKILL to the whole process group after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>
}

/** Spawns a detached child (its own process group) with stdout/stderr appended to `logFile`. */
export function spawnChild(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string; onStdoutLine?: (line: string) => void },
): Child {
  const log = createWriteStream(options.logFile, { flags: 'a' })
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  child.stderr?.pipe(log)
  if (child.stdout) {
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      log.write(`${line}\n`)
      options.onStdoutLine?.(line)
    })
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const alive = () => child.exitCode === null && child.signalCode === null
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return
    try {
      process.kill(-child.pid, signal)
    } catch {
      // Gone.
    }
  }
  return {
    process: child,
    exited,
    async stop(timeoutMs = 10_000) {
      if (alive() && child.pid !== undefined) {
        try {
          child.kill('SIGTERM')
        } catch {
          // Gone.
        }
        const stopped = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)])
        if (!stopped) {
          signalGroup('SIGKILL')
          await Promise.race([exited, sleep(2000)])
        }
      }
      // Whatever the child left in its group (workerd under wrangler).
      signalGroup('SIGTERM')
      child.stdin?.destroy()
      log.end()
    },
  }
}
