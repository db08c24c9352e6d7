import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

export const TEST_JWT_SECRET = 'test-only-hs256-secret-0123456789abcdef'

export default defineConfig({
  test: {
    // The Worker logs one JSON line per request: keep them out of the test report.
    onConsoleLog: (log) => !log.includes('"msg":"request"'),
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: './src/index.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                DATABASE_URL: 'postgresql://app:app@db.localtest.me/app',
                NEON_HTTP_ENDPOINT: inject('neonEndpoint'),
                DATABASE_BACKEND: inject('databaseBackend'),
                JWT_SECRET: TEST_JWT_SECRET,
              },
            },
          })),
        ],
        test: {
          name: 'worker',
          include: ['test/**/*.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          // Files run one after another: tests count the local server's requests to prove one round trip.
          fileParallelism: false,
        },
      },
      './tools/neon-local/vitest.config.ts',
    ],
  },
})
