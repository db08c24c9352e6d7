/**
 * A recording proxy in front of the local Neon-protocol server, so the benchmark sees the SQL and parameters the
 * running Worker really sends (nothing is copied by hand). Two modes:
 * - `pass`: forwards every request to the upstream server and answers with its answer; records when `recording`.
 * - `capture`: records the request and answers 503 without touching the database, so a write route can be
 *   captured without changing the data (the statement is then run under EXPLAIN ANALYZE inside a rolled-back
 *   transaction).
 * The request body is parsed by the local server's own protocol module (`parseSqlRequest`), so the parameters are
 * the exact text values PostgreSQL will bind.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SqlQuery } from '../neon-local/backend'
import { parseSqlRequest } from '../neon-local/protocol'

export interface CapturedRequest {
  kind: 'single' | 'batch'
  queries: SqlQuery[]
}

export interface CaptureProxy {
  /** `http://127.0.0.1:PORT/sql`: the Worker's NEON_HTTP_ENDPOINT. */
  url: string
  mode: 'pass' | 'capture'
  recording: boolean
  /** Returns and clears what was recorded. */
  take(): CapturedRequest[]
  close(): Promise<void>
}

const FORWARDED_HEADERS = [
  'authorization',
  'content-type',
  'neon-connection-string',
  'neon-raw-text-output',
  'neon-array-mode',
  'neon-pool-opt-in',
  'neon-batch-read-only',
  'neon-batch-isolation-level',
  'neon-batch-deferrable',
]

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startCaptureProxy(upstreamSqlUrl: string): Promise<CaptureProxy> {
  let recorded: CapturedRequest[] = []
  const state = { mode: 'pass' as 'pass' | 'capture', recording: false }

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      if (state.recording || state.mode === 'capture') {
        try {
          const parsed = parseSqlRequest(req.headers, body)
          recorded.push(
            parsed.kind === 'single'
              ? { kind: 'single', queries: [parsed.query] }
              : { kind: 'batch', queries: parsed.queries },
          )
        } catch {
          // Not a SQL request: forwarded as is, not recorded.
        }
      }
      if (state.mode === 'capture' && req.method === 'POST') {
        const text = JSON.stringify({ message: 'captured by the benchmark, not executed', code: '' })
        res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
        res.end(text)
        return
      }
      const headers: Record<string, string> = {}
      for (const name of FORWARDED_HEADERS) {
        const value = req.headers[name]
        if (typeof value === 'string') headers[name] = value
      }
      const upstream = await fetch(upstreamSqlUrl, {
        method: req.method,
        headers,
        body: req.method === 'POST' ? body : undefined,
      })
      const answer = Buffer.from(await upstream.arrayBuffer())
      const out: Record<string, string> = { 'Content-Length': String(answer.length) }
      upstream.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection')
          out[name] = value
      })
      res.writeHead(upstream.status, out)
      res.end(answer)
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' })
      res.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/sql`,
    get mode() {
      return state.mode
    },
    set mode(value) {
      state.mode = value
    },
    get recording() {
      return state.recording
    },
    set recording(value) {
      state.recording = value
    },
    take() {
      const out = recorded
      recorded = []
      return out
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
  }
}
