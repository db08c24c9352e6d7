/**
 * Child processes of the Node tools. Long-running ones are spawned detached, leading their own process group, so
 * a stop also reaches what they spawn (workerd under wrangler) and a terminal's Ctrl-C reaches only the parent,
 * which stops them in order.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { createInterface } from 'node:readline'

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Where a child's stdout and stderr go. */
export type ChildOutput =
  | { kind: 'inherit' }
  | { kind: 'file'; path: string; onStdoutLine?: (line: string) => void }
  /** Kept in memory, the last `maxChars` characters, for error messages. */
  | { kind: 'memory'; maxChars: number }

export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
  /** Set when the process could not be spawned at all. */
  error?: Error
}

export interface Child {
  process: ChildProcess
  exited: Promise<ChildExit>
  hasExited(): boolean
  /** The output so far, for error messages: the text itself (`memory`) or where to find it (`file`). */
  describeOutput(): string
  /** Sends a signal to the child, or to its whole process group. Never throws. */
  signal(name: NodeJS.Signals, group?: boolean): void
  /** SIGTERM; SIGKILL to the group after `timeoutMs`; then whatever is still in its group. */
  stop(timeoutMs?: number): Promise<void>
}

const DETACHED = process.platform !== 'win32'

export function spawnChild(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; output: ChildOutput; stdin?: 'ignore' | 'pipe' },
): Child {
  const { output } = options
  const piped = output.kind !== 'inherit'
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: DETACHED,
    stdio: [options.stdin ?? 'ignore', piped ? 'pipe' : 'inherit', piped ? 'pipe' : 'inherit'],
  })
  let log: WriteStream | undefined
  let kept = ''
  if (output.kind === 'file') {
    log = createWriteStream(output.path, { flags: 'a' })
    child.stderr?.pipe(log)
    if (child.stdout) {
      const target = log
      createInterface({ input: child.stdout }).on('line', (line) => {
        target.write(`${line}\n`)
        output.onStdoutLine?.(line)
      })
    }
  } else if (output.kind === 'memory') {
    const keep = (chunk: Buffer) => {
      kept = (kept + chunk.toString()).slice(-output.maxChars)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
  }

  let exit: ChildExit | undefined
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal }
      resolve(exit)
    })
    // Only a failed spawn ends the child this way (kills go through process.kill, which throws instead).
    child.once('error', (error) => {
      if (child.pid !== undefined || exit) return
      exit = { code: null, signal: null, error }
      resolve(exit)
    })
  })
  const hasExited = () => exit !== undefined

  const signal = (name: NodeJS.Signals, group = false) => {
    if (child.pid === undefined) return
    try {
      process.kill(group && DETACHED ? -child.pid : child.pid, name)
    } catch {
      // Already gone.
    }
  }
  const groupAlive = () => {
    if (!DETACHED || child.pid === undefined) return false
    try {
      process.kill(-child.pid, 0)
      return true
    } catch {
      return false
    }
  }

  return {
    process: child,
    exited,
    hasExited,
    describeOutput: () =>
      output.kind === 'memory' ? `:\n${kept}` : output.kind === 'file' ? `; see ${output.path}` : '',
    signal,
    async stop(timeoutMs = 10_000) {
      if (!hasExited()) {
        signal('SIGTERM')
        const stopped = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)])
        if (!stopped) {
          signal('SIGKILL', true)
          await Promise.race([exited, sleep(2000)])
        }
      }
      // Normally nothing is left, but a crashed wrangler can leave its workerd behind.
      if (groupAlive()) {
        signal('SIGTERM', true)
        for (let i = 0; i < 20 && groupAlive(); i++) await sleep(100)
        if (groupAlive()) signal('SIGKILL', true)
      }
      child.stdin?.destroy()
      log?.end()
    },
  }
}

/** Runs a command to its end without blocking the event loop (so Ctrl-C cleanup can run meanwhile). */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGTERM'), options.timeoutMs) : undefined
    child.on('close', (status) => {
      if (timer) clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}
