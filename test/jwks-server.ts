/**
 * A stand-in identity provider for the JWKS tests. `/.well-known/jwks.json` serves one RS256 public key. Each fault
 * test gets its own key endpoint `/jwks/<name>.json` (a URL no isolate has cached yet), answered in the mode last
 * PUT to `/mode/<name>`; `/stats` and `/stats/<name>` count the key set requests.
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'

/** How a key endpoint answers. */
export const JWKS_MODES = [
  /** The first key. */
  'ok',
  /** The first key and a second one: the provider rotated its signing key. */
  'rotate',
  /** Two different keys under the first key's `kid`. */
  'duplicate-kid',
  /** The connection is closed without an answer. */
  'down',
  'http-500',
  /** The status line comes after `SLOW_MS`, far past any deadline. */
  'slow',
  /** 200 and headers at once, then the body stalls for `SLOW_MS`. */
  'slow-body',
  /** 200 with HTML, not JSON. */
  'garbage',
  /** 200 with JSON that is not a key set. */
  'not-jwks',
] as const
export type JwksMode = (typeof JWKS_MODES)[number]

const SLOW_MS = 30_000
const KEY_PATH = /^\/jwks\/([\w-]+)\.json$/
const CONTROL_PATH = /^\/(mode|stats)\/([\w-]+)$/

async function signingKey(kid: string, alg: 'RS256' | 'ES256' | 'EdDSA' = 'RS256') {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  })
  return {
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    privateJwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg }),
  }
}

/** A port nothing listens on (taken, then released): connections to it are refused. */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

export async function startJwksServer() {
  const first = await signingKey('test-key-1')
  const second = await signingKey('test-key-2')
  // The other algorithms the API accepts: identity providers sign with P-256 or Ed25519 keys too.
  const es256 = await signingKey('test-key-es256', 'ES256')
  const eddsa = await signingKey('test-key-eddsa', 'EdDSA')
  const keySets: Partial<Record<JwksMode, unknown>> = {
    ok: { keys: [first.publicJwk, es256.publicJwk, eddsa.publicJwk] },
    rotate: { keys: [first.publicJwk, second.publicJwk] },
    'duplicate-kid': { keys: [first.publicJwk, { ...second.publicJwk, kid: first.publicJwk.kid }] },
    'not-jwks': { issuer: 'https://idp.test', keys: 'none' },
  }
  const modes = new Map<string, JwksMode>()
  const counts = new Map<string, number>()
  let requests = 0
  const stalled = new Set<ReturnType<typeof setTimeout>>()
  const later = (action: () => void) => {
    const timer = setTimeout(() => {
      stalled.delete(timer)
      action()
    }, SLOW_MS)
    stalled.add(timer)
  }

  function answer(res: ServerResponse, mode: JwksMode) {
    const keySet = keySets[mode]
    if (keySet) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(keySet))
      return
    }
    switch (mode) {
      case 'down':
        res.socket?.destroy()
        return
      case 'http-500':
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('internal error')
        return
      case 'slow':
        later(() => answer(res, 'ok'))
        return
      case 'slow-body':
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.write('{"keys":[')
        later(() => res.end(']}'))
        return
      default:
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Sign in</body></html>')
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname === '/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ requests }))
      return
    }
    const control = CONTROL_PATH.exec(url.pathname)
    if (control?.[1] === 'stats' && control[2]) {
      const body = JSON.stringify({ requests: counts.get(control[2]) ?? 0 })
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
      return
    }
    if (control?.[1] === 'mode' && control[2] && req.method === 'PUT') {
      const name = control[2]
      let body = ''
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      req.on('end', () => {
        const mode = JWKS_MODES.find((m) => m === body.trim())
        if (mode) modes.set(name, mode)
        res.writeHead(mode ? 204 : 400).end()
      })
      return
    }
    requests++
    const name = KEY_PATH.exec(url.pathname)?.[1]
    if (name) {
      counts.set(name, (counts.get(name) ?? 0) + 1)
      answer(res, modes.get(name) ?? 'ok')
      return
    }
    answer(res, 'ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    url: `${origin}/.well-known/jwks.json`,
    statsUrl: `${origin}/stats`,
    /** `/jwks/<name>.json`, `/mode/<name>` and `/stats/<name>` live here. */
    origin,
    /** The same paths on a port that refuses connections. */
    refusedOrigin: `http://127.0.0.1:${await closedPort()}`,
    privateJwk: first.privateJwk,
    /** The key `rotate` and `duplicate-kid` add (kid `test-key-2`). */
    rotatedPrivateJwk: second.privateJwk,
    /** Keys of `ok` for the other accepted algorithms. */
    privateJwkByAlgorithm: { ES256: es256.privateJwk, EdDSA: eddsa.privateJwk },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of stalled) clearTimeout(timer)
        server.close(() => resolve())
        // Stalled answers hold their connections open.
        server.closeAllConnections()
      }),
  }
}
