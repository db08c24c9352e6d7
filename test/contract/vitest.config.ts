// Contract and developer-experience tests, run in Node (not workerd): they start the real Worker with `wrangler
// dev` on a migrated local database, talk to it over HTTP with a client generated from its /openapi.json, and
// drive Swagger UI in headless Chromium. Files end in `.spec.ts` so the root `worker` project (test/**/*.test.ts,
// run inside workerd) does not pick them up. `root` is the repository root so this works as a root project.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'contract',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/contract/**/*.spec.ts'],
    environment: 'node',
    // One database and one `wrangler dev` for the whole project (both take seconds to start).
    globalSetup: ['test/contract/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
