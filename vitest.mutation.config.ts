/**
 * The Worker project alone, for `npm run test:mutation` (Stryker's vitest runner takes one project). Same pool,
 * bindings and tests as `npm test`'s worker project.
 */
import { defineConfig } from 'vitest/config'
import config from './vitest.config'

const [firstProject] = config.test?.projects ?? []
if (
  typeof firstProject !== 'object' ||
  typeof firstProject === 'function' ||
  firstProject instanceof Promise
) {
  throw new Error('vitest.config.ts: the first project must be the Worker project, inline')
}
export const workerProject = firstProject

export default defineConfig(workerProject)
