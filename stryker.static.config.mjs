// @ts-check
/**
 * `npm run test:mutation:static`: the static mutants `npm run test:mutation --ignoreStatic` leaves out, each run
 * against the fast tests of `vitest.mutation-static.config.ts` (the served OpenAPI document among them) rather than
 * the whole 3-minute suite. Its own incremental file and report (reports/mutation/static/); `npm run -s
 * mutation:static-summary` prints the score of the static mutants alone (non-static ones also run here, against
 * these tests only, and are scored by `npm run test:mutation`).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
import base from './stryker.config.mjs'

export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'vitest.mutation-static.config.ts' },
  incrementalFile: 'reports/mutation/static/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/static/index.html' },
  jsonReporter: { fileName: 'reports/mutation/static/mutation.json' },
  clearTextReporter: { ...base.clearTextReporter, reportMutants: false },
}
