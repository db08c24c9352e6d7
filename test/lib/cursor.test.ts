/**
 * Keyset cursors on their own: what a caller gets back is exactly what was signed for that scope, and anything
 * else (another scope, an edited part, another alphabet or padding, a signed payload of the wrong shape) is the
 * one 400 `validation-error` naming the parameter.
 */
import { z } from '@hono/zod-openapi'
import { base64url } from 'jose'
import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from '../../src/lib/cursor'
import { ProblemError } from '../../src/problems/problem-error'

const SECRET = 'cursor-test-secret-0123456789abcdef'
const SCOPE = 'favorites|user|*'
const Position = z.object({ at: z.string(), id: z.string() })
const position = { at: '2026-01-01T00:00:00.000Z', id: 'a'.repeat(36) }

/** The 400 a bad cursor gets, naming `field`. */
async function expectRefused(cursor: string, field = 'query.cursor'): Promise<void> {
  const error = await decodeCursor(cursor, Position, SCOPE, SECRET, field).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ProblemError)
  const { problem } = error as ProblemError
  expect(problem.type).toBe('validation-error')
  expect(problem.issues?.map((issue) => issue.path)).toEqual([field])
  expect(problem.detail).toBe(`${field}: The cursor is not valid for this query`)
}

/** A cursor whose parts are signed with the test secret, as the API would sign them, for any body bytes. */
async function signedCursor(body: string): Promise<string> {
  const bytes = new TextEncoder().encode(body)
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const signed = new Uint8Array([...new TextEncoder().encode(`${SCOPE}\n`), ...bytes])
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, signed))
  return `${base64url.encode(bytes)}.${base64url.encode(signature)}`
}

describe('cursors', () => {
  it('give back the position they were issued for, in the same scope', async () => {
    const cursor = await encodeCursor(position, SCOPE, SECRET)
    expect(await decodeCursor(cursor, Position, SCOPE, SECRET)).toEqual(position)
    expect(await signedCursor(JSON.stringify(position))).toBe(cursor)
  })

  it('are refused in another scope or under another secret', async () => {
    const cursor = await encodeCursor(position, SCOPE, SECRET)
    await expect(decodeCursor(cursor, Position, 'favorites|user|SERVICE', SECRET)).rejects.toThrow(
      ProblemError,
    )
    await expect(decodeCursor(cursor, Position, SCOPE, `${SECRET}x`)).rejects.toThrow(ProblemError)
  })

  it('are refused with a part missing, a part too many, or a part edited, naming the parameter', async () => {
    const cursor = await encodeCursor(position, SCOPE, SECRET)
    const [body = '', signature = ''] = cursor.split('.')
    for (const bad of [body, `${body}.`, `.${signature}`, `${cursor}.${signature}`, `${body}.${body}`]) {
      await expectRefused(bad)
    }
    await expectRefused(`x${body}.${signature}`, 'query.since')
  })

  it('are base64url without padding, nothing else: the same bytes in another spelling are refused', async () => {
    const cursor = await encodeCursor(position, SCOPE, SECRET)
    const [body = '', signature = ''] = cursor.split('.')
    const padded = (part: string) => part + '='.repeat((4 - (part.length % 4)) % 4 || 4)
    const standard = (part: string) => part.replaceAll('-', '+').replaceAll('_', '/')
    const spellings = [
      `${padded(body)}.${signature}`,
      `${body}.${padded(signature)}`,
      ` ${body}.${signature}`,
      `${body}.${signature} `,
      `${standard(body)}.${standard(signature)}`,
    ]
    for (const bad of spellings) if (bad !== cursor) await expectRefused(bad)
  })

  it('are refused when correctly signed but not a position of this kind (or not JSON at all)', async () => {
    await expectRefused(await signedCursor(JSON.stringify({ at: 1 })))
    await expectRefused(await signedCursor('not json'))
    expect(await decodeCursor(await signedCursor(JSON.stringify(position)), Position, SCOPE, SECRET)).toEqual(
      position,
    )
  })
})
