import { badRequest } from './problem'

/**
 * Opaque keyset cursors: `base64url(payload).base64url(hmac)`. The signature binds the position to the caller
 * and the query it came from, so a tampered cursor or one taken from another user or filter is a 400.
 */
const keys = new Map<string, Promise<CryptoKey>>()
const encoder = new TextEncoder()

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ])
    keys.set(secret, key)
  }
  return key
}

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '')

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0))
  } catch {
    return undefined
  }
}

/** Signed with `scope` (who asked, and with which filters): the cursor is only valid for the same scope. */
export async function encodeCursor(payload: unknown, scope: string, secret: string): Promise<string> {
  const body = encoder.encode(JSON.stringify(payload))
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(secret), signed(body, scope))
  return `${toBase64Url(body)}.${toBase64Url(new Uint8Array(signature))}`
}

/** The payload, or a 400 problem for anything that is not a cursor this API issued for this scope. */
export async function decodeCursor(cursor: string, scope: string, secret: string): Promise<unknown> {
  const invalid = badRequest('The cursor is not valid for this query', 'query.cursor')
  const [bodyPart, signaturePart, ...rest] = cursor.split('.')
  if (!bodyPart || !signaturePart || rest.length > 0) throw invalid
  const body = fromBase64Url(bodyPart)
  const signature = fromBase64Url(signaturePart)
  if (!body || !signature) throw invalid
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(secret), signature, signed(body, scope))
  if (!valid) throw invalid
  try {
    return JSON.parse(new TextDecoder().decode(body))
  } catch {
    throw invalid
  }
}

function signed(body: Uint8Array, scope: string): Uint8Array {
  const prefix = encoder.encode(`${scope}\n`)
  const out = new Uint8Array(prefix.length + body.length)
  out.set(prefix)
  out.set(body, prefix.length)
  return out
}
