import type { Env as WorkerEnv } from '../src/env'

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      JWT_SECRET: string
      NEON_HTTP_ENDPOINT: string
      /** Which database the local server runs on in this test run. */
      DATABASE_BACKEND: 'pglite' | 'postgres'
      /** 'true' when ANALYTICS_DATABASE_URL reaches a real streaming replica (CI's PostgreSQL pass). */
      DATABASE_REPLICA: 'true' | 'false'
      ANALYTICS_DATABASE_URL: string
      /** Real rate limiters with a budget of 3 a minute, for the rate-limit tests. */
      SMALL_CLIENT_RATE_LIMITER: RateLimit
      SMALL_BUSINESS_RATE_LIMITER: RateLimit
    }
  }
}
