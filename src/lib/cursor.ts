/**
 * Opaque keyset cursors: `base64url(payload).base64url(hmac)`. The signature binds the position to the caller
 * and the query it came from, so a tampered cursor or one taken from another user or filter is a 400; the payload
 * is then checked against the cursor kind's schema, so a handler only ever sees a well-formed position.
 */
import type { z } from '@hono/zod-openapi'
import { base64url } from 'jose'
import { invalidField } from '../problems/problem-error'

const keys = new Map<string, Promise<CryptoKey>>()
const encoder = new TextEncoder()

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  // Stryker disable next-line ConditionalExpression: equivalent, a cache; importing again gives the same key.
  if (!key) {
    // Stryker disable next-line BooleanLiteral: equivalent, nothing exports the key, extractable or not.
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ])
    keys.set(secret, key)
  }
  return key
}

/** Signed with `scope` (who asked, and with which filters): the cursor is only valid for the same scope. */
export async function encodeCursor(payload: unknown, scope: string, secret: string): Promise<string> {
  const body = encoder.encode(JSON.stringify(payload))
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(secret), signed(body, scope))
  return `${base64url.encode(body)}.${base64url.encode(new Uint8Array(signature))}`
}

/** The payload as `schema` reads it, or a 400 problem for anything that is not a cursor this API issued here. */
export async function decodeCursor<S extends z.ZodType>(
  cursor: string,
  schema: S,
  scope: string,
  secret: string,
  /** The parameter it came in, named by the 400. */
  field = 'query.cursor',
): Promise<z.infer<S>> {
  const invalid = invalidField(field, 'The cursor is not valid for this query')
  // A missing part is '' and refused by decodePart, as an empty one is.
  // Stryker disable next-line StringLiteral: equivalent, decodePart refuses any placeholder that is not base64url
  const [bodyPart = '', signaturePart = '', ...rest] = cursor.split('.')
  if (rest.length > 0) throw invalid
  const body = decodePart(bodyPart)
  const signature = decodePart(signaturePart)
  if (!body || !signature) throw invalid
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(secret), signature, signed(body, scope))
  if (!valid) throw invalid
  const payload = schema.safeParse(parseJson(body))
  if (!payload.success) throw invalid
  return payload.data
}

function decodePart(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined
  try {
    return base64url.decode(text)
  } catch /* Stryker disable next-line BlockStatement: equivalent, an empty catch returns undefined as well */ {
    return undefined
  }
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch /* Stryker disable next-line BlockStatement: equivalent, an empty catch returns undefined as well */ {
    return undefined
  }
}

function signed(body: Uint8Array, scope: string): Uint8Array {
  const prefix = encoder.encode(`${scope}\n`)
  const out = new Uint8Array(prefix.length + body.length)
  out.set(prefix)
  out.set(body, prefix.length)
  return out
}
