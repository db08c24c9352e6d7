/**
 * What the benchmark started (PostgreSQL, the local Neon-protocol server, wrangler dev, temp dirs) and the cleanup
 * that must run on every exit path: normal end, an error, Ctrl-C or SIGTERM.
 */
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

export function installSignalHandlers(): void {
  let interrupted = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return
    interrupted = true
    console.error(`[bench] ${signal}: stopping wrangler, the local server and PostgreSQL`)
    void cleanupAll().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}
