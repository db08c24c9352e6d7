/**
 * Fault injection, so tests can prove what the API does when its database misbehaves: `PUT /faults` with one of
 * these bodies changes how every following `POST /sql` is answered until `{"kind":"none"}` is put back.
 * Dev/test tooling only: Neon has no such endpoint.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

export type Fault =
  | { kind: 'none' }
  /** The connection is dropped before any answer, as when the database host is down. */
  | { kind: 'unreachable' }
  /** The proxy fails: HTTP 500 with a plain error body. */
  | { kind: 'http-500' }
  /** HTTP 200 with a body that is not JSON (a misbehaving proxy or middlebox). */
  | { kind: 'garbage' }
  /** Every query waits `delayMs` before it runs (then runs normally). */
  | { kind: 'slow'; delayMs: number }

export function parseFault(text: string): Fault | undefined {
  try {
    const value = JSON.parse(text) as Partial<{ kind: string; delayMs: number }>
    switch (value.kind) {
      case 'none':
      case 'unreachable':
      case 'http-500':
      case 'garbage':
        return { kind: value.kind }
      case 'slow':
        return typeof value.delayMs === 'number' && value.delayMs >= 0
          ? { kind: 'slow', delayMs: value.delayMs }
          : undefined
      default:
        return undefined
    }
  } catch {
    return undefined
  }
}

/** Applies `fault` to one `/sql` request. Returns true when the request was answered (or dropped) here. */
export async function applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  switch (fault.kind) {
    case 'none':
      return false
    case 'unreachable':
      req.socket.destroy()
      return true
    case 'http-500':
      req.resume()
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('injected fault: internal error')
      return true
    case 'garbage':
      req.resume()
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('<html>not json')
      return true
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
      return false
  }
}
