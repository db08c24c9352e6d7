/** Wall time of a run's stages, for the report's run-time figures. */

export type Stage = { step: string; seconds: number }

/** Runs `run`, then records how long it took under `step` (rounded to 0.1 s). */
export async function timed<T>(stages: Stage[], step: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now()
  const result = await run()
  stages.push({ step, seconds: Math.round((performance.now() - started) / 100) / 10 })
  return result
}
