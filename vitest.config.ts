import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

export const TEST_JWT_SECRET = 'test-only-hs256-secret-0123456789abcdef'

export default defineConfig({
  test: {
    // The Worker logs a JSON line per request (and a warning per injected database fault): keep those out of the
    // test report; errors still show.
    onConsoleLog: (log) => !/"level":"(info|warn)"/.test(log),
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
                // Short, so the slow-database test waits 2 s, not the default 5 s.
                DB_TIMEOUT_MS: '2000',
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
      './test/contract/vitest.config.ts',
    ],
  },
})
