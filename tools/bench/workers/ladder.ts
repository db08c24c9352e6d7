/**
 * The API Worker with rungs beside it, for the benchmark's breakdown of the Worker's own CPU: each `/__ladder/*`
 * path does one piece of the floor route's work in the same bundle, isolate and configuration: a bare answer, a
 * log line, one raw fetch to the local server, the same query through `neon()` and through drizzle, Hono alone and
 * with the Worker-wide middleware. Any other path is the API itself. Bench-only: never deployed.
 */
import { neon, neonConfig } from '@neondatabase/serverless'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/neon-http'
import { Hono } from 'hono'
import { createApp } from '../../../src/app/create-app'
import { useWorkerMiddleware } from '../../../src/app/worker-middleware'
import type { Env } from '../../../src/env'
import api from '../../../src/index'

/** Hono alone, then with the API's Worker-wide middleware: what routing and that middleware cost without a query. */
const hono = new Hono().get('/__ladder/hono', (c) => c.text('ok'))
const withMiddleware = createApp()
useWorkerMiddleware(withMiddleware)
withMiddleware.get('/__ladder/middleware', (c) => c.text('ok'))

const ok = () => new Response('ok')

const rungs: Record<string, (env: Env) => Promise<Response>> = {
  '/__ladder/bare': async () => ok(),
  '/__ladder/log': async () => {
    console.log(JSON.stringify({ level: 'info', msg: 'request', route: '/__ladder/log', status: 200 }))
    return ok()
  },
  '/__ladder/fetch': async (env) => {
    const url = new URL(env.DATABASE_URL)
    const response = await fetch(env.NEON_HTTP_ENDPOINT ?? `https://${url.hostname}/sql`, {
      method: 'POST',
      headers: { 'Neon-Connection-String': env.DATABASE_URL, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'SELECT 1', params: [] }),
    })
    await response.json()
    return ok()
  },
  '/__ladder/neon': async (env) => {
    if (env.NEON_HTTP_ENDPOINT) neonConfig.fetchEndpoint = env.NEON_HTTP_ENDPOINT
    await neon(env.DATABASE_URL)`SELECT 1`
    return ok()
  },
  '/__ladder/drizzle': async (env) => {
    if (env.NEON_HTTP_ENDPOINT) neonConfig.fetchEndpoint = env.NEON_HTTP_ENDPOINT
    await drizzle({ client: neon(env.DATABASE_URL) }).execute(sql`SELECT 1`)
    return ok()
  },
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const path = new URL(request.url).pathname
    const rung = rungs[path]
    if (rung) return rung(env)
    if (path === '/__ladder/hono') return hono.fetch(request, env, ctx)
    if (path === '/__ladder/middleware') return withMiddleware.fetch(request, env, ctx)
    return api.fetch(request, env, ctx)
  },
  scheduled: api.scheduled,
}
