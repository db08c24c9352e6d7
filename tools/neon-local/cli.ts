// tsx tools/neon-local/cli.ts [--port 4444] [--host 127.0.0.1] [--pglite [DIR]] [--postgres URL [--run-as WHO]] [--endpoint NAME=URL] [--quiet]
import type { RunAs } from './backends/postgres.js'
import { type BackendOptions, startNeonLocalServer } from './server.js'

const USAGE = `usage: tsx tools/neon-local/cli.ts [--port 4444] [--host 127.0.0.1] [--pglite [DIR]] [--postgres URL [--run-as WHO]] [--endpoint NAME=URL] [--quiet]
  --pglite [DIR]   PGlite backend (the default); in memory unless DIR is given
  --postgres URL   a real PostgreSQL server, pooled (max 10 connections per role)
  --run-as WHO     with --postgres: connection-string (the default, as on Neon: each request logs in as the
                   user/password of its Neon-Connection-String) or backend-url (every request as URL's user)
  --endpoint NAME=URL  requests whose connection string's host starts with NAME (its first label, as Neon
                   routes) go to the PostgreSQL server at URL, such as a read replica; repeatable
  --quiet          do not log each request`

interface CliOptions {
  port: number
  host: string
  backend: BackendOptions
  endpoints: Record<string, { kind: 'postgres'; url: string; runAs?: RunAs }>
  runAs: RunAs
  quiet: boolean
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}

function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = {
    port: 4444,
    host: '127.0.0.1',
    backend: { kind: 'pglite' },
    endpoints: {},
    runAs: 'connection-string',
    quiet: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const next = argv[i + 1]
    const optional = next !== undefined && !next.startsWith('--') ? next : undefined
    const required = (): string => {
      if (optional === undefined) fail(`${arg} needs a value`)
      i++
      return optional
    }
    switch (arg) {
      case '--port': {
        const port = Number(required())
        if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port needs a port number')
        opts.port = port
        break
      }
      case '--host':
        opts.host = required()
        break
      case '--pglite':
        // The directory is optional: `--pglite` alone means in memory.
        opts.backend = optional === undefined ? { kind: 'pglite' } : { kind: 'pglite', dataDir: required() }
        break
      case '--postgres':
        opts.backend = { kind: 'postgres', url: required() }
        break
      case '--run-as': {
        const who = required()
        if (who !== 'connection-string' && who !== 'backend-url')
          fail('--run-as needs connection-string or backend-url')
        opts.runAs = who
        break
      }
      case '--endpoint': {
        const [name, url] = required().split(/=(.*)/s)
        if (!name || !url) fail('--endpoint needs NAME=URL')
        opts.endpoints[name] = { kind: 'postgres', url }
        break
      }
      case '--quiet':
        opts.quiet = true
        break
      case '--help':
      case '-h':
        console.log(USAGE)
        process.exit(0)
        break
      default:
        fail(`unknown argument: ${arg}`)
    }
  }
  if (opts.backend.kind === 'postgres') opts.backend.runAs = opts.runAs
  for (const endpoint of Object.values(opts.endpoints)) endpoint.runAs = opts.runAs
  return opts
}

const opts = parseArgs(process.argv.slice(2))
const server = await startNeonLocalServer({
  backend: opts.backend,
  endpoints: opts.endpoints,
  port: opts.port,
  host: opts.host,
  log: opts.quiet ? undefined : (line) => console.log(`[neon-local] ${line}`),
})
const what =
  opts.backend.kind === 'postgres'
    ? `PostgreSQL ${redact(opts.backend.url)} (${opts.runAs === 'connection-string' ? "as each connection string's role" : "as the URL's user"})`
    : `PGlite ${opts.backend.dataDir ?? '(in memory)'}`
console.log(`[neon-local] ${what} -> neonConfig.fetchEndpoint = '${server.url}'`)
for (const [name, endpoint] of Object.entries(opts.endpoints)) {
  console.log(`[neon-local] endpoint ${name}: PostgreSQL ${redact(endpoint.url)}`)
}

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  console.log(`[neon-local] ${signal}: shutting down after ${server.stats().requests} requests`)
  await server.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))

/** Hides a password in a connection URL before printing it. */
function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return url
  }
}
