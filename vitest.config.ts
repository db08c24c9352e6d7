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
                // Another endpoint, as a Neon read replica is: a streaming replica when the run has one (CI's
                // PostgreSQL pass), else served by the primary (tools/db/test-database.ts).
                ANALYTICS_DATABASE_URL: 'postgresql://app:app@replica.localtest.me/app',
                NEON_HTTP_ENDPOINT: inject('neonEndpoint'),
                DATABASE_BACKEND: inject('databaseBackend'),
                DATABASE_REPLICA: String(inject('databaseReplica')),
                JWT_SECRET: TEST_JWT_SECRET,
                // Short, so the slow-database test waits 2 s, not the default 5 s.
                DB_TIMEOUT_MS: '2000',
              },
              ratelimits: {
                // The suite sends thousands of requests as one user (the fuzzer): the real budgets are out of reach
                // here, and the rate-limit tests run the Worker with the small ones below in their place.
                CLIENT_RATE_LIMITER: { simple: { limit: 1_000_000, period: 60 } },
                BUSINESS_RATE_LIMITER: { simple: { limit: 1_000_000, period: 60 } },
                SMALL_CLIENT_RATE_LIMITER: { simple: { limit: 3, period: 60 } },
                SMALL_BUSINESS_RATE_LIMITER: { simple: { limit: 3, period: 60 } },
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
