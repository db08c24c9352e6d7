// Conformance tests of the local Neon server. Runs in Node (not workerd): it starts real HTTP
// servers and PGlite. `root` is the repository root so this also works as a project of a root config.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'neon-local',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tools/neon-local/**/*.test.ts'],
    environment: 'node',
    // One server per backend for the whole run (PGlite's initdb takes seconds).
    globalSetup: ['tools/neon-local/global-setup.ts'],
    // Files share those servers and count requests on them: run them one after another.
    fileParallelism: false,
    testTimeout: 15_000,
    hookTimeout: 60_000,
  },
})
