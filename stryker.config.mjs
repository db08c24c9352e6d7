// @ts-check
/**
 * `npm run test:mutation`: mutation testing of `src/` (the code that ships to the edge) with Stryker, against the
 * Worker test suite in workerd on the embedded database. Not in CI: it runs the suite once per mutant's tests.
 * Report: reports/mutation/ (HTML and JSON); equivalent mutants are marked where they are, with a
 * `// Stryker disable next-line <mutator>: <why>` comment, and the report lists them as ignored with that reason.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: {
    configFile: 'vitest.mutation.config.ts',
    // The tests reach the code through the Worker's fetch handler, not by importing it.
    related: false,
  },
  // TypeScript 7 has no JS API for Stryker's checker: mutants that do not type-check run (and die) as tests.
  checkers: [],
  // Stryker rewrites the tsconfig's outside references with TypeScript's JS API, which TypeScript 7 lacks; ours has
  // none to rewrite, so it is pointed at no file.
  tsconfigFile: 'no-tsconfig-to-rewrite.json',
  mutate: ['src/**/*.ts', '!src/build/**'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { logTests: false, reportTests: false, reportMutants: true },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  timeoutMS: 10_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
}
