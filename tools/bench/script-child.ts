/**
 * A TypeScript tool of the benchmark in a Node process of its own (tsx), so it shares no event loop with the load
 * generator and its CPU can be read apart: it prints `{"url": ...}` as its first JSON stdout line when ready, and
 * stops when its stdin closes (the benchmark gone) or on SIGTERM.
 */
import { join } from 'node:path'
import { spawnChild } from '../child-process'
import { ROOT } from '../root'
import { onCleanup } from './cleanup'

export interface ScriptChild {
  url: string
  /** Its process group (the child leads one, with whatever it spawns, e.g. workerd). */
  processGroup: number
  stop(): Promise<void>
}

export async function startScriptChild(
  name: string,
  script: string,
  args: string[],
  logFile: string,
): Promise<ScriptChild> {
  let announced = false
  let resolveUrl: (url: string) => void = () => undefined
  const ready = new Promise<string>((resolve) => {
    resolveUrl = resolve
  })
  const child = spawnChild(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), script, ...args],
    {
      cwd: ROOT,
      stdin: 'pipe',
      output: {
        kind: 'file',
        path: logFile,
        // Only the announcement: later lines (a Worker's JSON log lines, say) are output, not messages.
        onStdoutLine: (line) => {
          if (announced || !line.startsWith('{"url":')) return
          announced = true
          resolveUrl((JSON.parse(line) as { url: string }).url)
        },
      },
    },
  )
  const stop = onCleanup(name, () => child.stop())
  const url = await Promise.race([
    ready,
    child.exited.then(() => {
      throw new Error(`${name} exited; see ${logFile}`)
    }),
  ])
  const processGroup = child.process.pid
  if (processGroup === undefined) throw new Error(`${name}: no pid`)
  return { url, processGroup, stop }
}

/**
 * The child's side: announces `url` on stdout, then runs `close` and exits on SIGTERM, SIGINT, or its stdin closing
 * (the benchmark died without telling it).
 */
export function serveUntilParentGone(url: string, close: () => Promise<unknown>): void {
  console.log(JSON.stringify({ url }))
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    void close().finally(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.stdin.on('end', stop)
  process.stdin.resume()
}
