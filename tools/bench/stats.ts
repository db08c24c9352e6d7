/** Small statistics helpers: nearest-rank percentiles, rounding. */

export interface Percentiles {
  n: number
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN
}

export function percentiles(values: number[], digits = 3): Percentiles {
  const sorted = [...values].sort((a, b) => a - b)
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50), digits),
    p95: round(percentile(sorted, 95), digits),
    p99: round(percentile(sorted, 99), digits),
    max: round(sorted.at(-1) ?? Number.NaN, digits),
    mean: round(sorted.length ? sum / sorted.length : Number.NaN, digits),
  }
}

export const round = (value: number, digits = 2) =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value

export const ratio = (a: number, b: number, digits = 2) => (b > 0 ? round(a / b, digits) : Number.NaN)
