// HTTP wiring of the local Neon SQL-over-HTTP server: routing, body limits, status codes, stats.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Backend, PostgresError, type RequestContext } from './backend.js'
import { createPGliteBackend } from './backends/pglite.js'
import { createPostgresBackend, type RunAs } from './backends/postgres.js'
import { ClientGoneError } from './errors.js'
import { runBatch, runSingle } from './execute.js'
import { applyFault, type Fault, parseFault } from './faults.js'
import {
  batchEchoHeaders,
  HttpError,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  parseSqlRequest,
  plainErrorBody,
  resultToJson,
} from './protocol.js'

export type BackendOptions =
  | { kind: 'pglite'; dataDir?: string }
  /**
   * `runAs` (default `backend-url`, which keeps existing callers working): `connection-string` connects as the
   * user and password of each request's `Neon-Connection-String`, as Neon does; `backend-url` runs every request
   * as the user of `url`.
   */
  | { kind: 'postgres'; url: string; max?: number; runAs?: RunAs }

/** Requests served: in all, and per endpoint name (of those whose connection string was valid). */
export type ServerStats = { requests: number; endpoints: Record<string, number> }

export interface NeonLocalServer {
  /** http://HOST:PORT/sql, the value for `neonConfig.fetchEndpoint`. */
  url: string
  port: number
  stats(): ServerStats
  close(): Promise<void>
}

export interface StartOptions {
  backend: BackendOptions
  /**
   * More compute endpoints, by name: Neon routes a request by the first label of its connection string's host, and
   * a read replica is an endpoint of its own. A request to any endpoint not named here goes to `backend`.
   */
  endpoints?: Record<string, BackendOptions>
  /** 0 (the default) picks a free port. */
  port?: number
  /** Defaults to 127.0.0.1. */
  host?: string
  log?: (line: string) => void
}

// What the proxy allows cross-origin, so a browser app can call it directly too.
const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers':
    'Authorization, Neon-Connection-String, Neon-Raw-Text-Output, Neon-Array-Mode, Neon-Pool-Opt-In, ' +
    'Neon-Batch-Read-Only, Neon-Batch-Isolation-Level, Neon-Batch-Deferrable, Content-Type',
  'Access-Control-Max-Age': '86400',
}

function createBackend(opts: BackendOptions, log?: (line: string) => void): Promise<Backend> {
  return opts.kind === 'pglite'
    ? createPGliteBackend(opts.dataDir)
    : Promise.resolve(createPostgresBackend({ url: opts.url, max: opts.max, runAs: opts.runAs, log }))
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  // The client went away: there is nobody to answer.
  if (res.destroyed) return
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Access-Control-Allow-Origin': '*',
    ...headers,
  })
  res.end(text)
}

const send = (res: ServerResponse, status: number, body: unknown): void =>
  sendText(res, status, JSON.stringify(body))

/** Reads the whole body; past the limit it keeps draining (so the client can read our 413) and rejects. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    // Gone already (e.g. during a `slow` fault): a destroyed stream emits nothing more, so waiting would never end.
    if (req.destroyed) {
      reject(new ClientGoneError())
      return
    }
    const declared = Number(req.headers['content-length'] ?? 0)
    let tooLarge = declared > MAX_REQUEST_BYTES
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_REQUEST_BYTES) tooLarge = true
      if (!tooLarge) chunks.push(chunk)
    })
    let ended = false
    req.on('end', () => {
      ended = true
      if (tooLarge) reject(new HttpError(413, `request is too large (max is ${MAX_REQUEST_BYTES} bytes)`))
      else resolve(Buffer.concat(chunks).toString('utf8'))
    })
    req.on('error', reject)
    // A client that hangs up mid-body never sends the end: without this the request would wait forever.
    req.on('close', () => {
      if (!ended) reject(new ClientGoneError())
    })
  })
}

async function handleSql(
  backendFor: (endpoint: string) => Backend,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<string> {
  const request = parseSqlRequest(req.headers, await readBody(req))
  const backend = backendFor(request.credentials.endpoint)
  const ctx: RequestContext = { credentials: request.credentials, signal }
  let body: unknown
  let headers: Record<string, string> = {}
  if (request.kind === 'single') {
    body = resultToJson(await runSingle(backend, request.query, ctx), request.output)
  } else {
    const results = await runBatch(backend, request.queries, request.options, ctx)
    body = { results: results.map((r) => resultToJson(r, request.output)) }
    headers = batchEchoHeaders(request.options)
  }
  const text = JSON.stringify(body)
  if (Buffer.byteLength(text) > MAX_RESPONSE_BYTES) {
    send(res, 507, plainErrorBody(`response is too large (max is ${MAX_RESPONSE_BYTES} bytes)`))
    return '507 response too large'
  }
  sendText(res, 200, text, headers)
  return `200 ${request.kind === 'single' ? 'query' : `batch of ${request.queries.length}`}`
}

/**
 * Aborts when the connection closes before the response was sent: the client gave up (a fetch aborted, a Worker
 * past its deadline), so its statement is cancelled and its batch is not committed, as Neon's proxy does.
 */
function clientGone(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  const { socket } = req
  // The socket's 'end' (the client's FIN) comes in the same event-loop turn as the hang-up; the response's 'close'
  // only after the socket is torn down, which a batch on PGlite could outrun to its COMMIT.
  const onEnd = () => controller.abort()
  socket.once('end', onEnd)
  res.once('close', () => {
    // Keep-alive sockets serve many requests: the listener must not outlive this one.
    socket.off('end', onEnd)
    if (!res.writableFinished) controller.abort()
  })
  return controller.signal
}

function sendError(res: ServerResponse, err: unknown): number {
  if (res.headersSent) {
    res.destroy()
    return 500
  }
  if (err instanceof PostgresError) {
    send(res, 400, err.fields)
    return 400
  }
  if (err instanceof HttpError) {
    send(res, err.status, plainErrorBody(err.message, err.code))
    return err.status
  }
  send(res, 500, plainErrorBody(err instanceof Error ? err.message : String(err)))
  return 500
}

export async function startNeonLocalServer(opts: StartOptions): Promise<NeonLocalServer> {
  const log = opts.log ?? (() => undefined)
  const backend = await createBackend(opts.backend, log)
  const named = new Map<string, Backend>()
  const closeBackends = async () => {
    await Promise.all([backend, ...named.values()].map((b) => b.close()))
  }
  try {
    for (const [name, options] of Object.entries(opts.endpoints ?? {})) {
      named.set(name, await createBackend(options, log))
    }
  } catch (err) {
    await closeBackends()
    throw err
  }
  let requests = 0
  const perEndpoint: Record<string, number> = {}
  const backendFor = (endpoint: string): Backend => {
    perEndpoint[endpoint] = (perEndpoint[endpoint] ?? 0) + 1
    return named.get(endpoint) ?? backend
  }
  let fault: Fault = { kind: 'none' }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const started = Date.now()
    if (path === '/sql') {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS_HEADERS).end()
        return
      }
      if (req.method !== 'POST') {
        req.resume()
        send(res, 400, plainErrorBody('query is not supported'))
        return
      }
      requests++
      const gone = clientGone(req, res)
      applyFault(fault, req, res)
        .then((answered) => (answered ? `fault ${fault.kind}` : handleSql(backendFor, req, res, gone)))
        .then(
          (summary) => log(`POST /sql ${summary} ${Date.now() - started}ms`),
          (err: unknown) => {
            const status = sendError(res, err)
            const why = gone.aborted || err instanceof ClientGoneError ? 'client went away' : undefined
            log(
              `POST /sql ${status} ${why ?? (err instanceof Error ? err.message : String(err))} ${Date.now() - started}ms`,
            )
          },
        )
      return
    }
    if (req.method === 'PUT' && path === '/faults') {
      readBody(req).then(
        (text) => {
          const next = parseFault(text)
          if (next) fault = next
          send(res, next ? 200 : 400, next ? { fault } : plainErrorBody('unknown fault'))
        },
        (err: unknown) => sendError(res, err),
      )
      return
    }
    req.resume()
    if (req.method === 'GET' && path === '/stats') send(res, 200, { requests, endpoints: perEndpoint })
    else if (req.method === 'GET' && path === '/health') send(res, 200, { ok: true })
    else send(res, 404, plainErrorBody('not found'))
  })

  // Longer than any client's idle keep-alive: Node's default (5 s) can close a connection just as workerd reuses
  // it, which the Worker would rightly report as a database failure.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000

  const host = opts.host ?? '127.0.0.1'
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    await closeBackends()
    throw err
  }
  const { port } = server.address() as AddressInfo
  // IPv6 literals need brackets inside a URL.
  const urlHost = host.includes(':') ? `[${host}]` : host

  let closing: Promise<void> | undefined
  return {
    url: `http://${urlHost}:${port}/sql`,
    port,
    stats: () => ({ requests, endpoints: { ...perEndpoint } }),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          // Keep-alive sockets from fetch would otherwise hold close() open.
          server.closeIdleConnections()
        })
        await closeBackends()
      })()
      return closing
    },
  }
}
