import type { ScaleName } from './generate'

/** How much each scale measures. Analytics samples are fewer than 1,000 to keep the run bounded. */
export interface MeasurementPlan {
  datasets: ScaleName[]
  planUsers: number
  planCompanies: number
  largestCompanyRepeats: number
  /** Samples of each question of the analytics matrix (largest company; the data set measured end to end). */
  analyticsMatrixSamples: number
  deepRepeats: number
  /** Per route and concurrency, split over the end-to-end stage's interleaved rounds. */
  loadSeconds: number
  endToEndRounds: number
  warmupSeconds: number
  roundTripRepeats: number
}

export const MEASUREMENT_PLANS: Record<ScaleName, MeasurementPlan> = {
  smoke: {
    datasets: ['smoke'],
    planUsers: 20,
    planCompanies: 5,
    largestCompanyRepeats: 3,
    analyticsMatrixSamples: 2,
    deepRepeats: 5,
    loadSeconds: 1,
    endToEndRounds: 1,
    warmupSeconds: 1,
    roundTripRepeats: 2,
  },
  small: {
    datasets: ['small'],
    planUsers: 1000,
    planCompanies: 100,
    largestCompanyRepeats: 50,
    analyticsMatrixSamples: 10,
    deepRepeats: 100,
    loadSeconds: 6,
    endToEndRounds: 2,
    warmupSeconds: 1,
    roundTripRepeats: 3,
  },
  // Within the 10 minutes a run may take (so that it is run whenever a change touches a query): half the plan
  // samples of `small`, and one round of 2 s of load per route and concurrency (the end-to-end stage was 243 s of
  // a 667 s run with two rounds of 2 s: 22 targets at two concurrencies).
  full: {
    datasets: ['small', 'full'],
    planUsers: 500,
    planCompanies: 100,
    largestCompanyRepeats: 30,
    analyticsMatrixSamples: 10,
    deepRepeats: 100,
    loadSeconds: 2,
    endToEndRounds: 1,
    warmupSeconds: 1,
    roundTripRepeats: 3,
  },
}

/** The local Neon-protocol server's pool of connections to PostgreSQL. */
export const NEON_SERVER_POOL_SIZE = 20
