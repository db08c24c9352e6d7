/**
 * The tests `npm run test:mutation:static` runs against each static mutant (module-level code: route contracts,
 * OpenAPI descriptions, zod schemas, constants). Stryker cannot tell which tests reach a static mutant, so it runs
 * every test of its project for each one; this project is the Worker project narrowed to the fast tests that read
 * what module-level code defines: the served OpenAPI document (compared with the committed one), configuration,
 * the period and time-zone rules, problems, CSV and cursors, the count split. `STATIC_MUTANT_TESTS` (globs,
 * comma-separated) replaces that list, to run a few mutants against the tests of their own route.
 */
import { defineConfig } from 'vitest/config'
import { workerProject } from './vitest.mutation.config'

const FAST_TESTS = [
  'test/docs.test.ts',
  'test/routes/analytics/openapi.test.ts',
  'test/env.test.ts',
  'test/analytics/period.test.ts',
  'test/analytics/time-zone*.test.ts',
  'test/problems/*.test.ts',
  'test/lib/*.test.ts',
  'test/queries/count-ranges.test.ts',
]

const chosen = process.env.STATIC_MUTANT_TESTS?.split(',').filter((glob) => glob !== '')

export default defineConfig({
  ...workerProject,
  test: { ...workerProject.test, include: chosen?.length ? chosen : FAST_TESTS },
})
