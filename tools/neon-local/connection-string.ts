// The `Neon-Connection-String` header, checked the way Neon's proxy checks it (`get_conn_info` in
// proxy/src/serverless/http_util.rs), in the same order and with the same messages: a string the local server
// accepted but Neon refuses would only fail once deployed.
import { isIP } from 'node:net'
import type { Credentials } from './backend.js'
import { HttpError, type RequestHeaders } from './errors.js'

function header(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

/** Percent-decoding as the proxy's `urlencoding::decode`; `what` names the part in the error. */
function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part)
  } catch (err) {
    throw new HttpError(400, `invalid ${what}: ${(err as Error).message}`)
  }
}

/**
 * Who the request runs as. Throws HttpError(400) with the proxy's message for: no header, not a URL, a scheme other
 * than postgres(ql), no user, no password (or, with `Authorization`, a password instead of only a Bearer token), and
 * no host or an IP-literal host (Neon routes by the endpoint name, the first label of a domain).
 */
export function parseConnectionString(headers: RequestHeaders): Credentials {
  const raw = header(headers, 'Neon-Connection-String')
  if (!raw) throw new HttpError(400, 'invalid header: neon-connection-string')
  let url: URL
  try {
    url = new URL(raw)
  } catch (err) {
    throw new HttpError(400, `invalid connection string: ${(err as Error).message}`)
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new HttpError(400, 'incorrect scheme')
  }
  const database = decode(url.pathname.replace(/^\//, '').split('/')[0] ?? '', 'database name')
  const user = decode(url.username, 'username')
  if (!user) throw new HttpError(400, 'missing username')

  // With a token (Neon's RLS / Authorize endpoint) the proxy wants the token and no password; without one, a password.
  const authorization = header(headers, 'Authorization')
  let password = ''
  if (authorization !== undefined) {
    const jwt = 'missing authentication credentials: required authorization bearer token in JWT format'
    if (!authorization.startsWith('Bearer ') || url.password) throw new HttpError(400, jwt)
  } else {
    if (!url.password) throw new HttpError(400, 'missing authentication credentials: required password')
    password = decode(url.password, 'password')
  }

  // WHATWG URL keeps IPv6 brackets in `hostname`.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (!host || isIP(host) !== 0) throw new HttpError(400, 'missing hostname')
  return { user, password, database, endpoint: host.split('.')[0] ?? host }
}
