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
