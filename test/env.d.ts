import type { Env as WorkerEnv } from '../src/env'

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      JWT_SECRET: string
      NEON_HTTP_ENDPOINT: string
      /** Which database the local server runs on in this test run. */
      DATABASE_BACKEND: 'pglite' | 'postgres'
    }
  }
}
