/** What the launcher prints, and the error it reports as a plain message (no stack). */
export class LaunchError extends Error {}

export const log = (message: string) => console.log(`[dev] ${message}`)
export const warn = (message: string) => console.warn(`[dev] warning: ${message}`)

/** An error and its causes, one line: drizzle wraps the driver's error ("Failed query: ...") in `cause`. */
export function describeError(error: unknown): string {
  const parts: string[] = []
  for (let e: unknown = error; e !== undefined && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    parts.push(e instanceof Error ? e.message.split('\n')[0]?.trim() || e.name : String(e))
    if (!(e instanceof Error)) break
  }
  return parts.join(': ')
}
