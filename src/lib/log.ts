/** One JSON line per event: what Workers Logs and `wrangler tail` index. */
export function logLine(
  level: 'info' | 'warn' | 'error',
  msg: string,
  fields: Record<string, unknown>,
): void {
  const line = JSON.stringify({ level, msg, ...fields })
  if (level === 'error') console.error(line)
  else console.log(line)
}

/** The root cause only: drizzle's own message repeats the SQL and its parameters, which are not for logs. */
export function rootCauseOf(error: unknown): string {
  let root = error
  while (root instanceof Error && root.cause !== undefined) root = root.cause
  return root instanceof Error ? `${root.name}: ${root.message}` : String(root)
}
