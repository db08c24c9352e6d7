import { vi } from 'vitest'

/** Runs `action` with `console[stream]` captured, and returns the JSON log lines it wrote there. */
export async function logLinesDuring(
  stream: 'log' | 'error',
  action: () => Promise<unknown>,
): Promise<Record<string, unknown>[]> {
  const lines: string[] = []
  const spy = vi.spyOn(console, stream).mockImplementation((line: string) => void lines.push(line))
  try {
    await action()
  } finally {
    spy.mockRestore()
  }
  return lines.map((line) => JSON.parse(line))
}
